// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab-init: the PID 1 of an `isolab vm` guest. It prepares the guest
 * (init-boot.c), says HELLO on the virtio-serial results port, reads the job
 * from /etc/isolab/job.json, runs `isolab probe` and `isolab run` from it,
 * and forwards what they report as frames (harness/ht-vm-frame.h) with a
 * heartbeat, then powers off. The host supervisor classifies the run from
 * the frames, the console log and qemu's exit status.
 *
 * PID 1 must never exit: the kernel panics when it does. Every failure is
 * logged and ends in a DONE frame and a poweroff instead. Running out of
 * memory aborts, which in PID 1 also ends in "Attempted to kill init": the
 * host sees a panic, which is what it is.
 *
 * job.json:
 *   probe_argv    array of strings, argv[0] an absolute path; optional
 *   run_argv      array of strings, argv[0] an absolute path; required. It
 *                 gets fd 3, the write end of the event stream (--stream-fd)
 *   cwd           absolute path for both; optional, "/" by default
 *   env           object of strings added to PATH and HOME; optional
 *   heartbeat_ms  integer, 50 to 60000; optional, 500 by default
 *   fault         null, "panic" or "hang"; optional
 * Other keys are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "ht-util.h"
#include "ht-vm-frame.h"
#include "init.h"

#define JOB_PATH     "/etc/isolab/job.json"
#define MODULES_PATH "/etc/isolab/modules"
#define PORT_WAIT_MS 10000
/* After a child exits, how long its pipe may stay open (held by a descendant). */
#define EOF_GRACE_MS 5000
#define KMSG_LINES   40
#define LOG_MAX	     65536
#define BASE_PATH    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum fault {
	FAULT_NONE,
	FAULT_PANIC,
	FAULT_HANG,
};

struct job {
	json_t *root;
	const char **probe_argv; /* NULL when the job has none */
	const char **run_argv;
	const char *cwd;
	char **envp;
	long heartbeat_ms;
	enum fault fault;
};

uint64_t init_uptime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void console_write(struct init *in, const char *line)
{
	_cleanup_free_ char *s = ht_xasprintf("isolab-init: %s\n", line);

	(void)ht_write_all(in->console, s, strlen(s));
}

static int send_raw(struct init *in, uint8_t type, const char *payload, size_t len)
{
	int r;

	if (in->port < 0)
		return -ENOTCONN;
	r = ht_vm_frame_write(in->port, type, payload, len);
	if (r == -EMSGSIZE || r == -ENOMEM) {
		_cleanup_free_ char *msg = ht_xasprintf("frame '%c' of %zu bytes not sent: %s",
							type, len, ht_errno_name(r));

		console_write(in, msg);
		return r;
	}
	/* Once only: the host has the console log and its own classification. */
	if (r < 0 && !in->port_failed) {
		_cleanup_free_ char *msg = ht_xasprintf("write frame '%c' to the results port: %s",
							type, ht_errno_name(r));

		console_write(in, msg);
		in->port_failed = true;
	}
	return r;
}

/*
 * Send obj (a reference this takes; NULL when building it failed) as one
 * compact JSON frame.
 */
