// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the tracer leaves out (lesson 10): processes that are not the traced
 * command's descendants, even while they make the very syscalls it traces;
 * and, with --syscalls, the syscalls not asked for.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "trace.h"

/* Iterations of the unrelated process that must happen while the tracer is attached. */
#define NOISE_IN_WINDOW 20
#define NOISE_MAX	100000

/*
 * The unrelated process: each round makes a UTS namespace of its own (so its
 * sethostname touches nothing else), names it `marker`, and forks a child
 * that tries to execute a path containing `marker`: unshare, sethostname,
 * clone and execve, all traced syscalls. One byte per round goes to wfd.
 * It stops at its deadline, after NOISE_MAX rounds, when the test dies
 * (PR_SET_PDEATHSIG) or when the test closes the pipe (SIGPIPE).
 */
static __attribute__((noreturn)) void noise_loop(const char *marker, int wfd, uint64_t deadline)
{
	char path[64];
	char *const argv[] = { path, NULL };

	snprintf(path, sizeof(path), "/nonexistent-%s", marker);

	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, marker);
	for (int i = 0; i < NOISE_MAX && ht_now_ns() < deadline; i++) {
		pid_t pid;

		if (unshare(CLONE_NEWUTS) < 0 || sethostname(marker, strlen(marker)) < 0)
			_exit(2);
		pid = fork();
		if (pid == 0) {
			execve(path, argv, argv + 1);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) < 0)
			_exit(3);
		if (write(wfd, "x", 1) < 0 && errno != EAGAIN)
			_exit(4);
	}
	_exit(0);
}

/* Wait until fd is readable, or the tracer (w) has exited, or the deadline. */
static bool wait_readable(struct ht_ctx *t, int fd, struct ht_proc *tracer, int ms)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
				 { .fd = tracer->w.fd, .events = POLLIN } };
	int r = poll(pfd, 2, ht_timeout_ms(t, ms));

	if (r < 0 && errno != EINTR)
		ht_broken(t, "poll: %s", strerror(errno));
	return r > 0 && (pfd[0].revents & POLLIN);
}

/*
 * Events of a process outside the traced tree are excluded, even when it
 * makes traced syscalls (unshare, sethostname, clone, execve) throughout
 * the trace.
 */
