// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Process start, sync socket, error relay and signal forwarding: see
 * ctr-spawn.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr-mutant.h"
#include "ctr-namespace.h"
#include "ctr-spawn.h"
#include "ctr-util.h"

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void relay_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < CTR_ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(set, forwarded_signals[i]);
}

int ctr_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

/*
 * clone3(2) has no glibc wrapper in 2.36. Without CLONE_VM and without a
 * stack it behaves like fork(2): the child returns 0 here on a copy of our
 * stack.
 */
static pid_t do_clone(unsigned long flags)
{
	struct clone_args args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid >= 0 || errno != ENOSYS)
		return (pid_t)pid;
	/*
	 * Before Linux 5.3, or under valgrind: clone(2), whose low byte is
	 * the exit signal (so CLONE_NEWTIME cannot be passed; it never is).
	 */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

static int clone_error(struct ctr_error *err, int e, unsigned long flags)
{
	char names[128];

	ctr_error_errno(err, e, "clone with namespaces %s",
			ctr_namespace_format(flags, names, sizeof(names)));
	if (e == ENOSPC || e == EUSERS)
		return ctr_error_hint(err, "a namespace count limit was hit "
					   "(/proc/sys/user/max_*_namespaces), not a full disk");
	if (e == EINVAL)
		return ctr_error_hint(err, "this kernel may lack one of these namespace types");
	if (e == EPERM)
		return ctr_error_hint(err, "new namespaces other than user need CAP_SYS_ADMIN");
	return -e;
}

/* Only in the child: report err to the parent, then end this process. */
__attribute__((noreturn)) static void child_fail(int sock, const struct ctr_error *err)
{
	(void)!send(sock, err, sizeof(*err), MSG_NOSIGNAL);
	_exit(125);
}

__attribute__((noreturn)) static void child_main(struct ctr_spawn *sp, int child_sock,
						 ctr_spawn_child_fn fn, void *userdata)
{
	struct ctr_error err = { 0 };
	char go;
	ssize_t n;

	close(sp->sock);
	sp->sock = child_sock;
	sp->pid = -1;

	/* If contain dies, the command dies with it rather than linger. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		ctr_error_errno(&err, errno, "set parent-death signal");
		child_fail(sp->sock, &err);
	}
	do
		n = recv(sp->sock, &go, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125); /* the parent gave up; it reports why */

	fn(sp, userdata, &err);
	child_fail(sp->sock, &err);
}

int ctr_spawn_start(struct ctr_spawn *sp, unsigned long clone_flags, ctr_spawn_child_fn fn,
		    void *userdata, struct ctr_error *err)
{
	int socks[2] = { -1, -1 };
	struct sigaction chld;
	sigset_t set;
	pid_t pid;

	if (clone_flags & ~(unsigned long)(CTR_NS_ALL & ~CLONE_NEWTIME))
		return ctr_error_set(err, EINVAL,
				     "spawn: only CLONE_NEW* flags other than CLONE_NEWTIME are "
				     "accepted");

	/*
	 * With SIGCHLD ignored, the kernel reaps children itself and the
	 * exit status is lost (wait(2), NOTES); take the default for now.
	 */
	if (sigaction(SIGCHLD, NULL, &chld) == 0 && chld.sa_handler == SIG_IGN) {
		chld.sa_handler = SIG_DFL;
		if (sigaction(SIGCHLD, &chld, NULL) < 0)
			return ctr_error_errno(err, errno, "reset SIGCHLD");
		sp->chld_ignored = true;
	}

	/*
	 * Blocked before the clone so that none is lost in between; the
	 * parent reads them from a signalfd, the child unblocks them just
	 * before execve.
	 */
	relay_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, &sp->old_mask) < 0)
		return ctr_error_errno(err, errno, "block signals");
	sp->mask_saved = true;
	sp->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sp->sigfd < 0)
		return ctr_error_errno(err, errno, "signalfd");

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		return ctr_error_errno(err, errno, "create sync socket");
	sp->sock = socks[0];

	pid = do_clone(clone_flags);
	if (pid < 0) {
		int e = errno;

		close(socks[1]);
		return clone_error(err, e, clone_flags);
	}
	if (pid == 0)
		child_main(sp, socks[1], fn, userdata);

	close(socks[1]);
	sp->pid = pid;
	return 0;
}

static int reap(struct ctr_spawn *sp, int *ret_wstatus, int options)
{
	int ws = 0;
	pid_t r;

	do
		r = waitpid(sp->pid, &ws, options);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	sp->pid = -1;
	if (ret_wstatus)
		*ret_wstatus = ws;
	return 1;
}

