// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Running commands from tests (see ht-proc.h), and where the runtime under
 * test, the rootfs and the probe binary are.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <wordexp.h>

#include "config.h"
#include "ht-proc.h"
#include "ht-util.h"
#include "isolab.h"

extern char **environ;

static void append(char **data, size_t *len, const char *p, size_t n)
{
	*data = ht_xrealloc(*data, *len + n + 1);
	memcpy(*data + *len, p, n);
	*len += n;
	(*data)[*len] = '\0';
}

/* Read what is available; returns 1 at EOF, 0 otherwise. */
static int drain(int fd, char **data, size_t *len)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n > 0) {
			append(data, len, chunk, (size_t)n);
			continue;
		}
		if (n == 0)
			return 1;
		return 0;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int ht_proc_start(struct ht_proc *p, const char *const *argv, const struct ht_proc_opts *o)
{
	static const struct ht_proc_opts none = { 0 };
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
	sigset_t old;
	pid_t pid;
	int r;

	if (!o)
		o = &none;
	memset(p, 0, sizeof(*p));
	p->w.fd = p->out_fd = p->err_fd = -1;
	p->exit_code = -1;
	p->argv0 = ht_xstrdup(argv[0]);
	p->out = ht_xstrdup("");
	p->err = ht_xstrdup("");
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	fflush(NULL);
	/* Stays blocked in this process: the exit handle may be a SIGCHLD signalfd. */
	ht_wait_block_sigchld(&old);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0) {
		sigset_t empty;

		/* Not `old`: a previous call may have left SIGCHLD blocked here. */
		sigemptyset(&empty);
		sigprocmask(SIG_SETMASK, &empty, NULL);
		setpgid(0, 0);
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (!o->keep_fds)
			ht_close_fds_except(NULL, 0);
		for (char *const *e = o->env_add; e && *e; e++)
			putenv(*e);
		execvp(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid);
	p->pid = pid;
	r = ht_wait_open(&p->w, pid);
	close_fd(&out[1]);
	close_fd(&err[1]);
	close_fd(&in[0]);
	if (o->stdin_data)
		(void)ht_write_all(in[1], o->stdin_data, strlen(o->stdin_data));
	close_fd(&in[1]);
	p->out_fd = out[0];
	p->err_fd = err[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	if (r < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		p->pid = 0;
		return r;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		close_fd(&out[i]);
		close_fd(&err[i]);
		close_fd(&in[i]);
	}
	return r;
}

int ht_proc_read_line(struct ht_proc *p, int timeout_ms, char **ret)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)timeout_ms * 1000000u;
	size_t consumed = 0;

	for (;;) {
		char *nl = p->out ? memchr(p->out + consumed, '\n', p->out_len - consumed) : NULL;
		struct pollfd pfd = { .fd = p->out_fd, .events = POLLIN };

		if (nl) {
			*ret = ht_xasprintf("%.*s", (int)(nl - p->out), p->out);
			/* Keep the rest for the next reader. */
			memmove(p->out, nl + 1, p->out_len - (size_t)(nl + 1 - p->out) + 1);
			p->out_len -= (size_t)(nl + 1 - p->out);
			return 0;
		}
		consumed = p->out_len;
		if (p->out_fd < 0)
			return -EPIPE;
		if (ht_remaining_ms(deadline) == 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, ht_remaining_ms(deadline)) < 0 && errno != EINTR)
			return -errno;
		if (drain(p->out_fd, &p->out, &p->out_len))
			close_fd(&p->out_fd);
	}
}

static void set_status(struct ht_proc *p, const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED) {
		p->exit_code = si->si_status;
		p->signal = 0;
	} else {
		p->signal = si->si_status;
		p->exit_code = 128 + si->si_status;
	}
}

