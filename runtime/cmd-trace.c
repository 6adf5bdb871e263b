// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain trace [--json] [--syscalls LIST] -- CMD [ARG...]
 * contain trace [--json] [--syscalls LIST] --pid PID
 *
 * Trace the namespace, mount and exec syscalls (and the exits) of CMD and
 * every process it starts, or of a running PID and its descendants, with the
 * eBPF tracer of trace/trace.bpf.c. CMD is forked first and waits on a pipe
 * until the tracer is attached and its pid is tracked, so its own execve(2)
 * is the first event. The output formats are in CONTRACT.md ("trace").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contain-cli.h"
#include "contain-trace-config.h"
#include "ctr-trace-format.h"
#include "ctr-util.h"
#if CONTAIN_HAVE_TRACE
#include "ctr-trace.h"
#endif

enum {
	OPT_JSON = OPT_LAST + 1,
	OPT_SYSCALLS,
	OPT_PID,
};

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "syscalls", required_argument, NULL, OPT_SYSCALLS },
	{ "pid", required_argument, NULL, OPT_PID },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("usage: contain trace [--json] [--syscalls LIST] -- CMD [ARG...]\n"
	       "       contain trace [--json] [--syscalls LIST] --pid PID\n"
	       "\n"
	       "Trace clone, clone3, unshare, setns, mount, umount2, pivot_root, chroot,\n"
	       "sethostname, execve and execveat, with their arguments and results, and the\n"
	       "exits of CMD and every process it starts (or of PID and its descendants),\n"
	       "with eBPF tracepoints. Events go to stdout, one per line; the count of events\n"
	       "and of lost events goes to stderr at the end.\n"
	       "\n"
	       "Options:\n"
	       "  --json            one JSON object per event, then a summary object\n"
	       "  --syscalls LIST   only these syscalls (comma list, e.g. clone3,mount)\n"
	       "  --pid PID         trace a running process until it exits (or SIGINT)\n"
	       "  -h, --help        show this help\n"
	       "\n"
	       "Exit status: CMD's own, 128+N if a signal N killed it (0 with --pid),\n"
	       "125 if contain failed, 126 if CMD cannot be executed, 127 if CMD was not\n"
	       "found.\n");
}

