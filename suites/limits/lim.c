// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The limits suite's view of cgroup v2 from the host (see lim.h): the
 * run's group, a delegated PARENT per test, reading interface files, and
 * waiting for the group a runtime makes under PARENT.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ht-host.h"
#include "ht-probe.h"
#include "lim.h"

char *lim_cg_root(struct ht_ctx *t)
{
	char *root = NULL;

	if (ht_cgroup2_mount(&root) < 0)
		ht_broken(t, "cgroup2 is not mounted, though the probe said it was");
	return root;
}

char *lim_run_group(struct ht_ctx *t)
{
	_cleanup_free_ char *root = lim_cg_root(t), *self = NULL;
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

int lim_write(const char *group, const char *file, const char *value)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", group, file);
	return ht_write_file(AT_FDCWD, path, value);
}

int lim_read(const char *group, const char *file, char **ret)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", group, file);
	return ht_read_file(AT_FDCWD, path, ret);
}

bool lim_has(const char *group, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", group, file);
	return access(path, F_OK) == 0;
}

/* The line of text that starts with the word key, or NULL. */
static char *find_line(char *text, const char *key)
{
	size_t n = strlen(key);

	for (char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ' ')
			return line + n + 1;
	return NULL;
}

long long lim_value(const char *group, const char *file)
{
	_cleanup_free_ char *text = NULL;

	if (lim_read(group, file, &text) < 0)
		return -1;
	if (strncmp(text, "max", 3) == 0)
		return LLONG_MAX;
	return strtoll(text, NULL, 10);
}

long long lim_key(const char *group, const char *file, const char *key)
{
	_cleanup_free_ char *text = NULL;
	char *v;

	if (lim_read(group, file, &text) < 0)
		return -1;
	v = find_line(text, key);
	return v ? strtoll(v, NULL, 10) : -1;
}

double lim_nested_key(const char *group, const char *file, const char *key, const char *sub)
{
	_cleanup_free_ char *text = NULL;
	size_t n = strlen(sub);
	char *v;

	if (lim_read(group, file, &text) < 0)
		return -1;
	v = find_line(text, key);
	for (; v && *v && *v != '\n'; v += strcspn(v, " \n"), v += strspn(v, " "))
		if (strncmp(v, sub, n) == 0 && v[n] == '=')
			return strtod(v + n + 1, NULL);
	return -1;
}

char *lim_make_group(struct ht_ctx *t, const char *parent, const char *name,
		     const char *const *ctrls)
{
	char *path = ht_xasprintf("%s/%s", parent, name);

	for (const char *const *c = ctrls; c && *c; c++) {
		_cleanup_free_ char *plus = ht_xasprintf("+%s", *c);
		int r = lim_write(parent, "cgroup.subtree_control", plus);

		if (r < 0)
			ht_broken(t, "enable %s in %s/cgroup.subtree_control: %s", *c, parent,
				  strerror(-r));
	}
	if (ht_journal_add(t, "cgroup", path, NULL, NULL) < 0 || mkdir(path, 0755) < 0)
		ht_broken(t, "create cgroup %s: %m", path);
	return path;
}

char *lim_parent(struct ht_ctx *t, const char *const *ctrls)
{
	_cleanup_free_ char *run = lim_run_group(t);
	_cleanup_free_ char *name = ht_xasprintf("%s-p", ht_test_name(t));
	char *parent = lim_make_group(t, run, name, NULL);

	/* PARENT delegates to the runtime's groups what the test's limits need. */
	for (const char *const *c = ctrls; c && *c; c++) {
		_cleanup_free_ char *plus = ht_xasprintf("+%s", *c);
		int r;

		r = lim_write(run, "cgroup.subtree_control", plus);
		if (r == 0)
			r = lim_write(parent, "cgroup.subtree_control", plus);
		if (r < 0)
			ht_broken(t, "delegate %s to %s: %s", *c, parent, strerror(-r));
	}
	return parent;
}

char *lim_children(const char *group)
{
	char *list = ht_xstrdup("");
	struct dirent *de;
	DIR *d = opendir(group);

	if (!d)
		return list;
	while ((de = readdir(d))) {
		char *n;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		n = ht_xasprintf("%s%s%s", list, *list ? " " : "", de->d_name);
		free(list);
		list = n;
	}
	closedir(d);
	return list;
}

/* Whether r has exited, without reaping it (waitid(2) WNOWAIT). */
static bool exited(struct ht_proc *r)
{
	siginfo_t si = { 0 };

	if (r->pid <= 0)
		return true;
	return waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid;
}

/* The first name in the space-separated list names that is not known's last component. */
static char *pick_new(const char *parent, const char *names, const char *known)
{
	const char *skip = known ? strrchr(known, '/') : NULL;

	if (skip)
		skip++;
	for (const char *n = names; *n;) {
		size_t len = strcspn(n, " ");

		if (!skip || strlen(skip) != len || strncmp(n, skip, len) != 0)
			return ht_xasprintf("%s/%.*s", parent, (int)len, n);
		n += len;
		n += strspn(n, " ");
	}
	return NULL;
}