static int send_json(struct init *in, uint8_t type, json_t *obj)
{
	/* The harness writes reals with 9 digits (ht-report-json.c): keep them as they came. */
	_cleanup_free_ char *s =
		obj ? json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;

	json_decref(obj);
	if (!s) {
		_cleanup_free_ char *msg = ht_xasprintf("encode frame '%c': failed", type);

		console_write(in, msg);
		return -ENOMEM;
	}
	return send_raw(in, type, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at p, as jansson checks it; 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string for text that may not be UTF-8 (a child's output, a kernel
 * message): json_string(3) refuses those, so each bad byte becomes '?'.
 */
static json_t *json_text(const char *text)
{
	_cleanup_free_ char *s = ht_xstrdup(text);

	for (unsigned char *p = (unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n)
			p += n;
		else
			*p++ = '?';
	}
	return json_string(s);
}

static void send_log(struct init *in, const char *text)
{
	_cleanup_free_ char *cut = NULL;
	size_t len = strlen(text);

	/* Whatever a child writes on the stream, a LOG frame stays far below HT_VM_FRAME_MAX. */
	if (len > LOG_MAX) {
		cut = ht_xasprintf("%.*s [%zu bytes cut]", LOG_MAX, text, len - LOG_MAX);
		text = cut;
	}
	send_json(in, HT_VM_LOG, json_pack("{s:o}", "text", json_text(text)));
}

void init_log(struct init *in, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = ht_xvasprintf(fmt, ap);
	va_end(ap);
	console_write(in, msg);
	if (in->port >= 0)
		send_log(in, msg);
	else if (in->n_early < HT_ARRAY_SIZE(in->early))
		in->early[in->n_early++] = TAKE_PTR(msg);
	else
		in->n_early_dropped++;
}

static void early_flush(struct init *in)
{
	for (size_t i = 0; i < in->n_early; i++) {
		send_log(in, in->early[i]);
		free(in->early[i]);
	}
	in->n_early = 0;
	if (in->n_early_dropped)
		init_log(in, "%lu earlier log lines not sent (see the console log)",
			 in->n_early_dropped);
}

static __attribute__((noreturn)) void poweroff(struct init *in)
{
	sync();
	reboot(RB_POWER_OFF);
	init_log(in, "reboot(RB_POWER_OFF): %s", ht_errno_name(errno));
	for (;;)
		pause();
}

static void send_done(struct init *in, int exit_code, int sig, const char *error)
{
	json_t *o = json_pack("{s:i}", "exit", exit_code);

	if (o && sig)
		json_object_set_new(o, "signal", json_integer(sig));
	if (o && error)
		json_object_set_new(o, "error", json_string(error));
	send_json(in, HT_VM_DONE, o);
}

/* A job the init cannot run: say why, as LOG and in DONE, and power off. */
static __attribute__((noreturn)) void fail_job(struct init *in, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = ht_xvasprintf(fmt, ap);
	va_end(ap);
	init_log(in, "%s", msg);
	send_done(in, 3, 0, msg);
	poweroff(in);
}

/* The kernel's taint mask (proc_sys_kernel(5) "tainted"), -1 when unreadable. */
static long tainted_read(void)
{
	_cleanup_free_ char *s = NULL;
	char *end;
	long v;

	if (ht_read_file(AT_FDCWD, "/proc/sys/kernel/tainted", &s) < 0)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || end == s ? -1 : v;
}

/*
 * The last KMSG_LINES kernel log records since the previous call, as
 * "[seconds.micros] text". One read(2) of /dev/kmsg returns one record
 * "prio,seq,usec,flags;text\n" followed by " KEY=value" lines; EPIPE means
 * records were overwritten before we read them, and the next read goes on
 * with the oldest one left (Documentation/ABI/testing/dev-kmsg).
 */
static json_t *kmsg_tail(struct init *in)
{
	char *ring[KMSG_LINES] = { 0 };
	size_t n = 0;
	json_t *a = json_array();

	while (in->kmsg >= 0) {
		char rec[8192];
		ssize_t len = read(in->kmsg, rec, sizeof(rec) - 1);
		unsigned long long usec = 0;
		char *text, *nl;

		if (len < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		*text++ = '\0';
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		(void)sscanf(rec, "%*u,%*u,%llu", &usec);
		free(ring[n % KMSG_LINES]);
		ring[n % KMSG_LINES] =
			ht_xasprintf("[%5llu.%06llu] %s", usec / 1000000, usec % 1000000, text);
		n++;
	}
	for (size_t i = n > KMSG_LINES ? n - KMSG_LINES : 0; i < n; i++) {
		if (a)
			json_array_append_new(a, json_text(ring[i % KMSG_LINES]));
		free(ring[i % KMSG_LINES]);
	}
	return a;
}

/*
 * Report a change of the taint mask since the last reading. test is the
 * test that just ended, or NULL for a change between tests (or at boot).
 */
static void taint_check(struct init *in, const char *test)
{
	long now = tainted_read();

	if (now < 0 || now == in->tainted)
		return;
	send_json(in, HT_VM_TAINT,
		  json_pack("{s:I, s:I, s:s?, s:o}", "before", (json_int_t)in->tainted, "after",
			    (json_int_t)now, "test", test, "kmsg", kmsg_tail(in)));
	in->tainted = now;
}

static void send_beat(struct init *in)
{
	send_json(in, HT_VM_BEAT, json_pack("{s:I}", "uptime_ms", (json_int_t)init_uptime_ms()));
}

static const char **argv_parse(json_t *arr)
{
	size_t n = json_array_size(arr);
	const char **argv;
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || n == 0)
		return NULL;
	/* posix_spawn(3) runs no PATH search: argv[0] is the file to run. */
	if (!json_is_string(json_array_get(arr, 0)) ||
	    json_string_value(json_array_get(arr, 0))[0] != '/')
		return NULL;
	argv = ht_xcalloc(n + 1, sizeof(*argv));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			free(argv);
			return NULL;
		}
		argv[i] = json_string_value(v);
	}
	return argv;
}