int ht_proc_wait(struct ht_proc *p, int timeout_ms)
{
	uint64_t deadline =
		ht_now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 30000) * 1000000u;
	siginfo_t si = { 0 };
	int r;

	if (p->pid <= 0)
		return -ECHILD;
	for (;;) {
		struct pollfd pfds[3] = {
			{ .fd = p->w.fd, .events = POLLIN },
			{ .fd = p->out_fd, .events = POLLIN },
			{ .fd = p->err_fd, .events = POLLIN },
		};
		int ms = ht_remaining_ms(deadline);

		if (ms == 0) {
			p->timed_out = true;
			kill(-p->pid, SIGKILL);
			kill(p->pid, SIGKILL);
			deadline = UINT64_MAX;
		}
		if (poll(pfds, 3, deadline == UINT64_MAX ? -1 : ms) < 0 && errno != EINTR)
			return -errno;
		if (p->out_fd >= 0 && drain(p->out_fd, &p->out, &p->out_len))
			close_fd(&p->out_fd);
		if (p->err_fd >= 0 && drain(p->err_fd, &p->err, &p->err_len))
			close_fd(&p->err_fd);
		r = ht_wait_reap(&p->w, &si);
		if (r < 0)
			return r;
		if (r == 1)
			break;
	}
	set_status(p, &si);
	/*
	 * Output written just before exit is already in the pipes. Descendants
	 * that outlive the process may keep the pipes open, so do not wait for
	 * EOF: take what is there.
	 */
	if (p->out_fd >= 0)
		drain(p->out_fd, &p->out, &p->out_len);
	if (p->err_fd >= 0)
		drain(p->err_fd, &p->err, &p->err_len);
	close_fd(&p->out_fd);
	close_fd(&p->err_fd);
	ht_wait_close(&p->w);
	p->pid = 0;
	return 0;
}

int ht_proc_run(struct ht_proc *p, const char *const *argv, const struct ht_proc_opts *o)
{
	int r = ht_proc_start(p, argv, o);

	if (r < 0)
		return r;
	return ht_proc_wait(p, o ? o->timeout_ms : 0);
}

void ht_proc_kill(struct ht_proc *p)
{
	uint64_t deadline = ht_now_ns() + 5000ull * 1000000u;

	if (!p || p->pid <= 0)
		return;
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	/*
	 * The runtime's container may still be dying when the runtime is
	 * reaped; it holds our pipes, so EOF on both means it is gone too
	 * (pipe(7)). Otherwise the runner would find the test's tree alive.
	 */
	while ((p->out_fd >= 0 || p->err_fd >= 0) && ht_remaining_ms(deadline) > 0) {
		struct pollfd pfds[2] = {
			{ .fd = p->out_fd, .events = POLLIN },
			{ .fd = p->err_fd, .events = POLLIN },
		};

		if (poll(pfds, 2, ht_remaining_ms(deadline)) < 0 && errno != EINTR)
			break;
		if (p->out_fd >= 0 && drain(p->out_fd, &p->out, &p->out_len))
			close_fd(&p->out_fd);
		if (p->err_fd >= 0 && drain(p->err_fd, &p->err, &p->err_len))
			close_fd(&p->err_fd);
	}
	ht_proc_wait(p, 5000);
}

void ht_proc_free(struct ht_proc *p)
{
	if (!p)
		return;
	ht_proc_kill(p);
	close_fd(&p->out_fd);
	close_fd(&p->err_fd);
	ht_wait_close(&p->w);
	free(p->out);
	free(p->err);
	free(p->argv0);
	memset(p, 0, sizeof(*p));
	p->w.fd = p->out_fd = p->err_fd = -1;
}

/* ---- where things are ---- */

static char *runtime_words;
static char *rootfs_dir;

int ht_set_runtime(const char *words)
{
	wordexp_t we;

	/* Validate now, so a bad --runtime is a usage error, not N broken tests. */
	if (wordexp(words, &we, WRDE_NOCMD | WRDE_UNDEF) != 0)
		return -EINVAL;
	if (we.we_wordc == 0) {
		wordfree(&we);
		return -EINVAL;
	}
	wordfree(&we);
	free(runtime_words);
	runtime_words = ht_xstrdup(words);
	return 0;
}

const char *ht_runtime_words(void)
{
	const char *env = getenv("ISOLAB_RUNTIME");

	if (runtime_words)
		return runtime_words;
	if (env && *env)
		return env;
	return ISOLAB_DEFAULT_RUNTIME;
}

const char *ht_runtime_words_for_area(int area)
{
	const char *env = getenv("ISOLAB_RUNTIME");

	if (runtime_words || (env && *env) || area != HT_AREA_OCI)
		return ht_runtime_words();
	return ISOLAB_DEFAULT_RUNTIME " oci";
}

void ht_set_rootfs(const char *dir)
{
	free(rootfs_dir);
	rootfs_dir = ht_xstrdup(dir);
}

const char *ht_rootfs(void)
{
	const char *env = getenv("ISOLAB_ROOTFS");

	if (rootfs_dir)
		return rootfs_dir;
	if (env && *env)
		return env;
	return ISOLAB_DEFAULT_ROOTFS;
}

const char *ht_probe_host_path(void)
{
	const char *env = getenv("ISOLAB_PROBE");

	if (env && *env)
		return env;
	return ISOLAB_DEFAULT_PROBE;
}
