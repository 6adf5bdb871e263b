// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Child-exit handles (see ht-wait.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ht-wait.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

void ht_wait_block_sigchld(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, old);
}

int ht_wait_open(struct ht_wait *w, pid_t pid)
{
	sigset_t set;

	w->pid = pid;
	w->fd = pidfd_open(pid, 0);
	w->is_pidfd = w->fd >= 0;
	if (w->is_pidfd)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	w->fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return w->fd >= 0 ? 0 : -errno;
}

int ht_wait_reap(struct ht_wait *w, siginfo_t *ret)
{
	siginfo_t si;

	if (w->pid <= 0)
		return -ECHILD;
	if (!w->is_pidfd) {
		struct signalfd_siginfo ssi;

		/* Consume the wakeup; waitid below tells which child it was for. */
		while (read(w->fd, &ssi, sizeof(ssi)) == sizeof(ssi))
			;
	}
	memset(&si, 0, sizeof(si));
	if (w->is_pidfd) {
		if (waitid((idtype_t)P_PIDFD, (id_t)w->fd, &si, WEXITED | WNOHANG) < 0)
			return -errno;
	} else if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG) < 0) {
		return -errno;
	}
	if (si.si_pid == 0)
		return 0;
	*ret = si;
	w->pid = 0;
	return 1;
}

int ht_wait_block(struct ht_wait *w, siginfo_t *ret)
{
	for (;;) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		int r = ht_wait_reap(w, ret);

		if (r != 0)
			return r < 0 ? r : 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

void ht_wait_kill(struct ht_wait *w)
{
	if (w->pid <= 0)
		return;
	if (w->is_pidfd)
		pidfd_send_signal(w->fd, SIGKILL, NULL, 0);
	else
		kill(w->pid, SIGKILL);
}

void ht_wait_close(struct ht_wait *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
