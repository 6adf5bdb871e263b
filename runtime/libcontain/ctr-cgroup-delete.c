// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Emptying and deleting a group: the kill (cgroup.kill, or each pid in
 * rounds before Linux 5.14), the wait on cgroup.events, and the removal of
 * the group and its children. See ctr-cgroup.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "ctr-cgroup-internal.h"
#include "ctr-cgroup.h"
#include "ctr-util.h"

/* Nesting deeper than this is no group tree contain made: refuse rather than recurse. */
#define MAX_DEPTH 64

static int collect_pids(int dfd, unsigned int depth, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *procs = NULL;
	struct dirent *de;
	DIR *d;
	int r, fd;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	r = ctr_cgroup_read_at(dfd, "cgroup.procs", &procs);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *p = procs; *p;) {
		long pid = strtol(p, &p, 10);

		if (pid > 0) {
			pid_t *np = realloc(*pids, (*n + 1) * sizeof(**pids));

			if (!np)
				return -ENOMEM;
			*pids = np;
			(*pids)[(*n)++] = (pid_t)pid;
		}
		while (*p == '\n')
			p++;
		if (*p && (*p < '0' || *p > '9'))
			break;
	}

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	r = 0;
	while (r == 0 && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				r = -errno;
			continue;
		}
		r = collect_pids(sub, depth + 1, pids, n);
		close(sub);
	}
	closedir(d);
	return r;
}

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * Without cgroup.kill: SIGKILL each listed process, round after round, as
 * a fork can race the listing. Each one is pinned by a pidfd first and
 * signalled only if it is still listed afterwards, so a recycled pid is
 * never hit; the round ends when every signalled pidfd is readable (it has
 * exited, pidfd_open(2)). Before pidfds (Linux 5.3) kill(2) is all there is.
 */
static int kill_each(struct ctr_cgroup *cg, uint64_t deadline, struct ctr_error *err)
{
	for (;;) {
		_cleanup_free_ pid_t *pids = NULL, *again = NULL;
		_cleanup_free_ struct pollfd *pfds = NULL;
		size_t n = 0, n_again = 0, left = 0;
		bool no_pidfd = false;
		int r;

		r = collect_pids(cg->dfd, 0, &pids, &n);
		if (r < 0)
			return ctr_error_errno(err, -r, "list the processes of %s", cg->path);
		if (n == 0)
			return 0;
		if (ctr_cgroup_remaining_ms(deadline) == 0)
			return ctr_error_set(err, ETIMEDOUT,
					     "kill the processes of %s: %zu still there after "
					     "SIGKILL",
					     cg->path, n);
		pfds = calloc(n, sizeof(*pfds));
		if (!pfds)
			return ctr_error_errno(err, ENOMEM, "kill the processes of %s", cg->path);
		for (size_t i = 0; i < n; i++) {
			pfds[i].fd = pidfd_open(pids[i], 0);
			pfds[i].events = POLLIN;
			if (pfds[i].fd < 0 && errno == ENOSYS) {
				kill(pids[i], SIGKILL);
				no_pidfd = true;
			}
		}
		if (collect_pids(cg->dfd, 0, &again, &n_again) < 0)
			n_again = 0;
		for (size_t i = 0; i < n; i++) {
			if (pfds[i].fd < 0)
				continue;
			if (pid_in(pids[i], again, n_again) &&
			    pidfd_send_signal(pfds[i].fd, SIGKILL, NULL, 0) == 0) {
				left++;
				continue;
			}
			ctr_closep(&pfds[i].fd);
		}
		while (left > 0) {
			int ms = ctr_cgroup_remaining_ms(deadline);

			if (ms == 0)
				break;
			r = poll(pfds, n, ms);
			if (r < 0 && errno != EINTR)
				break;
			for (size_t i = 0; r > 0 && i < n; i++)
				if (pfds[i].fd >= 0 && pfds[i].revents) {
					ctr_closep(&pfds[i].fd);
					left--;
				}
		}
		for (size_t i = 0; i < n; i++)
			ctr_closep(&pfds[i].fd);
		/*
		 * Without pidfds nothing says when they are gone but the
		 * group emptying; a slice of the deadline, so that a fork
		 * that raced the kill gets its own round.
		 */
		if (no_pidfd) {
			int ms = ctr_cgroup_remaining_ms(deadline);

			r = ctr_cgroup_wait_empty(cg, ms < 100 ? ms : 100, err);
			if (r < 0 && r != -ETIMEDOUT)
				return r;
		}
	}
}

int ctr_cgroup_kill(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err)
{
	int r;

	/*
	 * cgroup.kill (Linux 5.14, cgroup-v2.rst "cgroup.kill") kills the
	 * whole subtree at once, forks included. Older kernels have no such
	 * file and threaded groups refuse it (EOPNOTSUPP).
	 */
	r = ctr_write_file(cg->dfd, "cgroup.kill", "1");
	if (r == 0)
		return 0;
	if (r != -ENOENT && r != -EOPNOTSUPP)
		return ctr_error_errno(err, -r, "write \"1\" to %s/cgroup.kill", cg->path);
	return kill_each(cg, ctr_cgroup_now_ms() + (uint64_t)timeout_ms, err);
}

