// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cgroup v2 basics (lesson 5): a group made under the run's own subtree
 * gets the controllers its parent delegates, takes a process, and its pids
 * limit stops a fork that would exceed it (Documentation/admin-guide/
 * cgroup-v2.rst, "Controlling Controllers" and "PID"). Everything is
 * observed from the host: cgroup.controllers, /proc/PID/cgroup, fork's
 * errno, pids.current and pids.events.
 *
 * The groups live beside the test's slot, under the run's group, which has
 * no process of its own and so may delegate controllers (the
 * no-internal-process rule). They are journaled before they are made.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ht-probe.h"
#include "ht-util.h"
#include "isolab.h"

/* The cgroup2 mount point, for turning /proc/PID/cgroup paths into files. */
static char *cg_root(struct ht_ctx *t)
{
	char *root = NULL;

	if (ht_cgroup2_mount(&root) < 0)
		ht_broken(t, "cgroup2 is not mounted, though the probe said it was");
	return root;
}

/* The run's group: the parent of the slot this test runs in (/proc/self/cgroup). */
static char *run_group(struct ht_ctx *t)
{
	_cleanup_free_ char *root = cg_root(t), *self = NULL;
	char *slash;

	if (ht_read_file(AT_FDCWD, "/proc/self/cgroup", &self) < 0 || strncmp(self, "0::/", 4))
		ht_broken(t, "no cgroup2 line in /proc/self/cgroup");
	self[strcspn(self, "\n")] = '\0';
	slash = strrchr(self + 3, '/');
	if (!slash || slash == self + 3)
		ht_broken(t, "the test is not in a slot group of its run (%s)", self + 3);
	*slash = '\0';
	return ht_xasprintf("%s%s", root, self + 3);
}

static int cg_write(const char *group, const char *file, const char *value)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", group, file);
	return ht_write_file(AT_FDCWD, path, value);
}

static int cg_read(const char *group, const char *file, char **ret)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", group, file);
	return ht_read_file(AT_FDCWD, path, ret);
}

static bool cg_has(const char *group, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", group, file);
	return access(path, F_OK) == 0;
}

/* Journal, then create, a group; and delegate the listed controllers to it. */
static char *make_group(struct ht_ctx *t, const char *parent, const char *name,
			const char *const *ctrls)
{
	char *path = ht_xasprintf("%s/%s", parent, name);

	for (const char *const *c = ctrls; *c; c++) {
		_cleanup_free_ char *plus = ht_xasprintf("+%s", *c);

		/* One controller per write: a failure then names the one refused. */
		int r = cg_write(parent, "cgroup.subtree_control", plus);

		if (r < 0)
			ht_broken(t, "enable %s in %s/cgroup.subtree_control: %s", *c, parent,
				  strerror(-r));
	}
	if (ht_journal_add(t, "cgroup", path, NULL, NULL) < 0 || mkdir(path, 0755) < 0)
		ht_broken(t, "create cgroup %s: %m", path);
	return path;
}

/* The value of KEY in a flat-keyed file such as cgroup.events, or -1. */
static long read_key(const char *group, const char *file, const char *key)
{
	_cleanup_free_ char *text = NULL;
	size_t n = strlen(key);

	if (cg_read(group, file, &text) < 0)
		return -1;
	for (char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ' ')
			return strtol(line + n + 1, NULL, 10);
	return -1;
}