char *lim_wait_group(struct ht_ctx *t, const char *parent, struct ht_proc *r, const char *known)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)ht_timeout_ms(t, 20000) * 1000000u;
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	/* Watch first, list second: a group made in between is not missed. */
	if (in < 0 || inotify_add_watch(in, parent, IN_CREATE | IN_ONLYDIR) < 0)
		ht_broken(t, "inotify on %s: %m", parent);
	for (;;) {
		_cleanup_free_ char *names = lim_children(parent), *events = NULL;
		_cleanup_free_ char *group = pick_new(parent, names, known);
		_cleanup_close_ int ev = -1;
		struct pollfd pfds[3] = {
			{ .fd = in, .events = POLLIN },
			{ .fd = r->w.is_pidfd ? r->w.fd : -1, .events = POLLIN },
			{ .fd = -1, .events = POLLPRI },
		};
		char buf[4096];

		if (group) {
			events = ht_xasprintf("%s/cgroup.events", group);
			/* kernfs notifies every change of cgroup.events (cgroup-v2.rst). */
			ev = open(events, O_RDONLY | O_CLOEXEC);
			pfds[2].fd = ev;
			if (lim_key(group, "cgroup.events", "populated") == 1)
				return TAKE_PTR(group);
		}
		if (exited(r)) {
			ht_proc_wait(r, 1000);
			ht_fail(t,
				"the runtime exited (status %d) before a group under %s held a "
				"process; stderr: \"%.300s\"",
				r->exit_code, parent, r->err);
			return NULL;
		}
		if (ht_remaining_ms(deadline) == 0) {
			ht_fail(t, "no group under %s held a process within the deadline%s%s",
				parent, group ? "; there is " : "", group ? group : "");
			return NULL;
		}
		/* Without a pidfd nothing wakes us when r exits: look again every 100 ms. */
		if (poll(pfds, 3, r->w.is_pidfd ? ht_remaining_ms(deadline) : 100) < 0 &&
		    errno != EINTR)
			ht_broken(t, "poll: %m");
		while (read(in, buf, sizeof(buf)) > 0)
			;
	}
}

long long lim_wait_key(struct ht_ctx *t, const char *group, const char *file, const char *key,
		       long long min)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)ht_timeout_ms(t, 20000) * 1000000u;
	_cleanup_free_ char *path = ht_xasprintf("%s/%s", group, file);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	long long v;

	if (fd < 0)
		ht_broken(t, "open %s: %m", path);
	/*
	 * Read through the polled fd: kernfs wakes a poller whose fd has not
	 * read the file since it last changed (kernfs_fop_poll), so each read
	 * re-arms it, and a change after the read still wakes the poll.
	 */
	for (;;) {
		_cleanup_free_ char *text = NULL;
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		char *at;

		if (ht_read_fd(fd, &text, NULL) < 0)
			ht_broken(t, "read %s: %m", path);
		at = find_line(text, key);
		v = at ? strtoll(at, NULL, 10) : -1;
		if (v >= min)
			break;

		if (ht_remaining_ms(deadline) == 0) {
			ht_fail(t, "%s %s stayed at %lld, below %lld, until the deadline", path,
				key, v, min);
			return -1;
		}
		if (poll(&pfd, 1, ht_remaining_ms(deadline)) < 0 && errno != EINTR)
			ht_broken(t, "poll %s: %m", path);
	}
	return v;
}

bool lim_window(struct ht_proc *r, int ms)
{
	uint64_t end = ht_now_ns() + (uint64_t)ms * 1000000u;

	for (;;) {
		struct pollfd pfd = { .fd = r->w.is_pidfd ? r->w.fd : -1, .events = POLLIN };

		if (exited(r))
			return false;
		if (ht_remaining_ms(end) == 0)
			return true;
		(void)poll(&pfd, 1, ht_remaining_ms(end));
	}
}

json_t *lim_next_probe_line(struct ht_ctx *t, struct ht_proc *r)
{
	_cleanup_free_ char *line = NULL;
	int e = ht_proc_read_line(r, ht_timeout_ms(t, 20000), &line);

	if (e < 0) {
		ht_fail(t, "no line from the probe (%s); stderr so far: \"%.300s\"",
			ht_errno_name(-e), r->err);
		return NULL;
	}
	return ht_probe_json_line(t, line, strlen(line));
}

pid_t lim_container_init(struct ht_ctx *t)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = ht_pids_with_arg(ht_nonce(t), &pids);

	for (size_t i = 0; i < n; i++)
		if (ht_ns_inode(pids[i], "pid") != ht_ns_inode(0, "pid") && ht_ns_pid(pids[i]) == 1)
			return pids[i];
	return -1;
}

char *lim_cgroup_of(pid_t pid)
{
	char path[64];
	char *text = NULL;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (ht_read_file(AT_FDCWD, path, &text) < 0)
		return NULL;
	if (strncmp(text, "0::", 3) != 0) {
		free(text);
		return NULL;
	}
	text[strcspn(text, "\n")] = '\0';
	memmove(text, text + 3, strlen(text + 3) + 1);
	return text;
}

void lim_parent_done(struct ht_ctx *t, const char *parent)
{
	_cleanup_free_ char *left = lim_children(parent);

	if (*left) {
		ht_fail(t, "left behind under %s: %s", parent, left);
		return;
	}
	HT_EXPECT_EQ(t, rmdir(parent), 0);
}