static void trace_excludes_unrelated_processes(struct ht_ctx *t)
{
	_cleanup_free_ char *inside = NULL, *ready = NULL, *go = NULL, *set_inside = NULL;
	_cleanup_close_ int ready_fd = -1, go_fd = -1;
	int noise[2] = { -1, -1 };
	struct targv cmd = { 0 };
	struct trace_out out;
	size_t i, got = 0, bad = 0;
	bool traced_own = false;
	pid_t noise_pid, unrelated;
	char marker[16], buf[256];
	json_t *ev;

	/*
	 * Forked before this test allocates anything: the unrelated process and
	 * its children end with _exit(2), and under valgrind a heap block they
	 * inherited but cannot reach would count as a leak.
	 */
	snprintf(marker, sizeof(marker), "htn%.12s", ht_nonce(t));
	HT_SETUP(t, pipe2(noise, O_CLOEXEC));
	HT_SETUP(t, fcntl(noise[0], F_SETFL, O_NONBLOCK));
	HT_SETUP(t, fcntl(noise[1], F_SETFL, O_NONBLOCK));
	noise_pid = HT_SETUP(t, fork());
	if (noise_pid == 0) {
		close(noise[0]);
		noise_loop(marker, noise[1],
			   ht_now_ns() + (uint64_t)ht_timeout_ms(t, 60000) * 1000000u);
	}
	close(noise[1]);
	unrelated = noise_pid;
	inside = ht_xasprintf("in%.12s", ht_nonce(t));
	ready = ht_xasprintf("%s/ready", ht_scratch_dir(t));
	go = ht_xasprintf("%s/go", ht_scratch_dir(t));
	set_inside = ht_xasprintf("hostname %s", inside);

	/*
	 * The traced command says it has started (so the tracer is attached),
	 * then waits for "go" while the unrelated process keeps going.
	 */
	HT_SETUP(t, mkfifo(ready, 0600));
	HT_SETUP(t, mkfifo(go, 0600));
	ready_fd = HT_SETUP(t, open(ready, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	/* O_RDWR on a FIFO never blocks (fifo(7)); the shell's read waits for our write. */
	go_fd = HT_SETUP(t, open(go, O_RDWR | O_CLOEXEC));
	targv_add_list(&cmd, HT_ARGS("/bin/sh", "-c",
				     "echo r >\"$0\" && read g <\"$1\" && shift && exec \"$@\"",
				     ready, go));
	targv_add_runtime(t, &cmd);
	targv_add_list(&cmd, HT_ARGS("ns", "uts", "--", "/bin/sh", "-c", set_inside));
	trace_start(t, &out, NULL, cmd.v);
	targv_free(&cmd);

	if (!wait_readable(t, ready_fd, &out.p, 20000)) {
		/* The tracer's failure is the finding; trace_finish reports it. */
		ht_proc_kill(&out.p);
		trace_finish(t, &out);
		ht_fail(t, "the traced command did not start (tracer exit %d)", out.p.exit_code);
		goto out;
	}
	while (read(noise[0], buf, sizeof(buf)) > 0)
		;
	while (got < NOISE_IN_WINDOW && wait_readable(t, noise[0], &out.p, 20000)) {
		ssize_t n = read(noise[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	HT_SETUP(t, ht_write_all(go_fd, "g\n", 2));
	trace_finish(t, &out);
	kill(noise_pid, SIGKILL);
	waitpid(noise_pid, NULL, 0);
	noise_pid = -1;
	if (got < NOISE_IN_WINDOW)
		ht_broken(t, "the unrelated process made %zu rounds while traced, want %d", got,
			  NOISE_IN_WINDOW);

	HT_EXPECT_EXIT(t, &out.p, 0);
	trace_expect_no_loss(t, &out);
	json_array_foreach(out.events, i, ev) {
		const char *comm = ev_str(ev, "comm"), *f = ev_arg(ev, "filename");
		const char *name = ev_arg(ev, "name");

		if (ev_is(ev, "sethostname") && name && strcmp(name, inside) == 0)
			traced_own = true;
		if (ev_int(ev, "pid", -1) == unrelated || ev_int(ev, "ppid", -1) == unrelated ||
		    (comm && strcmp(comm, marker) == 0) || (f && strstr(f, marker)) ||
		    (name && strcmp(name, marker) == 0)) {
			if (bad++ < 3)
				ht_fail(t, "event of the unrelated process (pid %d): %s %s",
					unrelated,
					ev_str(ev, "syscall") ? ev_str(ev, "syscall") : "exit",
					comm ? comm : "");
		}
	}
	HT_EXPECT_EQ(t, bad, 0);
	/* It does report sethostname: the absence above is filtering, not blindness. */
	if (!traced_own)
		ht_fail(t, "the trace misses the traced command's sethostname(\"%s\")", inside);
out:
	if (noise_pid > 0) {
		kill(noise_pid, SIGKILL);
		waitpid(noise_pid, NULL, 0);
	}
	close(noise[0]);
	trace_out_free(&out);
}
HT_TEST(trace_excludes_unrelated_processes, TRACE_AREA, .timeout_s = 40,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf", "ns.uts"));

/* --syscalls LIST reports the listed syscalls only, all of them. */
static void trace_syscalls_option_filters(struct ht_ctx *t)
{
	_cleanup_free_ char *script = ht_xasprintf("hostname f%.12s; /bin/true", ht_nonce(t));
	struct targv cmd = { 0 };
	struct trace_out out;
	size_t i, names = 0;
	json_t *ev;

	targv_add_runtime(t, &cmd);
	targv_add_list(&cmd, HT_ARGS("ns", "uts", "--", "/bin/sh", "-c", script));
	trace_run(t, &out, HT_ARGS("--syscalls", "sethostname"), cmd.v);
	targv_free(&cmd);
	HT_EXPECT_EXIT(t, &out.p, 0);
	trace_expect_no_loss(t, &out);
	json_array_foreach(out.events, i, ev) {
		const char *sc = ev_str(ev, "syscall");

		if (!sc)
			continue;
		if (strcmp(sc, "sethostname") == 0)
			names++;
		else
			ht_fail(t, "--syscalls sethostname reported %s", sc);
	}
	HT_EXPECT_EQ(t, names, 1);
	trace_out_free(&out);
}
HT_TEST(trace_syscalls_option_filters, TRACE_AREA, .timeout_s = 20,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf", "ns.uts"));