/* A child group offers exactly what its parent delegated, and takes a process. */
static void cgroup2_group_takes_controllers_and_a_process(struct ht_ctx *t)
{
	static const char *const ctrls[] = { "memory", "cpu", "pids", NULL };
	_cleanup_free_ char *parent = run_group(t);
	_cleanup_free_ char *name = ht_xasprintf("%s-g", ht_test_name(t));
	_cleanup_free_ char *g = make_group(t, parent, name, ctrls);
	_cleanup_free_ char *root = cg_root(t), *offered = NULL, *seen = NULL, *want = NULL;
	char pidstr[16];
	int go[2];
	pid_t pid;

	HT_ASSERT_EQ(t, cg_read(g, "cgroup.controllers", &offered), 0);
	for (const char *const *c = ctrls; *c; c++)
		HT_EXPECT(t, strstr(offered, *c) != NULL);
	HT_EXPECT(t, cg_has(g, "memory.max"));
	HT_EXPECT(t, cg_has(g, "cpu.max"));
	HT_EXPECT(t, cg_has(g, "pids.max"));

	HT_SETUP(t, pipe2(go, O_CLOEXEC));
	pid = HT_SETUP(t, fork());
	if (pid == 0) {
		char c;

		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	HT_EXPECT_EQ(t, cg_write(g, "cgroup.procs", pidstr), 0);
	/* The host's view of the process: /proc/PID/cgroup names the new group. */
	want = ht_xasprintf("0::%s\n", g + strlen(root));
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
		HT_EXPECT_EQ(t, ht_read_file(AT_FDCWD, path, &seen), 0);
	}
	HT_EXPECT_STREQ(t, seen, want);
	HT_EXPECT_EQ(t, read_key(g, "cgroup.events", "populated"), 1);
	close(go[1]);
	waitpid(pid, NULL, 0);
	HT_EXPECT_EQ(t, rmdir(g), 0);
}
HT_TEST(cgroup2_group_takes_controllers_and_a_process, .area = HT_AREA_LIMITS, .lesson = 5,
	.timeout_s = 20, .needs = HT_NEEDS("cgroup2.memory", "cgroup2.cpu", "cgroup2.pids"),
	.tags = "doc:cgroup-v2.rst#controlling-controllers");

/*
 * pids.max = 4: the member and three children fit, the fourth fork fails
 * with EAGAIN (fork(2)), pids.current says 4 and pids.events counts the
 * refusal.
 */
static void cgroup2_pids_max_refuses_fork(struct ht_ctx *t)
{
	static const char *const ctrls[] = { "pids", NULL };
	_cleanup_free_ char *parent = run_group(t);
	_cleanup_free_ char *name = ht_xasprintf("%s-g", ht_test_name(t));
	_cleanup_free_ char *g = make_group(t, parent, name, ctrls);
	int report[2], hold[2], forked = -1, err = 0;
	pid_t pid;

	HT_ASSERT_EQ(t, cg_write(g, "pids.max", "4"), 0);
	HT_SETUP(t, pipe2(report, O_CLOEXEC));
	HT_SETUP(t, pipe(hold));
	pid = HT_SETUP(t, fork());
	if (pid == 0) {
		int n = 0, e = 0;
		char c;

		close(report[0]);
		close(hold[1]);
		if (cg_write(g, "cgroup.procs", "0") < 0)
			_exit(2);
		/* Fork until refused; the children wait on hold so they all count. */
		for (; n < 16; n++) {
			pid_t k = fork();

			if (k == 0) {
				(void)!read(hold[0], &c, 1);
				_exit(0);
			}
			if (k < 0) {
				e = errno;
				break;
			}
		}
		(void)!write(report[1], &n, sizeof(n));
		(void)!write(report[1], &e, sizeof(e));
		(void)!read(hold[0], &c, 1);
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	close(report[1]);
	close(hold[0]);
	HT_EXPECT_EQ(t, read(report[0], &forked, sizeof(forked)), (ssize_t)sizeof(forked));
	HT_EXPECT_EQ(t, read(report[0], &err, sizeof(err)), (ssize_t)sizeof(err));
	HT_EXPECT_EQ(t, forked, 3);
	HT_EXPECT_EQ(t, err, EAGAIN);
	HT_EXPECT_EQ(t, read_key(g, "pids.events", "max"), 1);
	{
		_cleanup_free_ char *cur = NULL;

		HT_EXPECT_EQ(t, cg_read(g, "pids.current", &cur), 0);
		HT_EXPECT_EQ(t, cur ? atoi(cur) : -1, 4);
	}
	close(hold[1]);
	close(report[0]);
	waitpid(pid, NULL, 0);
	HT_EXPECT_EQ(t, rmdir(g), 0);
}
HT_TEST(cgroup2_pids_max_refuses_fork, .area = HT_AREA_LIMITS, .lesson = 5, .timeout_s = 20,
	.needs = HT_NEEDS("cgroup2.pids"), .tags = "doc:cgroup-v2.rst#pid");