int ctr_cgroup_kill_each(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err)
{
	return kill_each(cg, ctr_cgroup_now_ms() + (uint64_t)timeout_ms, err);
}

/* The "populated" key of cgroup.events: 1, 0, or negative. */
static int read_populated(int fd)
{
	char buf[256];
	const char *p;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, "populated ");
	if (!p)
		return -EIO;
	return p[10] != '0';
}

int ctr_cgroup_wait_empty(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err)
{
	_cleanup_close_ int ifd = -1, fd = -1;
	_cleanup_free_ char *events = NULL;
	uint64_t deadline = ctr_cgroup_now_ms() + (uint64_t)timeout_ms;

	if (asprintf(&events, "%s/cgroup.events", cg->path) < 0) {
		events = NULL;
		return ctr_error_errno(err, ENOMEM, "wait for %s to empty", cg->path);
	}
	fd = openat(cg->dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open %s", events);
	/*
	 * "A value change in this file generates a file modified event"
	 * (cgroup-v2.rst, "cgroup.events"): watch first, then read, so no
	 * change falls in between.
	 */
	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd < 0)
		return ctr_error_errno(err, errno, "inotify_init1");
	if (inotify_add_watch(ifd, events, IN_MODIFY) < 0)
		return ctr_error_errno(err, errno, "watch %s", events);
	for (;;) {
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		char drain[4096];
		int r, ms;

		r = read_populated(fd);
		if (r < 0)
			return ctr_error_errno(err, -r, "read %s", events);
		if (r == 0)
			return 0;
		ms = ctr_cgroup_remaining_ms(deadline);
		if (ms == 0)
			return ctr_error_set(err, ETIMEDOUT,
					     "wait for %s to empty: cgroup.events still says "
					     "\"populated 1\" after %d ms",
					     cg->path, timeout_ms);
		r = poll(&pfd, 1, ms);
		if (r < 0 && errno != EINTR)
			return ctr_error_errno(err, errno, "poll inotify");
		while (read(ifd, drain, sizeof(drain)) > 0)
			;
	}
}

/* Remove the child groups below dfd, deepest first. */
static int remove_children(int dfd, const char *path, unsigned int depth, struct ctr_error *err)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if (depth > MAX_DEPTH)
		return ctr_error_set(err, ELOOP, "remove %s: nested too deep", path);
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open %s", path);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return ctr_error_errno(err, errno, "open %s", path);
	}
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *sub_path = NULL;
		_cleanup_close_ int sub = -1;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub_path, "%s/%s", path, de->d_name) < 0) {
			sub_path = NULL;
			r = ctr_error_errno(err, ENOMEM, "remove %s", path);
			break;
		}
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				r = ctr_error_errno(err, errno, "open %s", sub_path);
			continue;
		}
		r = remove_children(sub, sub_path, depth + 1, err);
		if (r == 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			r = ctr_error_errno(err, errno, "remove cgroup %s", sub_path);
	}
	closedir(d);
	return r;
}

int ctr_cgroup_destroy(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err)
{
	uint64_t deadline = ctr_cgroup_now_ms() + (uint64_t)timeout_ms;
	int r;

	r = ctr_cgroup_kill(cg, timeout_ms, err);
	if (r < 0)
		return r;
	/* The kill is asynchronous: only an empty group can be removed. */
	r = ctr_cgroup_wait_empty(cg, ctr_cgroup_remaining_ms(deadline), err);
	if (r < 0)
		return r;
	r = remove_children(cg->dfd, cg->path, 0, err);
	if (r < 0)
		return r;
	if (rmdir(cg->path) < 0 && errno != ENOENT)
		return ctr_error_errno(err, errno, "remove cgroup %s", cg->path);
	return 0;
}

void ctr_cgroup_destroy_and_free(struct ctr_cgroup *cg)
{
	struct ctr_error ignored;
	int saved = errno;

	if (!cg)
		return;
	(void)ctr_cgroup_destroy(cg, CTR_CGROUP_DRAIN_MS, &ignored);
	ctr_cgroup_free(cg);
	errno = saved;
}

int ctr_cgroup_check_delete(const char *mount, const char *path, struct ctr_error *err)
{
	_cleanup_free_ char *self = NULL;
	size_t n = strlen(path);
	int r;

	if (strcmp(path, mount) == 0)
		return ctr_error_set(err, EPERM,
				     "refusing to delete %s: it is the root of the cgroup2 "
				     "hierarchy",
				     path);
	r = ctr_cgroup_find_self(&self, err);
	if (r < 0)
		return r;
	if (strncmp(self, path, n) == 0 && (self[n] == '/' || self[n] == '\0'))
		return ctr_error_set(err, EPERM, "refusing to delete %s: contain itself runs in %s",
				     path, self);
	return 0;
}