/* PATH and HOME, then the job's variables, which may replace them. */
static char **env_build(json_t *env)
{
	size_t n = 2, cap = 2 + json_object_size(env) + 1;
	char **envp = ht_xcalloc(cap, sizeof(*envp));
	const char *key;
	json_t *v;

	envp[0] = ht_xstrdup(BASE_PATH);
	envp[1] = ht_xstrdup("HOME=/root");
	json_object_foreach(env, key, v) {
		size_t klen = strlen(key), i;
		char *kv;

		if (!json_is_string(v) || klen == 0 || strchr(key, '=')) {
			for (i = 0; i < n; i++)
				free(envp[i]);
			free(envp);
			return NULL;
		}
		kv = ht_xasprintf("%s=%s", key, json_string_value(v));
		for (i = 0; i < n; i++)
			if (strncmp(envp[i], kv, klen + 1) == 0)
				break;
		if (i < n)
			free(envp[i]);
		else
			n++;
		envp[i] = kv;
	}
	return envp;
}

static void job_free(struct job *job)
{
	if (job->envp)
		for (char **e = job->envp; *e; e++)
			free(*e);
	free(job->envp);
	free(job->probe_argv);
	free(job->run_argv);
	json_decref(job->root);
	*job = (struct job){ 0 };
}

/* Returns 0, or -EINVAL with *ret_err set to a malloc'd reason. */
static int job_parse(struct job *job, char **ret_err)
{
	json_error_t jerr;
	json_t *v;
	const char *fault;

	*job = (struct job){ .cwd = "/", .heartbeat_ms = 500 };
	job->root = json_load_file(JOB_PATH, JSON_REJECT_DUPLICATES, &jerr);
	if (!job->root)
		return ht_set_cause(ret_err, -EINVAL, "read job %s: line %d: %s", JOB_PATH,
				    jerr.line, jerr.text);
	if (!json_is_object(job->root))
		return ht_set_cause(ret_err, -EINVAL, "job: not a JSON object");

	v = json_object_get(job->root, "probe_argv");
	if (v && !json_is_null(v) && !(job->probe_argv = argv_parse(v)))
		return ht_set_cause(ret_err, -EINVAL,
				    "job: probe_argv: not an array of strings starting with an "
				    "absolute path");
	job->run_argv = argv_parse(json_object_get(job->root, "run_argv"));
	if (!job->run_argv)
		return ht_set_cause(ret_err, -EINVAL,
				    "job: run_argv: missing, or not an array of strings starting "
				    "with an absolute path");

	v = json_object_get(job->root, "cwd");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_value(v)[0] != '/')
			return ht_set_cause(ret_err, -EINVAL, "job: cwd: not an absolute path");
		job->cwd = json_string_value(v);
	}

	v = json_object_get(job->root, "env");
	if (v && !json_is_null(v) && !json_is_object(v))
		return ht_set_cause(ret_err, -EINVAL, "job: env: not an object");
	job->envp = env_build(v);
	if (!job->envp)
		return ht_set_cause(ret_err, -EINVAL,
				    "job: env: a name is empty or holds '=', or a value is not a "
				    "string");

	v = json_object_get(job->root, "heartbeat_ms");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 50 ||
		    json_integer_value(v) > 60000)
			return ht_set_cause(ret_err, -EINVAL,
					    "job: heartbeat_ms: not an integer from 50 to 60000");
		job->heartbeat_ms = (long)json_integer_value(v);
	}

	v = json_object_get(job->root, "fault");
	fault = json_string_value(v);
	if (!v || json_is_null(v))
		job->fault = FAULT_NONE;
	else if (fault && strcmp(fault, "panic") == 0)
		job->fault = FAULT_PANIC;
	else if (fault && strcmp(fault, "hang") == 0)
		job->fault = FAULT_HANG;
	else
		return ht_set_cause(ret_err, -EINVAL,
				    "job: fault: not null, \"panic\" or \"hang\"");
	return 0;
}

