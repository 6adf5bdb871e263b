// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Emptying a cgroup (interface in ht-cgroup.h): the kill, with a pidfd loop
 * for kernels and hierarchies without cgroup.kill, and the wait on
 * cgroup.events. Refusing to empty a group at all (a hierarchy root, the
 * caller's own group) is the caller's business.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>

#include "ht-cgroup.h"
#include "ht-util.h"

/* Nesting deeper than this is no group tree we made: refuse rather than recurse. */
#define MAX_DEPTH 128

static unsigned long long secs_since(uint64_t t0_ns)
{
	return (ht_now_ns() - t0_ns + 500000000ull) / 1000000000ull;
}

static int collect_pids(int dfd, unsigned depth, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *procs = NULL;
	DIR *d;
	struct dirent *de;
	char *p, *save = NULL;
	int r;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	r = ht_read_file(dfd, "cgroup.procs", &procs);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (p = strtok_r(procs, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		long pid = strtol(p, NULL, 10);

		if (pid <= 0)
			continue;
		*pids = ht_xrealloc(*pids, (*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)pid;
	}

	d = ht_opendir_at(dfd);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
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

int ht_cgroup_collect_pids(int dfd, pid_t **ret_pids, size_t *ret_n)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r;

	r = collect_pids(dfd, 0, &pids, &n);
	if (r < 0)
		return r;
	*ret_pids = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * SIGKILL every process of the subtree without cgroup.kill (v1 hierarchies,
 * kernels before 5.14), round after round until the group is empty, since
 * forks can race the kill. Each victim is pinned by a pidfd first and
 * signalled only if it is still listed after pinning, so a recycled pid is
 * never hit; then we wait on the pidfds (pidfd_open(2): readable once it
 * has exited). Without pidfds (before 5.3, or under valgrind) this spins,
 * yielding, until the deadline.
 */
static int kill_procs(int dfd, uint64_t deadline, char **ret_cause)
{
	uint64_t t0 = ht_now_ns();

	for (;;) {
		_cleanup_free_ pid_t *pids = NULL, *again = NULL;
		_cleanup_free_ struct pollfd *pfds = NULL;
		size_t n = 0, n_again = 0, left = 0;
		int r;

		r = ht_cgroup_collect_pids(dfd, &pids, &n);
		if (r < 0)
			return ht_set_cause(ret_cause, r, "read cgroup.procs: %s",
					    ht_errno_name(r));
		if (n == 0)
			return 0;
		if (ht_remaining_ms(deadline) == 0)
			return ht_set_cause(ret_cause, -ETIMEDOUT,
					    "%zu processes still in the group %llu s after SIGKILL",
					    n, secs_since(t0));
		pfds = ht_xcalloc(n, sizeof(*pfds));
		for (size_t i = 0; i < n; i++) {
			pfds[i].fd = pidfd_open(pids[i], 0);
			pfds[i].events = POLLIN;
			if (pfds[i].fd < 0 && errno == ENOSYS && kill(pids[i], SIGKILL) < 0 &&
			    errno == EPERM)
				return ht_set_cause(ret_cause, -EPERM, "kill %d: EPERM",
						    (int)pids[i]);
		}
		r = ht_cgroup_collect_pids(dfd, &again, &n_again);
		if (r < 0)
			n_again = 0;
		for (size_t i = 0; i < n; i++) {
			if (pfds[i].fd < 0)
				continue;
			if (pid_in(pids[i], again, n_again) &&
			    pidfd_send_signal(pfds[i].fd, SIGKILL, NULL, 0) == 0) {
				left++;
				continue;
			}
			if (errno == EPERM)
				r = -EPERM;
			close(pfds[i].fd);
			pfds[i].fd = -1;
		}
		if (r == -EPERM) {
			for (size_t i = 0; i < n; i++)
				ht_closep(&pfds[i].fd);
			return ht_set_cause(ret_cause, -EPERM, "kill: EPERM");
		}
		while (left > 0) {
			int ms = ht_remaining_ms(deadline);

			if (ms == 0)
				break;
			r = poll(pfds, n, ms);
			if (r < 0 && errno != EINTR)
				break;
			for (size_t i = 0; r > 0 && i < n; i++)
				if (pfds[i].fd >= 0 && pfds[i].revents) {
					close(pfds[i].fd);
					pfds[i].fd = -1;
					left--;
				}
		}
		for (size_t i = 0; i < n; i++)
			ht_closep(&pfds[i].fd);
		sched_yield();
	}
}

int ht_cgroup_kill(int dfd, uint64_t deadline_ns, char **ret_cause)
{
	/*
	 * cgroup.kill (cgroup-v2.rst, 5.14) kills the whole subtree at once,
	 * forks included. v1 hierarchies and older kernels have no such file
	 * (ENOENT), and threaded groups refuse it (EOPNOTSUPP): those go to
	 * the loop.
	 */
	if (ht_write_file(dfd, "cgroup.kill", "1") == 0)
		return 0;
	return kill_procs(dfd, deadline_ns, ret_cause);
}

/* The "populated" key of cgroup.events text: 1, 0, or -EIO when it has none. */
static int events_populated(const char *events)
{
	const char *p = strstr(events, "populated ");

	if (!p)
		return -EIO;
	return p[10] != '0';
}

int ht_cgroup_populated(int dfd)
{
	_cleanup_free_ char *events = NULL;
	int r;

	r = ht_read_file(dfd, "cgroup.events", &events);
	if (r < 0)
		return r;
	return events_populated(events);
}

/*
 * kernfs signals every change of cgroup.events with POLLPRI|POLLERR
 * (cgroup-v2.rst, "cgroup.events"), so this is a poll(2) with a deadline,
 * never a sleep.
 */
int ht_cgroup_wait_unpopulated(int dfd, uint64_t deadline_ns, char **ret_cause)
{
	_cleanup_close_ int fd = -1;
	uint64_t t0 = ht_now_ns();

	fd = openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ht_set_cause(ret_cause, -errno, "open cgroup.events: %s",
				    ht_errno_name(errno));
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		char buf[256];
		ssize_t n;
		int ms, r;

		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return ht_set_cause(ret_cause, -errno, "read cgroup.events: %s",
					    ht_errno_name(errno));
		buf[n] = '\0';
		r = events_populated(buf);
		if (r < 0)
			return ht_set_cause(ret_cause, r, "cgroup.events has no populated key");
		if (r == 0)
			return 0;
		ms = ht_remaining_ms(deadline_ns);
		if (ms == 0)
			return ht_set_cause(ret_cause, -ETIMEDOUT,
					    "cgroup.events still says populated 1 after %llu s",
					    secs_since(t0));
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return ht_set_cause(ret_cause, -errno, "poll cgroup.events: %s",
					    ht_errno_name(errno));
	}
}