int cmd_trace_parse(int argc, char **argv, struct cli_trace_opts *opts, struct ctr_error *err)
{
	const char *syscalls = NULL;
	char *end;
	long pid;
	int c, r;

	*opts = (struct cli_trace_opts){ .syscall_mask = (1ULL << TRACE_SYS_COUNT) - 1 };
	optind = 0; /* full getopt reset: the unit tests parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			return CLI_HELP;
		case OPT_JSON:
			opts->json = true;
			break;
		case OPT_SYSCALLS:
			if (syscalls && strcmp(syscalls, optarg) != 0)
				return ctr_error_usage(err, "--syscalls given twice with different "
							    "values");
			syscalls = optarg;
			break;
		case OPT_PID:
			errno = 0;
			pid = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || pid <= 0 || pid > 0x3fffffff)
				return ctr_error_usage(err, "invalid value \"%s\" for --pid",
						       optarg);
			if (opts->pid && opts->pid != pid)
				return ctr_error_usage(err,
						       "--pid given twice with different values");
			opts->pid = (pid_t)pid;
			break;
		default:
			return cli_getopt_error(c, argv, options, err);
		}
	}
	if (syscalls) {
		r = ctr_trace_syscall_parse_list(syscalls, &opts->syscall_mask, err);
		if (r < 0)
			return r;
	}
	if (opts->pid) {
		if (optind < argc)
			return ctr_error_usage(err, "--pid takes no command");
		return CLI_PARSED;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return ctr_error_usage(err,
				       "unexpected argument \"%s\" (the command goes after --)",
				       argv[optind]);
	r = cli_check_separator(argc, argv, optind, err);
	if (r < 0)
		return r;
	opts->argv = argv + optind;
	return CLI_PARSED;
}

static int fail(struct ctr_error *err)
{
	ctr_error_prefix(err, "trace");
	return cli_fail("trace", err);
}

#if CONTAIN_HAVE_TRACE

struct printer {
	bool json;
	uint64_t events;
};

static int print_event(const struct ctr_trace_event *e, void *userdata)
{
	struct printer *p = userdata;

	if (p->json) {
		json_t *j = ctr_trace_event_json(e);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

		json_decref(j);
		if (!s)
			return -ENOMEM;
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	} else {
		char line[2048];

		ctr_trace_format_human(e, line, sizeof(line));
		fputs(line, stdout);
		fputc('\n', stdout);
	}
	p->events++;
	return ferror(stdout) ? -EIO : 0;
}

/*
 * Fork CMD, held on a pipe: it must not run before its pid is tracked. The
 * child stays in contain's namespaces; its exec failure comes back as an
 * errno over a close-on-exec pipe (EOF there means the exec worked).
 */
static int spawn_held(char **argv, const sigset_t *oldmask, pid_t *ret_pid, int *ret_go,
		      int *ret_exec_err, struct ctr_error *err)
{
	int go[2], exec_err[2];
	pid_t parent = getpid(), pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return ctr_error_errno(err, errno, "create pipe");
	if (pipe2(exec_err, O_CLOEXEC) < 0) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		return ctr_error_errno(err, e, "create pipe");
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		close(exec_err[0]);
		close(exec_err[1]);
		return ctr_error_errno(err, e, "fork");
	}
	if (pid == 0) {
		char c;
		int e;

		/* If contain dies, so does CMD (CONTRACT.md). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(CLI_EXIT_FAILED);
		close(go[1]);
		close(exec_err[0]);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		if (read(go[0], &c, 1) != 1)
			_exit(CLI_EXIT_FAILED);
		close(go[0]);
		execvp(argv[0], argv);
		e = errno;
		(void)!write(exec_err[1], &e, sizeof(e));
		_exit(e == ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXEC);
	}
	close(go[0]);
	close(exec_err[1]);
	*ret_pid = pid;
	*ret_go = go[1];
	*ret_exec_err = exec_err[0];
	return 0;
}

static int status_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int drain(struct ctr_tracer *t, struct ctr_error *err)
{
	int r = ctr_tracer_consume(t, err);

	fflush(stdout);
	return r;
}

/* Run until the child exits, forwarding signals; returns its exit code. */
static int follow_child(struct ctr_tracer *t, int sfd, pid_t *pid, int *ret_code,
			struct ctr_error *err)
{
	struct pollfd pfd[2] = {
		{ .fd = ctr_tracer_fd(t), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int r, status;

	for (;;) {
		/* The BPF side batches wakeups: drain at least this often. */
		if (poll(pfd, 2, CTR_TRACE_DRAIN_MS) < 0) {
			if (errno == EINTR)
				continue;
			return ctr_error_errno(err, errno, "poll");
		}
		/* On a timeout too: batched events do not make the fd readable. */
		r = drain(t, err);
		if (r < 0)
			return r;
		if (!pfd[1].revents)
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(*pid, (int)si.ssi_signo);
			continue;
		}
		r = waitpid(*pid, &status, WNOHANG);
		if (r < 0)
			return ctr_error_errno(err, errno, "wait for pid %d", (int)*pid);
		if (r == *pid) {
			*pid = -1;
			*ret_code = status_code(status);
			return 0;
		}
	}
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/*
 * Run until PID exits (its pidfd turns readable, pidfd_open(2)), or until
 * SIGINT/SIGTERM. Kernels before 5.3 have no pidfd: then /proc/PID is
 * checked between bounded waits.
 */
static int follow_pid(struct ctr_tracer *t, int sfd, pid_t pid, struct ctr_error *err)
{
	_cleanup_close_ int pidfd = pidfd_open_(pid);
	struct pollfd pfd[3] = {
		{ .fd = ctr_tracer_fd(t), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	char path[32];
	int r;

	if (pidfd < 0 && errno != ENOSYS)
		return ctr_error_errno(err, errno, "pidfd_open %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	for (;;) {
		r = poll(pfd, pidfd >= 0 ? 3 : 2, CTR_TRACE_DRAIN_MS);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ctr_error_errno(err, errno, "poll");
		}
		/* On a timeout too: batched events do not make the fd readable. */
		r = drain(t, err);
		if (r < 0)
			return r;
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD)
				return 0;
		}
		if (pidfd >= 0 ? pfd[2].revents != 0 : access(path, F_OK) < 0)
			return 0;
	}
}

static int report_summary(struct ctr_tracer *t, const struct printer *p, struct ctr_error *err)
{
	uint64_t lost = 0;
	int r = ctr_tracer_lost(t, &lost, err);

	if (r < 0)
		return r;
	if (p->json) {
		printf("{\"type\":\"summary\",\"events\":%llu,\"lost\":%llu}\n",
		       (unsigned long long)p->events, (unsigned long long)lost);
		fflush(stdout);
	}
	fprintf(stderr, "contain trace: %llu events, %llu lost\n", (unsigned long long)p->events,
		(unsigned long long)lost);
	return 0;
}

static int run(const struct cli_trace_opts *opts, int *ret_code, struct ctr_error *err)
{
	_cleanup_kill_ pid_t pid = -1;
	_cleanup_close_ int go = -1;
	_cleanup_close_ int exec_err = -1;
	_cleanup_close_ int sfd = -1;
	struct ctr_tracer *t = NULL;
	struct printer p = { .json = opts->json };
	sigset_t mask, oldmask;
	int exec_errno = 0, code = 0, r;

	if (opts->pid && kill(opts->pid, 0) < 0 && errno == ESRCH)
		return ctr_error_errno(err, ESRCH, "pid %d", (int)opts->pid);

	/* Signals for CMD are read from a signalfd and forwarded (CONTRACT.md). */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		r = ctr_error_errno(err, errno, "signalfd");
		goto out;
	}

	if (!opts->pid) {
		r = spawn_held(opts->argv, &oldmask, &pid, &go, &exec_err, err);
		if (r < 0)
			goto out;
	}
	r = ctr_tracer_new(opts->syscall_mask, print_event, &p, &t, err);
	if (r < 0)
		goto out;
	if (opts->pid) {
		r = ctr_tracer_track_tree(t, opts->pid, err);
		if (r < 0)
			goto out;
		r = follow_pid(t, sfd, opts->pid, err);
	} else {
		r = ctr_tracer_track(t, pid, err);
		if (r < 0)
			goto out;
		if (write(go, "g", 1) != 1) {
			r = ctr_error_errno(err, errno, "start the command");
			goto out;
		}
		if (read(exec_err, &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
			exec_errno = 0;
		r = follow_child(t, sfd, &pid, &code, err);
	}
	if (r < 0)
		goto out;
	/* Each event is committed before the task it belongs to can be reaped. */
	r = drain(t, err);
	if (r < 0)
		goto out;
	r = report_summary(t, &p, err);
	if (r < 0)
		goto out;
	if (exec_errno) {
		r = ctr_error_errno(err, exec_errno, "exec \"%s\"", opts->argv[0]);
		err->kind = CTR_ERROR_EXEC;
		goto out;
	}
	*ret_code = code;
out:
	ctr_tracer_free(t);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return r < 0 ? r : 0;
}

#endif

int cmd_trace(int argc, char **argv)
{
	struct cli_trace_opts opts;
	struct ctr_error err = { 0 };
	int r;

	r = cmd_trace_parse(argc, argv, &opts, &err);
	if (r < 0)
		return fail(&err);
	if (r == CLI_HELP) {
		usage();
		return 0;
	}
#if CONTAIN_HAVE_TRACE
	int code = 0;

	r = run(&opts, &code, &err);
	if (r < 0)
		return fail(&err);
	return code;
#else
	ctr_error_set(&err, ENOTSUP, "contain was built without eBPF tracing: %s",
		      CONTAIN_TRACE_MISSING);
	return fail(&err);
#endif
}