/*
 * Start argv with stdin on /dev/null, stdout on out_fd (the console when
 * -1), stderr on the console and, when stream_fd >= 0, fd 3 on stream_fd.
 * Each child is a session leader, so that a kill(2) of "its" process group
 * never takes in PID 1's. Returns 0 or -errno.
 */
static int spawn(struct init *in, const struct job *job, const char **argv, int out_fd,
		 int stream_fd, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	struct stat st;
	int r;

	/* posix_spawn(3) folds a failed chdir into the exec error: check first. */
	if (stat(job->cwd, &st) < 0)
		return -errno;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd >= 0 ? out_fd : in->console, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, in->console, STDERR_FILENO);
	if (stream_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, stream_fd, 3);
	posix_spawn_file_actions_addchdir_np(&fa, job->cwd);
	/* SIGCHLD is blocked here for the signalfd; the child starts with nothing blocked. */
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
	/* posix_spawn(3) takes char *const[] for historical reasons; it writes nothing. */
	r = posix_spawn(ret_pid, argv[0], &fa, &at, (char *const *)argv, job->envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/*
 * PID 1 inherits every orphan in the guest: reap them all (waitpid(2) with
 * __WALL, for children whose exit signal is not SIGCHLD) and note the exit
 * of the one being supervised.
 */
static void reap(struct init *in)
{
	struct signalfd_siginfo si;

	while (read(in->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);

		if (pid <= 0)
			break;
		if (in->child && pid == in->child->pid) {
			in->child->status = status;
			in->child->exited = true;
		}
	}
}

typedef void (*on_data_fn)(struct init *in, void *data, const char *buf, size_t n);

/*
 * Run the main loop until child has exited and its pipe fd (closed here) is
 * at EOF, calling on_data with what the pipe delivers, and sending a BEAT
 * whenever the heartbeat timer fires. A descendant that keeps the pipe open
 * after the child exited gets EOF_GRACE_MS before the pipe is abandoned.
 */
static void supervise(struct init *in, struct init_child *child, int fd, on_data_fn on_data,
		      void *data)
{
	uint64_t grace = 0;

	in->child = child;
	reap(in); /* it may have exited already, before this loop existed */
	while (!child->exited || fd >= 0) {
		struct pollfd p[] = {
			{ .fd = in->sigfd, .events = POLLIN },
			{ .fd = in->beat, .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
		};
		int timeout = -1;

		if (child->exited && fd >= 0) {
			if (!grace)
				grace = ht_now_ns() + EOF_GRACE_MS * 1000000ull;
			timeout = ht_remaining_ms(grace);
			if (timeout == 0) {
				init_log(in,
					 "pid %d exited but its output pipe is still open %d ms "
					 "later: a descendant holds it; not waiting for it",
					 (int)child->pid, EOF_GRACE_MS);
				close(fd);
				fd = -1;
				break;
			}
		}
		if (poll(p, HT_ARRAY_SIZE(p), timeout) < 0) {
			if (errno == EINTR)
				continue;
			fail_job(in, "supervise pid %d: poll: %s", (int)child->pid,
				 ht_errno_name(errno));
		}
		if (p[0].revents)
			reap(in);
		if (p[1].revents) {
			uint64_t n;

			if (read(in->beat, &n, sizeof(n)) == sizeof(n))
				send_beat(in);
		}
		if (p[2].revents) {
			char buf[65536];
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n > 0) {
				on_data(in, data, buf, (size_t)n);
			} else {
				if (n < 0)
					init_log(in, "read from pid %d: %s", (int)child->pid,
						 ht_errno_name(errno));
				close(fd);
				fd = -1;
			}
		}
	}
	in->child = NULL;
}

struct buffer {
	char *p;
	size_t len, cap;
	bool truncated;
};

static void buffer_append(struct buffer *b, const char *s, size_t n, size_t max)
{
	if (b->len + n > max) {
		b->truncated = true;
		n = max - b->len;
	}
	if (b->len + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > b->cap)
			b->cap *= 2;
		b->p = ht_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void probe_data(struct init *in, void *data, const char *buf, size_t n)
{
	buffer_append(data, buf, n, HT_VM_FRAME_MAX);
}

static void child_status_log(struct init *in, const char *what, const struct init_child *c)
{
	if (WIFEXITED(c->status) && WEXITSTATUS(c->status) != 0)
		init_log(in, "%s: exited with %d", what, WEXITSTATUS(c->status));
	else if (WIFSIGNALED(c->status))
		init_log(in, "%s: killed by signal %d", what, WTERMSIG(c->status));
}

/* The probe's stdout is one JSON document, sent whole as PROBE. */
static void run_probe(struct init *in, const struct job *job)
{
	struct init_child child = { .pid = -1 };
	struct buffer out = { 0 };
	int pfd[2];
	json_error_t jerr;
	json_t *doc;
	int r;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		init_log(in, "probe: pipe: %s", ht_errno_name(errno));
		return;
	}
	r = spawn(in, job, job->probe_argv, pfd[1], -1, &child.pid);
	close(pfd[1]);
	if (r < 0) {
		init_log(in, "probe: spawn %s in %s: %s", job->probe_argv[0], job->cwd,
			 ht_errno_name(r));
		close(pfd[0]);
		return;
	}
	supervise(in, &child, pfd[0], probe_data, &out);
	child_status_log(in, "probe", &child);
	if (out.truncated) {
		init_log(in, "probe: output longer than %u bytes, not sent", HT_VM_FRAME_MAX);
	} else if (!(doc = json_loadb(out.p ? out.p : "", out.len, 0, &jerr))) {
		init_log(in, "probe: output is not a JSON document (%s at line %d), not sent",
			 jerr.text, jerr.line);
	} else {
		json_decref(doc);
		send_raw(in, HT_VM_PROBE, out.p, strlen(ht_strstrip(out.p)));
	}
	free(out.p);
}

struct run_state {
	struct buffer line;
	char *test; /* the test started last */
};

static void stream_line(struct init *in, struct run_state *rs, const char *line, size_t len)
{
	json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	const char *event = json_string_value(json_object_get(obj, "event"));
	const char *name = json_string_value(json_object_get(obj, "name"));
	json_t *result = json_object_get(obj, "result");

	if (event && strcmp(event, "start") == 0 && name) {
		/* A taint between two tests belongs to neither. */
		taint_check(in, NULL);
		free(rs->test);
		rs->test = ht_xstrdup(name);
		send_json(in, HT_VM_START, json_pack("{s:s}", "name", name));
	} else if (event && strcmp(event, "result") == 0 && json_is_object(result)) {
		const char *rname = json_string_value(json_object_get(result, "name"));

		send_json(in, HT_VM_RESULT, json_incref(result));
		taint_check(in, rname ? rname : rs->test);
	} else if (event && (strcmp(event, "begin") == 0 || strcmp(event, "end") == 0)) {
		/* Bookkeeping of the stream: DONE carries what the host needs. */
	} else if (len > 0) {
		/* Not an event this init knows: a newer harness, or a stray line. */
		send_log(in, line);
	}
	json_decref(obj);
}

static void run_data(struct init *in, void *data, const char *buf, size_t n)
{
	struct run_state *rs = data;
	const char *nl;

	while ((nl = memchr(buf, '\n', n))) {
		size_t k = (size_t)(nl - buf);

		buffer_append(&rs->line, buf, k, HT_VM_FRAME_MAX);
		stream_line(in, rs, rs->line.p ? rs->line.p : "", rs->line.len);
		rs->line.len = 0;
		rs->line.truncated = false;
		buf += k + 1;
		n -= k + 1;
	}
	buffer_append(&rs->line, buf, n, HT_VM_FRAME_MAX);
}

/* Runs the harness; returns its exit code for DONE. Does not return on a spawn failure. */
static int run_harness(struct init *in, const struct job *job, int *ret_sig)
{
	struct init_child child = { .pid = -1 };
	struct run_state rs = { 0 };
	int pfd[2], r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		fail_job(in, "run: pipe: %s", ht_errno_name(errno));
	r = spawn(in, job, job->run_argv, -1, pfd[1], &child.pid);
	close(pfd[1]);
	if (r < 0)
		fail_job(in, "run: spawn %s in %s: %s", job->run_argv[0], job->cwd,
			 ht_errno_name(r));
	supervise(in, &child, pfd[0], run_data, &rs);
	if (rs.line.len)
		stream_line(in, &rs, rs.line.p, rs.line.len);
	taint_check(in, NULL);
	free(rs.line.p);
	free(rs.test);
	child_status_log(in, "run", &child);
	*ret_sig = 0;
	if (WIFSIGNALED(child.status)) {
		*ret_sig = WTERMSIG(child.status);
		return 128 + *ret_sig;
	}
	return WEXITSTATUS(child.status);
}

/* A real kernel panic, through the sysrq 'c' crash (sysrq.rst). */
static __attribute__((noreturn)) void fault_panic(struct init *in)
{
	int r = ht_write_file(AT_FDCWD, "/proc/sys/kernel/sysrq", "1");

	if (r == 0)
		r = ht_write_file(AT_FDCWD, "/proc/sysrq-trigger", "c");
	fail_job(in, "fault panic: sysrq crash did not happen: %s", ht_errno_name(r));
}

/* Silence on the port with the guest still alive: the host must call it a hang. */
static __attribute__((noreturn)) void fault_hang(struct init *in)
{
	struct pollfd p = { .fd = in->sigfd, .events = POLLIN };

	for (;;)
		if (poll(&p, 1, -1) > 0)
			reap(in);
}

static void send_hello(struct init *in)
{
	struct utsname u;

	if (uname(&u) < 0)
		strcpy(u.release, "unknown");
	send_json(in, HT_VM_HELLO,
		  json_pack("{s:s, s:I, s:s}", "release", u.release, "boot_ms",
			    (json_int_t)in->boot_ms, "init", INIT_NAME));
}

static void beat_start(struct init *in, long ms)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 },
	};

	its.it_value = its.it_interval;
	in->beat = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (in->beat < 0 || timerfd_settime(in->beat, 0, &its, NULL) < 0)
		init_log(in, "heartbeat timer: %s (no BEAT frames will be sent)",
			 ht_errno_name(errno));
}

