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
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lim.h"

/* A child group offers exactly what its parent delegated, and takes a process. */
static void cgroup2_group_takes_controllers_and_a_process(struct ht_ctx *t)
{
	static const char *const ctrls[] = { "memory", "cpu", "pids", NULL };
	_cleanup_free_ char *parent = lim_run_group(t);
	_cleanup_free_ char *name = ht_xasprintf("%s-g", ht_test_name(t));
	_cleanup_free_ char *g = lim_make_group(t, parent, name, ctrls);
	_cleanup_free_ char *root = lim_cg_root(t), *offered = NULL, *seen = NULL, *want = NULL;
	char pidstr[16];
	int go[2];
	pid_t pid;

	HT_ASSERT_EQ(t, lim_read(g, "cgroup.controllers", &offered), 0);
	for (const char *const *c = ctrls; *c; c++)
		HT_EXPECT(t, strstr(offered, *c) != NULL);
	HT_EXPECT(t, lim_has(g, "memory.max"));
	HT_EXPECT(t, lim_has(g, "cpu.max"));
	HT_EXPECT(t, lim_has(g, "pids.max"));

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
	HT_EXPECT_EQ(t, lim_write(g, "cgroup.procs", pidstr), 0);
	/* The host's view of the process: /proc/PID/cgroup names the new group. */
	want = ht_xasprintf("0::%s\n", g + strlen(root));
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
		HT_EXPECT_EQ(t, ht_read_file(AT_FDCWD, path, &seen), 0);
	}
	HT_EXPECT_STREQ(t, seen, want);
	HT_EXPECT_EQ(t, lim_key(g, "cgroup.events", "populated"), 1);
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
	_cleanup_free_ char *parent = lim_run_group(t);
	_cleanup_free_ char *name = ht_xasprintf("%s-g", ht_test_name(t));
	_cleanup_free_ char *g = lim_make_group(t, parent, name, ctrls);
	int report[2], hold[2], forked = -1, err = 0;
	pid_t pid;

	HT_ASSERT_EQ(t, lim_write(g, "pids.max", "4"), 0);
	HT_SETUP(t, pipe2(report, O_CLOEXEC));
	HT_SETUP(t, pipe(hold));
	pid = HT_SETUP(t, fork());
	if (pid == 0) {
		int n = 0, e = 0;
		char c;

		close(report[0]);
		close(hold[1]);
		if (lim_write(g, "cgroup.procs", "0") < 0)
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
	HT_EXPECT_EQ(t, lim_key(g, "pids.events", "max"), 1);
	{
		_cleanup_free_ char *cur = NULL;

		HT_EXPECT_EQ(t, lim_read(g, "pids.current", &cur), 0);
		HT_EXPECT_EQ(t, cur ? atoi(cur) : -1, 4);
	}
	close(hold[1]);
	close(report[0]);
	waitpid(pid, NULL, 0);
	HT_EXPECT_EQ(t, rmdir(g), 0);
}
HT_TEST(cgroup2_pids_max_refuses_fork, .area = HT_AREA_LIMITS, .lesson = 5, .timeout_s = 20,
	.needs = HT_NEEDS("cgroup2.pids"), .tags = "doc:cgroup-v2.rst#pid");