int ctr_spawn_release(struct ctr_spawn *sp, struct ctr_error *err)
{
	struct ctr_error child_err;
	ssize_t n;

	/* EPIPE means the child is already gone: the read below says how. */
	if (send(sp->sock, "g", 1, MSG_NOSIGNAL) < 0 && errno != EPIPE)
		return ctr_error_errno(err, errno, "signal the child");
	do
		n = recv(sp->sock, &child_err, sizeof(child_err), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ctr_error_errno(err, errno, "read from the child");
	ctr_closep(&sp->sock);
	if (n == 0)
		return 0; /* execve closed the child's end */
	if ((size_t)n != sizeof(child_err))
		return ctr_error_set(err, EPROTO, "short message (%zd bytes) from the child", n);

	child_err.msg[sizeof(child_err.msg) - 1] = '\0';
	*err = child_err;
	if (err->err <= 0)
		err->err = EIO;
	/* The child _exit()s right after reporting; reap it so nothing is left. */
	reap(sp, NULL, 0);
	return -err->err;
}

int ctr_spawn_wait(struct ctr_spawn *sp, int *ret_status, struct ctr_error *err)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n;
		int ws, r;

		/* Checked first: the child may have ended before we got here. */
		r = reap(sp, &ws, WNOHANG);
		if (r < 0)
			return ctr_error_errno(err, r, "wait for the child");
		if (r > 0) {
			*ret_status = ctr_exit_status(ws);
			return 0;
		}

		n = read(sp->sigfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(si))
			return ctr_error_errno(err, n < 0 ? errno : EIO, "read signalfd");
		if (si.ssi_signo == SIGCHLD || si.ssi_code == SI_KERNEL)
			continue;
		if (kill(sp->pid, (int)si.ssi_signo) < 0 && errno != ESRCH)
			return ctr_error_errno(err, errno, "forward signal %u", si.ssi_signo);
	}
}

void ctr_spawn_destroy(struct ctr_spawn *sp)
{
	if (!sp)
		return;
	ctr_kill_and_reap(&sp->pid);
	ctr_closep(&sp->sock);
	ctr_closep(&sp->sigfd);
	if (sp->mask_saved) {
		sigprocmask(SIG_SETMASK, &sp->old_mask, NULL);
		sp->mask_saved = false;
	}
	if (sp->chld_ignored) {
		signal(SIGCHLD, SIG_IGN);
		sp->chld_ignored = false;
	}
}

/*
 * The command starts the way a process started by init would: no signal
 * blocked, every disposition the default, whatever the caller of the
 * runtime had (signal(7): both are inherited across execve).
 */
static void reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Set FD_CLOEXEC on every fd >= from; close_range(2) where it can, else /proc. */
static int cloexec_from(int from)
{
	DIR *d;
	struct dirent *e;

	if (syscall(SYS_close_range, (unsigned)from, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd < from || fd == dirfd(d))
			continue;
		if (fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) < 0) {
			int r = -errno;

			closedir(d);
			return r;
		}
	}
	closedir(d);
	return 0;
}

int ctr_spawn_exec(struct ctr_spawn *sp, char **argv, struct ctr_error *err)
{
	char c;
	int e, r;

	/*
	 * Changing credentials (setresuid in a user namespace) clears the
	 * parent-death signal (prctl(2)); set it again, then make sure the
	 * parent did not die in between: its end of the socket is open while
	 * it lives.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return ctr_error_errno(err, errno, "set parent-death signal");
	if (recv(sp->sock, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0)
		return ctr_error_set(err, ESRCH, "the parent exited during setup");

	ctr_closep(&sp->sigfd);
	reset_signals();
	/*
	 * Nothing the runtime inherited may reach the command: a leaked
	 * directory fd is a way out of the rootfs (CVE-2024-21626). Marking
	 * them close-on-exec, rather than closing them, keeps the sync socket
	 * usable to report a failed execve.
	 */
	r = cloexec_from(3);
	if (r < 0)
		return ctr_error_errno(err, -r, "mark inherited fds close-on-exec");
	if (ctr_mutant("fd-leaked"))
		fcntl(sp->sock, F_SETFD, 0);
	execvp(argv[0], argv);
	e = errno;

	ctr_error_errno(err, e, "exec \"%s\"", argv[0]);
	err->kind = CTR_ERROR_EXEC;
	if (e == ENOENT && strchr(argv[0], '/') && access(argv[0], F_OK) == 0)
		return ctr_error_hint(err, "the file exists, so its interpreter (the ELF loader or "
					   "the #! line) or a shared library is missing");
	if (e == EACCES)
		return ctr_error_hint(err, "the file is not executable, is not a regular file, or "
					   "is on a noexec mount");
	return -e;
}