static bool is_fresh_guest(void)
{
	struct statfs fs;

	if (getpid() != 1 || statfs("/", &fs) < 0)
		return false;
	if (fs.f_type != RAMFS_MAGIC && fs.f_type != TMPFS_MAGIC)
		return false;
	return access("/proc/self", F_OK) < 0;
}

int main(void)
{
	struct init in = { .console = STDERR_FILENO, .port = -1, .kmsg = -1, .beat = -1 };
	_cleanup_free_ char *err = NULL;
	struct job job;
	sigset_t mask;
	int code, sig;

	in.boot_ms = init_uptime_ms();
	/*
	 * This mounts over /, /proc, /dev...: never on a host. Being PID 1 is
	 * not enough (unshare --pid --fork makes anyone PID 1): the root must
	 * also be the initramfs (ramfs or tmpfs, statfs(2)) and /proc not
	 * mounted yet.
	 */
	if (!is_fresh_guest()) {
		fprintf(stderr, "isolab-init: the PID 1 of an isolab vm guest's initramfs; "
				"refusing to start anywhere else\n");
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	init_root_make_pivotable(&in);
	init_mount_api(&in);
	init_stdio(&in);
	in.kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (in.kmsg < 0 || lseek(in.kmsg, 0, SEEK_END) < 0)
		init_log(&in, "open /dev/kmsg: %s (TAINT frames carry no log)",
			 ht_errno_name(errno));
	/* A fresh kernel is untainted: a taint from before the job is reported too. */
	in.tainted = 0;
	in.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (in.sigfd < 0) {
		init_log(&in, "signalfd: %s", ht_errno_name(errno));
		poweroff(&in);
	}
	init_hostname_and_lo(&in);
	init_cgroup_enable(&in);
	init_modules_load(&in, MODULES_PATH);

	in.port = init_port_open(&in, PORT_WAIT_MS);
	if (in.port < 0) {
		int r = in.port;

		in.port = -1;
		init_log(&in, "no virtio-serial port named %s after %d ms: %s; powering off",
			 HT_VM_PORT_NAME, PORT_WAIT_MS, ht_errno_name(r));
		poweroff(&in);
	}
	send_hello(&in);
	early_flush(&in);
	taint_check(&in, NULL);

	if (job_parse(&job, &err) < 0)
		fail_job(&in, "%s", err);
	if (job.fault == FAULT_PANIC)
		fault_panic(&in);
	beat_start(&in, job.heartbeat_ms);
	send_beat(&in);
	if (job.fault == FAULT_HANG)
		fault_hang(&in);

	/*
	 * The suites first: the first result then arrives about a second
	 * sooner under TCG, and the probe's verdicts do not depend on them
	 * (each probe works in a throwaway child of its own).
	 */
	code = run_harness(&in, &job, &sig);
	if (job.probe_argv)
		run_probe(&in, &job);
	send_done(&in, code, sig, NULL);
	job_free(&job);
	poweroff(&in);
}
