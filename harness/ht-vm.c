// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM supervisor (see ht-vm.h): initramfs, qemu, frames, classification.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "ht-config-vm.h"
#include "ht-journal.h"
#include "ht-proc.h"
#include "ht-registry.h"
#include "ht-report.h"
#include "ht-util.h"
#include "ht-vm-frame.h"
#include "ht-vm-initramfs.h"
#include "ht-vm.h"

/* How much of the console a panic or a failed boot keeps. */
#define EXCERPT_LINES 40
/* Under KVM a guest prints within a second; silence this long means KVM is unusable. */
#define KVM_FIRST_OUTPUT_S 15.0

static const char *const class_names[HT_VM_CLASS_MAX] = {
	[HT_VM_RESULTS] = "RESULTS",
	[HT_VM_SPLAT] = "SPLAT",
	[HT_VM_KERNEL_PANIC] = "KERNEL_PANIC",
	[HT_VM_BOOT_TIMEOUT] = "BOOT_TIMEOUT",
	[HT_VM_HANG] = "HANG",
	[HT_VM_INFRA] = "INFRA",
	[HT_VM_INTERRUPTED] = "INTERRUPTED",
};

const char *ht_vm_class_name(enum ht_vm_class c)
{
	return (unsigned)c < HT_VM_CLASS_MAX ? class_names[c] : "UNKNOWN";
}

const char *ht_vm_qemu(void)
{
	const char *env = getenv("ISOLAB_QEMU");

	if (env && *env)
		return env;
	return *ISOLAB_QEMU ? ISOLAB_QEMU : NULL;
}

/* Set once a KVM boot failed in this process: later VMs go straight to TCG. */
static _Atomic bool kvm_broken;

static bool kvm_usable(void)
{
	_cleanup_close_ int fd = -1;

	if (kvm_broken)
		return false;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	return fd >= 0;
}

static void vlog(const struct ht_vm_opts *o, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vlog(const struct ht_vm_opts *o, const char *label, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	if (!o->log)
		return;
	va_start(ap, fmt);
	msg = ht_xvasprintf(fmt, ap);
	va_end(ap);
	/* One fprintf per line: VMs running in threads share the stream. */
	fprintf(o->log, "isolab vm: %s: %s\n", label, msg);
	fflush(o->log);
}

/* ---- what goes into the guest ---- */

static void add_path(char ***paths, size_t *n, const char *p)
{
	if (!p || *p != '/' || access(p, F_OK) < 0)
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*paths)[i], p) == 0)
			return;
	*paths = ht_xrealloc(*paths, (*n + 2) * sizeof(**paths));
	(*paths)[(*n)++] = ht_xstrdup(p);
	(*paths)[*n] = NULL;
}

/*
 * Host files the guest needs at their own paths: this isolab, the runtime
 * under test (its first word, when it is a file), the rootfs, the probe, the
 * suites' scripts, and the stock tools the suites run.
 */
/*
 * The libraries contain opens with dlopen(3) only when a verb needs them
 * (runtime/libcontain/ctr-dlopen.h): they are not in its DT_NEEDED, so the
 * ELF walk of the payload cannot find them. Locate each the way the
 * dynamic loader would, by loading it here (dlinfo(3), RTLD_DI_LINKMAP),
 * and ship it with its own dependencies. One missing here only costs the
 * guest that verb, so a failure is not an error.
 */
static void add_dlopen_libs(char ***paths, size_t *n)
{
	static const char *const sonames[] = {
		"libnftables.so.1",
		"libbpf.so.1",
		"libarchive.so.13",
		"libcrypto.so.3",
	};

	for (size_t i = 0; i < HT_ARRAY_SIZE(sonames); i++) {
		void *h = dlopen(sonames[i], RTLD_LAZY | RTLD_LOCAL);
		struct link_map *map = NULL;

		if (!h)
			continue;
		if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name[0] == '/')
			add_path(paths, n, map->l_name);
		dlclose(h);
	}
}

static char **payload_paths(const struct ht_vm_opts *o)
{
	static const char *const tools[] = {
		"/bin/sh",	   "/bin/true",		 "/bin/false",	     "/bin/ls",
		"/bin/cat",	   "/bin/echo",		 "/bin/grep",	     "/bin/mkdir",
		"/bin/rm",	   "/bin/sleep",	 "/bin/mount",	     "/bin/umount",
		"/bin/hostname",   "/usr/bin/env",	 "/usr/bin/id",	     "/usr/bin/timeout",
		"/usr/sbin/ip",	   "/usr/sbin/chroot",	 "/usr/bin/unshare", "/usr/bin/nsenter",
		"/usr/bin/strace", "/usr/bin/sha256sum", "/bin/cp",	     "/etc/passwd",
		"/etc/group",
	};
	_cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
	char **paths = NULL;
	size_t n = 0;

	add_path(&paths, &n, self);
	add_path(&paths, &n, ISOLAB_DEFAULT_RUNTIME);
	add_path(&paths, &n, ISOLAB_DEFAULT_PROBE);
	add_path(&paths, &n, ISOLAB_DEFAULT_ROOTFS);
	add_path(&paths, &n, o->rootfs);
	if (o->runtime_words) {
		_cleanup_free_ char *first = ht_xstrdup(o->runtime_words);

		first[strcspn(first, " \t")] = '\0';
		add_path(&paths, &n, first);
	}
	/* Scripts the suites run by their source path (e.g. shellout-runtime.sh). */
	add_path(&paths, &n, ISOLAB_SOURCE_ROOT "/suites/tracing/shellout-runtime.sh");
	for (size_t i = 0; i < HT_ARRAY_SIZE(tools); i++)
		add_path(&paths, &n, tools[i]);
	add_dlopen_libs(&paths, &n);
	return paths;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static double default_multiplier(const struct ht_vm_opts *o, bool kvm)
{
	if (o->timeout_multiplier > 0)
		return o->timeout_multiplier;
	return kvm ? 1.0 : 10.0;
}

static char *job_json(const struct ht_vm_opts *o, char *const *args, size_t n_args, bool kvm)
{
	_cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
	_cleanup_free_ char *jobs = ht_xasprintf("%u", o->guest_jobs ? o->guest_jobs : 1);
	_cleanup_free_ char *mult = ht_xasprintf("%g", default_multiplier(o, kvm));
	json_t *job = json_object(), *probe = json_array(), *run = json_array(),
	       *env = json_object();
	char *text;

	json_array_append_new(probe, json_string(self));
	json_array_append_new(probe, json_string("probe"));
	json_array_append_new(probe, json_string("--json"));
	json_array_append_new(run, json_string(self));
	json_array_append_new(run, json_string("run"));
	json_array_append_new(run, json_string("--stream-fd"));
	json_array_append_new(run, json_string("3"));
	json_array_append_new(run, json_string("-j"));
	json_array_append_new(run, json_string(jobs));
	for (size_t i = 0; i < n_args; i++)
		json_array_append_new(run, json_string(args[i]));
	json_object_set_new(env, "ISOLAB_TIMEOUT_MULTIPLIER", json_string(mult));
	/* The guest's output lands in the console log: plain lines, no colours. */
	json_object_set_new(env, "TERM", json_string("dumb"));
	json_object_set_new(env, "NO_COLOR", json_string("1"));
	if (o->runtime_words)
		json_object_set_new(env, "ISOLAB_RUNTIME", json_string(o->runtime_words));
	if (o->rootfs)
		json_object_set_new(env, "ISOLAB_ROOTFS", json_string(o->rootfs));
	json_object_set_new(job, "probe_argv", probe);
	json_object_set_new(job, "run_argv", run);
	json_object_set_new(job, "cwd", json_string("/"));
	json_object_set_new(job, "env", env);
	json_object_set_new(job, "heartbeat_ms", json_integer(500));
	json_object_set_new(job, "fault", o->fault ? json_string(o->fault) : json_null());
	text = json_dumps(job, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(job);
	if (!text)
		abort();
	return text;
}

static int build_initrd(const struct ht_vm_kernel *k, const struct ht_vm_opts *o, char *const *args,
			size_t n_args, bool kvm, const char *out, char **err)
{
	_cleanup_free_ char *base = NULL, *payload = NULL, *job = NULL;
	char **paths = payload_paths(o);
	struct ht_vm_file files[1];
	const char *parts[2];
	int r;

	r = ht_vm_initramfs_base(k, ISOLAB_VM_INIT, ht_vm_guest_modules, &base, err);
	if (r < 0)
		goto out;
	job = job_json(o, args, n_args, kvm);
	files[0] = (struct ht_vm_file){
		.path = "/etc/isolab/job.json", .data = job, .len = strlen(job), .mode = 0644
	};
	payload = ht_xasprintf("%s/payload.cpio", o->work_dir);
	r = ht_vm_initramfs_payload((const char *const *)paths, files, 1, payload, err);
	if (r < 0)
		goto out;
	parts[0] = base;
	parts[1] = payload;
	r = ht_vm_initramfs_concat(parts, 2, out, err);
	unlink(payload);
out:
	free_strv(paths);
	return r;
}

/* ---- qemu ---- */

struct attempt {
	bool kvm;
	bool pvh;
	pid_t pid;
	int pidfd;
	int listen_fd, conn_fd;
	uint64_t t_start, t_hello, t_first_result, t_last_frame, t_end;
	bool hello, done, splat, interrupted, boot_timeout, hang, killed;
	bool kvm_silent; /* KVM printed nothing at all: it does not work here */
	bool overrun;	 /* heartbeats, but the run outlived its total bound */
	int guest_exit;
	char *guest_error; /* DONE's "error": the init itself could not run the job */
	int qemu_status;   /* waitpid status */
	char *release;
	char *current_test;
	char *taint_text;
	char *probe_json;
	struct ht_vm_decoder dec;
	struct ht_run *run;
	const char *where;
	size_t n_results;
	char **finished; /* names of the tests that sent a result */
	size_t n_finished;
};

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static char *kernel_cmdline(const struct ht_vm_opts *o)
{
	/*
	 * quiet: every console byte costs under TCG. panic=-1 reboots at once,
	 * and -no-reboot turns that into a qemu exit. The stall and watchdog
	 * thresholds are raised because TCG runs a CPU 10-50 times slower than
	 * the kernel's defaults assume; cryptomgr.notests skips the crypto
	 * self-tests (about 1 s under TCG); no_timer_check skips the timer IRQ
	 * check that emulated APICs fail now and then.
	 */
	return ht_xasprintf("console=ttyS0 quiet panic=-1 oops=panic cryptomgr.notests "
			    "no_timer_check rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60 "
			    "hung_task_timeout_secs=600 random.trust_cpu=on%s%s",
			    o->append ? " " : "", o->append ? o->append : "");
}

static int start_qemu(struct attempt *a, const struct ht_vm_kernel *k, const struct ht_vm_opts *o,
		      const char *initrd, int journal_fd, char **err)
{
	const char *qemu = ht_vm_qemu();
	_cleanup_free_ char *machine = ht_xasprintf("q35,accel=%s", a->kvm ? "kvm" : "tcg");
	_cleanup_free_ char *smp = ht_xasprintf("%u", o->smp ? o->smp : 1);
	_cleanup_free_ char *mem = ht_xasprintf("%uM", o->mem_mb ? o->mem_mb : 1024);
	_cleanup_free_ char *serial = ht_xasprintf("file:%s/console.log", o->work_dir);
	_cleanup_free_ char *sock = ht_xasprintf("%s/results.sock", o->work_dir);
	_cleanup_free_ char *chardev = ht_xasprintf("socket,id=res,path=%s", sock);
	_cleanup_free_ char *port =
		ht_xasprintf("virtserialport,chardev=res,name=%s", HT_VM_PORT_NAME);
	_cleanup_free_ char *qlog = ht_xasprintf("%s/qemu.log", o->work_dir);
	_cleanup_free_ char *cmdline = kernel_cmdline(o);
	const char *argv[] = {
		qemu, "-machine", machine, "-cpu", "max", "-smp", smp, "-m", mem, "-nodefaults",
		"-no-user-config", "-no-reboot", "-display", "none", "-serial", serial, "-kernel",
		a->pvh ? k->vmlinux : k->bzimage, "-initrd", initrd, "-append", cmdline,
		/* Without pvpanic a guest panic exits qemu with 0, like a poweroff. */
		"-device", "pvpanic-pci", "-action", "panic=exit-failure", "-device",
		"virtio-serial-pci", "-chardev", chardev, "-device", port, NULL
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int go[2];
	unsigned long long starttime = 0;

	if (!qemu)
		return ht_set_cause(err, -ENOENT,
				    "qemu-system-x86_64 not found (install qemu-system-x86, or set "
				    "ISOLAB_QEMU)");
	if (strlen(sock) >= sizeof(sa.sun_path))
		return ht_set_cause(err, -ENAMETOOLONG, "socket path too long: %s", sock);
	strcpy(sa.sun_path, sock);
	unlink(sock);
	unlink(serial + 5);
	a->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->listen_fd < 0 || bind(a->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(a->listen_fd, 1) < 0)
		return ht_set_cause(err, -errno, "listen on %s", sock);
	if (pipe2(go, O_CLOEXEC) < 0)
		return ht_set_cause(err, -errno, "pipe");
	a->pid = fork();
	if (a->pid < 0) {
		close(go[0]);
		close(go[1]);
		return ht_set_cause(err, -errno, "fork");
	}
	if (a->pid == 0) {
		char c;
		int fd = open(qlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* Its own group, journaled by the parent; and it dies with us. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		if (nul >= 0)
			dup2(nul, STDIN_FILENO), dup2(nul, STDOUT_FILENO);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		/* Nothing of ours leaks into qemu, and it takes signals again. */
		ht_close_fds_except(NULL, 0);
		{
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		execv(qemu, (char *const *)argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", qemu, strerror(errno));
		_exit(127);
	}
	close(go[0]);
	setpgid(a->pid, a->pid);
	if (journal_fd >= 0) {
		_cleanup_free_ char *pg = ht_xasprintf("%d", (int)a->pid);
		_cleanup_free_ char *st = NULL;

		(void)ht_proc_starttime(a->pid, &starttime);
		st = ht_xasprintf("%llu", starttime);
		(void)ht_journal_append(journal_fd, "pgrp", pg, st, NULL);
	}
	a->pidfd = pidfd_open_(a->pid);
	a->t_start = ht_now_ns();
	if (a->pidfd < 0) {
		close(go[1]);
		return ht_set_cause(err, -errno, "pidfd_open(2) on qemu");
	}
	if (write(go[1], "g", 1) != 1) {
		close(go[1]);
		return ht_set_cause(err, -errno, "start qemu");
	}
	close(go[1]);
	return 0;
}

/* ---- frames ---- */

static bool was_finished(const struct attempt *a, const char *name)
{
	for (size_t i = 0; i < a->n_finished; i++)
		if (strcmp(a->finished[i], name) == 0)
			return true;
	return false;
}

static void on_frame(struct attempt *a, const struct ht_vm_opts *o, const char *label, uint8_t type,
		     const char *payload)
{
	json_t *obj = json_loads(payload, JSON_DECODE_ANY, NULL);
	const char *s;

	a->t_last_frame = ht_now_ns();
	switch (type) {
	case HT_VM_HELLO:
		a->hello = true;
		a->t_hello = a->t_last_frame;
		s = json_string_value(json_object_get(obj, "release"));
		free(a->release);
		a->release = s ? ht_xstrdup(s) : NULL;
		vlog(o, label, "booted %s in %.1f s (%s, %s)", s ? s : "?",
		     (double)(a->t_hello - a->t_start) / 1e9, a->kvm ? "kvm" : "tcg",
		     a->pvh ? "pvh" : "bzimage");
		break;
	case HT_VM_PROBE:
		free(a->probe_json);
		a->probe_json = ht_xstrdup(payload);
		break;
	case HT_VM_START:
		s = json_string_value(json_object_get(obj, "name"));
		free(a->current_test);
		a->current_test = s ? ht_xstrdup(s) : NULL;
		break;
	case HT_VM_RESULT: {
		struct ht_result *r = ht_result_load_json(a->run, obj, a->where);

		if (!r)
			break;
		if (!a->t_first_result)
			a->t_first_result = a->t_last_frame;
		a->n_results++;
		a->finished = ht_xrealloc(a->finished, (a->n_finished + 1) * sizeof(char *));
		a->finished[a->n_finished++] = ht_xstrdup(r->test->name);
		break;
	}
	case HT_VM_TAINT: {
		json_t *kmsg = json_object_get(obj, "kmsg"), *line;
		_cleanup_free_ char *buf = NULL;
		size_t len = 0, i;
		FILE *f = open_memstream(&buf, &len);

		a->splat = true;
		if (f) {
			fprintf(f, "tainted %lld -> %lld during %s\n",
				(long long)json_integer_value(json_object_get(obj, "before")),
				(long long)json_integer_value(json_object_get(obj, "after")),
				json_string_value(json_object_get(obj, "test")) ?: "(no test)");
			json_array_foreach(kmsg, i, line)
				fprintf(f, "%s\n", json_string_value(line) ?: "");
			fclose(f);
		}
		free(a->taint_text);
		a->taint_text = buf ? ht_xstrdup(buf) : NULL;
		vlog(o, label, "kernel taint: %s", a->taint_text ? a->taint_text : "?");
		/* The init checks after each result: the note goes on that test's. */
		s = json_string_value(json_object_get(obj, "test"));
		for (size_t k = a->run->n_results; s && a->taint_text && k-- > 0;)
			if (a->run->results[k].test &&
			    strcmp(a->run->results[k].test->name, s) == 0 &&
			    a->run->results[k].where &&
			    strcmp(a->run->results[k].where, a->where) == 0) {
				_cleanup_free_ char *m = ht_xasprintf(
					"kernel tainted during this test: %s", a->taint_text);

				ht_result_add_msg(&a->run->results[k], HT_WARN, m);
				break;
			}
		break;
	}
	case HT_VM_LOG:
		s = json_string_value(json_object_get(obj, "text"));
		vlog(o, label, "guest: %s", s ? s : payload);
		break;
	case HT_VM_DONE:
		a->done = true;
		a->guest_exit = (int)json_integer_value(json_object_get(obj, "exit"));
		s = json_string_value(json_object_get(obj, "error"));
		free(a->guest_error);
		a->guest_error = s ? ht_xstrdup(s) : NULL;
		break;
	default:
		break;
	}
	json_decref(obj);
}

static void read_frames(struct attempt *a, const struct ht_vm_opts *o, const char *label)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(a->conn_fd, buf, sizeof(buf));
		uint8_t type;
		char *payload;
		size_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				ht_closep(&a->conn_fd);
			return;
		}
		if (ht_vm_decoder_feed(&a->dec, buf, (size_t)n) < 0)
			return;
		while (ht_vm_decoder_next(&a->dec, &type, &payload, &len) > 0) {
			on_frame(a, o, label, type, payload);
			free(payload);
		}
	}
}

static void kill_qemu(struct attempt *a)
{
	if (a->pid > 0 && !a->killed)
		kill(-a->pid, SIGKILL), kill(a->pid, SIGKILL);
	a->killed = true;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : st.st_size;
}

/*
 * Run one attempt to its end: qemu exited (or was killed at a deadline,
 * or stopped by stop_fd).
 */
static uint64_t after(uint64_t t, double s)
{
	return t + (uint64_t)(s * 1e9);
}

/*
 * Run one attempt to its end: qemu exited, or was killed at a deadline or
 * by stop_fd. Deadlines: the boot bound until the init's hello; then the
 * hang bound since the last frame; and a total bound for the whole run,
 * since a guest init can keep beating while a test is stuck in the kernel.
 * Under KVM, a console still empty after KVM_FIRST_OUTPUT_S means KVM does
 * not work on this host (INFRA, retried under TCG).
 */
static void supervise(struct attempt *a, const struct ht_vm_opts *o, const char *label,
		      const char *console_path, double total_s)
{
	double boot_s = o->boot_timeout_s > 0 ? o->boot_timeout_s : (a->kvm ? 30.0 : 120.0);
	double hang_s = o->hang_timeout_s > 0 ? o->hang_timeout_s : 30.0;
	uint64_t boot_deadline = after(a->t_start, boot_s);
	uint64_t kvm_check = a->kvm ? after(a->t_start, KVM_FIRST_OUTPUT_S) : UINT64_MAX;
	uint64_t total_deadline = after(a->t_start, boot_s + total_s);

	for (;;) {
		struct pollfd p[3];
		size_t np = 0;
		uint64_t now = ht_now_ns(), deadline;
		int timeout;

		p[np++] = (struct pollfd){ .fd = a->pidfd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = a->conn_fd >= 0 ? a->conn_fd : a->listen_fd,
					   .events = POLLIN };
		/* Level-triggered and never read here: watch it until acted upon. */
		if (o->stop_fd >= 0 && !a->interrupted)
			p[np++] = (struct pollfd){ .fd = o->stop_fd, .events = POLLIN };
		deadline = a->hello ? after(a->t_last_frame, hang_s) : boot_deadline;
		if (total_deadline < deadline)
			deadline = total_deadline;
		if (!a->hello && kvm_check < deadline)
			deadline = kvm_check;
		/* Once killed, only qemu's exit is left to wait for. */
		timeout = a->killed	  ? -1 :
			  deadline <= now ? 0 :
					    (int)((deadline - now) / 1000000u) + 1;
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			kill_qemu(a);
			p[0].revents = POLLIN;
		}
		if (p[1].revents) {
			if (a->conn_fd < 0)
				a->conn_fd = accept4(a->listen_fd, NULL, NULL,
						     SOCK_CLOEXEC | SOCK_NONBLOCK);
			else
				read_frames(a, o, label);
		}
		if (np > 2 && p[2].revents) {
			a->interrupted = true;
			kill_qemu(a);
		}
		if (p[0].revents) {
			siginfo_t si = { 0 };

			if (a->conn_fd >= 0)
				read_frames(a, o, label);
			if (waitid(P_PIDFD, (id_t)a->pidfd, &si, WEXITED) == 0)
				a->qemu_status = si.si_code == CLD_EXITED ? si.si_status << 8 :
									    si.si_status & 0x7f;
			a->pid = 0;
			break;
		}
		now = ht_now_ns();
		if (a->killed)
			continue;
		if (!a->hello && now >= kvm_check && file_size(console_path) == 0) {
			a->kvm_silent = true;
			kill_qemu(a);
		} else if (!a->hello && now >= kvm_check) {
			kvm_check = UINT64_MAX;
		}
		if (a->killed)
			continue;
		if (now >= total_deadline && !a->done) {
			a->overrun = a->hang = true;
			kill_qemu(a);
		} else if (now >= deadline && !a->done && deadline != kvm_check) {
			if (a->hello)
				a->hang = true;
			else
				a->boot_timeout = true;
			kill_qemu(a);
		} else if (now >= deadline && a->done) {
			/* DONE came but no poweroff: still the results' verdict, kill it. */
			kill_qemu(a);
		}
	}
	a->t_end = ht_now_ns();
	ht_closep(&a->conn_fd);
	ht_closep(&a->listen_fd);
	ht_closep(&a->pidfd);
}

/* ---- classification ---- */

/*
 * A copy of n bytes of console text fit for a terminal and a report: ANSI
 * escape sequences (the guest's tools colour their output) are dropped, other
 * control bytes but tab and newline become '?'.
 */
static char *printable(const char *s, size_t n)
{
	char *out = ht_xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1b && i + 1 < n && s[i + 1] == '[') {
			/* CSI: parameters, then one final byte in 0x40-0x7e (ECMA-48 5.4). */
			for (i += 2;
			     i < n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e);
			     i++)
				;
			continue;
		}
		*o++ = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : (char)c;
	}
	*o = '\0';
	return out;
}

/* The last lines of the console up to and including the panic, or its tail. */
static char *console_excerpt(const char *console, const char *hit)
{
	const char *end = console + strlen(console), *start;
	unsigned lines = 0;

	if (hit) {
		/* Keep the panic line and what follows it (the reason, the stack). */
		const char *e = hit;

		for (unsigned k = 0; k < 6 && *e; k++)
			e = strchrnul(e, '\n') + (*strchrnul(e, '\n') ? 1 : 0);
		end = e;
	}
	start = end;
	while (start > console && lines <= EXCERPT_LINES) {
		start--;
		if (*start == '\n')
			lines++;
	}
	if (start > console)
		start++;
	return printable(start, (size_t)(end - start));
}

/*
 * The kernel's own panic line, as printk writes it after its time stamp
 * ("[    3.1] Kernel panic - not syncing: ..."). Tests print on the same
 * console and could imitate it, so it only explains a stop that the exit
 * status, a missing DONE or a deadline already marks as abnormal.
 */
static const char *kernel_panic_line(const char *console)
{
	const char *p = strstr(console, "] Kernel panic - not syncing");

	return p ? p + 2 : NULL;
}

static enum ht_vm_class classify(const struct attempt *a, const char *console, const char *qlog,
				 char **ret_detail, char **ret_excerpt)
{
	bool exited_ok = WIFEXITED(a->qemu_status) && WEXITSTATUS(a->qemu_status) == 0;
	/* -action panic=exit-failure: qemu exits 1 when pvpanic reports a panic. */
	bool pvpanic = WIFEXITED(a->qemu_status) && WEXITSTATUS(a->qemu_status) == 1 && a->hello;
	const char *panic = kernel_panic_line(console);

	*ret_detail = *ret_excerpt = NULL;
	if (a->interrupted) {
		*ret_detail = ht_xstrdup("stopped by a signal");
		return HT_VM_INTERRUPTED;
	}
	if (a->done && !pvpanic) {
		/*
		 * The guest's `isolab run` exits 0 or 1 when it ran its tests;
		 * anything else (usage, harness error, a binary missing in the
		 * guest) means the run never happened: not a verdict on the kernel.
		 */
		if (a->guest_error || (a->guest_exit != 0 && a->guest_exit != 1)) {
			*ret_detail = a->guest_error ?
					      ht_xasprintf("guest init: %s", a->guest_error) :
					      ht_xasprintf("the guest's isolab run exited %d (see "
							   "--keep's console.log)",
							   a->guest_exit);
			*ret_excerpt = console_excerpt(console, NULL);
			return HT_VM_INFRA;
		}
		if (a->splat) {
			*ret_detail = ht_xstrdup("the kernel tainted itself during the run");
			*ret_excerpt = a->taint_text ? ht_xstrdup(a->taint_text) : NULL;
			return HT_VM_SPLAT;
		}
		return HT_VM_RESULTS;
	}
	if (pvpanic || (panic && !a->hang && !a->boot_timeout)) {
		*ret_detail = panic ? strndup(panic, strcspn(panic, "\n")) :
				      ht_xstrdup("pvpanic: the guest reported a panic");
		*ret_excerpt = console_excerpt(console, panic ? panic : NULL);
		return HT_VM_KERNEL_PANIC;
	}
	if (a->hang) {
		*ret_detail = ht_xasprintf("%s%s%s",
					   a->overrun ? "the run outlived its total bound (the sum "
							"of its tests' deadlines)" :
							"no heartbeat for the hang bound",
					   a->current_test ? " during test " : "",
					   a->current_test ? a->current_test : "");
		*ret_excerpt = console_excerpt(console, NULL);
		return HT_VM_HANG;
	}
	if (a->boot_timeout) {
		*ret_detail = ht_xstrdup("the guest init never said hello");
		*ret_excerpt = console_excerpt(console, panic);
		return HT_VM_BOOT_TIMEOUT;
	}
	if (a->hello && exited_ok) {
		/*
		 * The init never powers off without DONE: the machine reset
		 * itself (a panic before pvpanic was loaded, a triple fault, a
		 * test that rebooted). A verdict on the kernel, not retried.
		 */
		*ret_detail = ht_xstrdup("the guest reset itself before its run finished");
		*ret_excerpt = console_excerpt(console, panic);
		return HT_VM_KERNEL_PANIC;
	}
	/* qemu failed on its own, or a KVM that prints nothing. */
	if (a->kvm_silent) {
		*ret_detail = ht_xasprintf("KVM: no console output in %.0f s", KVM_FIRST_OUTPUT_S);
	} else {
		size_t n = strcspn(qlog, "\n");

		*ret_detail = n ? ht_xasprintf("qemu: %.*s", (int)n, qlog) :
				  ht_xasprintf("qemu exited (status 0x%x) before the guest booted",
					       (unsigned)a->qemu_status);
	}
	return HT_VM_INFRA;
}

/* Close what an attempt holds; a qemu still running is killed and reaped. */
static void attempt_reset(struct attempt *a)
{
	if (a->pid > 0) {
		kill_qemu(a);
		waitpid(a->pid, NULL, 0);
	}
	ht_closep(&a->conn_fd);
	ht_closep(&a->listen_fd);
	ht_closep(&a->pidfd);
	free(a->release);
	free(a->current_test);
	free(a->taint_text);
	free(a->probe_json);
	free(a->guest_error);
	ht_vm_decoder_done(&a->dec);
	for (size_t i = 0; i < a->n_finished; i++)
		free(a->finished[i]);
	free(a->finished);
	*a = (struct attempt){ .pidfd = -1, .listen_fd = -1, .conn_fd = -1 };
}

/* ---- the whole run ---- */

/*
 * How long a whole run may take once booted: every planned test's own
 * deadline, scaled as the guest scales it, plus the probe and a margin.
 * Unknown (planned NULL): an hour.
 */
static double total_bound(const struct ht_vm_opts *o, const struct ht_test *const *planned,
			  size_t n_planned, bool kvm)
{
	double sum = 0;

	if (!planned || !n_planned)
		return 3600;
	for (size_t i = 0; i < n_planned; i++)
		sum += planned[i]->timeout_s ? planned[i]->timeout_s : 30;
	return (sum + 60) * default_multiplier(o, kvm) + 60;
}

/* An INFRA attempt is retried: keep its logs as console-N.log, qemu-N.log. */
static void keep_attempt_logs(const char *work_dir, unsigned attempt)
{
	static const char *const names[] = { "console", "qemu" };

	for (size_t i = 0; i < HT_ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *from = ht_xasprintf("%s/%s.log", work_dir, names[i]);
		_cleanup_free_ char *to = ht_xasprintf("%s/%s-%u.log", work_dir, names[i], attempt);

		(void)rename(from, to);
	}
}

static struct ht_result *add_vm_result(struct ht_run *run, const char *name, const char *where,
				       enum ht_outcome o, char *reason)
{
	struct ht_test *t = ht_xcalloc(1, sizeof(*t));
	struct ht_result *r;

	t->name = ht_xstrdup(name);
	t->area = HT_AREA_HARNESS;
	r = ht_run_add_result(run, ht_run_own_test(run, t));
	r->outcome = o;
	r->reason = reason;
	r->where = ht_xstrdup(where);
	return r;
}

int ht_vm_run(const struct ht_vm_kernel *k, const struct ht_vm_opts *o, char *const *args,
	      size_t n_args, const struct ht_test *const *planned, size_t n_planned,
	      struct ht_run *run, int journal_fd, char **err)
{
	_cleanup_free_ char *where = ht_xasprintf("vm:%s", k->label);
	_cleanup_free_ char *initrd = ht_xasprintf("%s/initrd.cpio", o->work_dir);
	_cleanup_free_ char *console_path = ht_xasprintf("%s/console.log", o->work_dir);
	_cleanup_free_ char *qlog_path = ht_xasprintf("%s/qemu.log", o->work_dir);
	bool want_kvm =
		o->accel == HT_VM_ACCEL_KVM || (o->accel == HT_VM_ACCEL_AUTO && kvm_usable());
	bool pvh = o->boot != HT_VM_BOOT_BZIMAGE && k->vmlinux;
	size_t first_result = run->n_results;
	enum ht_vm_class cls = HT_VM_INFRA;
	char *detail = NULL, *excerpt = NULL;
	struct attempt a = { .pidfd = -1, .listen_fd = -1, .conn_fd = -1 };
	struct ht_run_vm *v;
	double wall = 0, boot = -1, first = -1;
	unsigned attempts = 0;
	bool built_kvm = want_kvm;
	int r;

	if (o->boot == HT_VM_BOOT_PVH && !k->vmlinux)
		return ht_set_cause(err, -ENOEXEC,
				    "%s has no PVH entry point: boot it as a bzImage "
				    "(--boot bzimage or auto)",
				    k->label);
	if (!ht_vm_qemu())
		return ht_set_cause(err, -ENOENT,
				    "qemu-system-x86_64 not found (install qemu-system-x86, or "
				    "set ISOLAB_QEMU)");
	r = build_initrd(k, o, args, n_args, want_kvm, initrd, err);
	if (r < 0)
		return r;

	/* INFRA is retried once; a KVM that fails is replaced by TCG for that retry. */
	for (;;) {
		_cleanup_free_ char *console = NULL, *qlog = NULL;
		size_t keep = run->n_results;

		attempt_reset(&a);
		a.kvm = want_kvm;
		a.pvh = pvh;
		a.run = run;
		a.where = where;
		attempts++;
		if (want_kvm != built_kvm) {
			/* The job's deadline multiplier depends on the accelerator. */
			r = build_initrd(k, o, args, n_args, want_kvm, initrd, err);
			if (r < 0)
				goto fail;
			built_kvm = want_kvm;
		}
		r = start_qemu(&a, k, o, initrd, journal_fd, err);
		if (r < 0)
			goto fail;
		supervise(&a, o, k->label, console_path, total_bound(o, planned, n_planned, a.kvm));
		(void)ht_read_file(AT_FDCWD, console_path, &console);
		(void)ht_read_file(AT_FDCWD, qlog_path, &qlog);
		free(detail);
		free(excerpt);
		cls = classify(&a, console ? console : "", qlog ? qlog : "", &detail, &excerpt);
		wall += (double)(a.t_end - a.t_start) / 1e9;
		if (cls != HT_VM_INFRA || attempts >= 2)
			break;
		/* Drop what a failed attempt reported and try once more. */
		ht_run_truncate(run, keep);
		keep_attempt_logs(o->work_dir, attempts);
		vlog(o, k->label, "infrastructure error (%s); retrying%s", detail,
		     a.kvm && o->accel == HT_VM_ACCEL_AUTO ? " under TCG" : "");
		/* An explicit --accel kvm is kept: the user asked for it. */
		if (a.kvm && o->accel == HT_VM_ACCEL_AUTO) {
			kvm_broken = true;
			want_kvm = false;
		}
	}
	if (a.hello)
		boot = (double)(a.t_hello - a.t_start) / 1e9;
	if (a.t_first_result)
		first = (double)(a.t_first_result - a.t_start) / 1e9;

	/* Planned tests that never reported: they did not run, and say why. */
	for (size_t i = 0; i < n_planned; i++) {
		struct ht_result *res;

		if (was_finished(&a, planned[i]->name))
			continue;
		res = ht_run_add_result(run, planned[i]);
		res->outcome = HT_BROKEN;
		res->where = ht_xstrdup(where);
		if (cls == HT_VM_RESULTS || cls == HT_VM_SPLAT)
			res->reason =
				ht_xstrdup("not run: the guest's isolab run never reported it");
		else
			res->reason = ht_xasprintf("not run: the VM ended in %s%s%s",
						   ht_vm_class_name(cls), detail ? ": " : "",
						   detail ? detail : "");
	}
	if (o->verdict_result) {
		enum ht_outcome out = cls == HT_VM_RESULTS ? HT_PASS :
				      cls == HT_VM_SPLAT   ? HT_FAIL :
							     HT_BROKEN;
		struct ht_result *res = add_vm_result(
			run, "vm_run", where, out,
			cls == HT_VM_RESULTS ?
				NULL :
				ht_xasprintf("%s%s%s", ht_vm_class_name(cls), detail ? ": " : "",
					     detail ? detail : ""));

		res->duration_s = wall;
		if (excerpt)
			res->output = ht_xstrdup(excerpt);
	}
	v = ht_run_add_vm(run);
	v->where = ht_xstrdup(where);
	v->spec = ht_xstrdup(k->spec);
	v->release = ht_xstrdup(a.release ? a.release : k->release);
	v->package = k->package ? ht_xstrdup(k->package) : NULL;
	v->version = k->version ? ht_xstrdup(k->version) : NULL;
	v->sha256 = k->sha256 ? ht_xstrdup(k->sha256) : NULL;
	v->accel = ht_xstrdup(a.kvm ? "kvm" : "tcg");
	v->boot = ht_xstrdup(a.pvh ? "pvh" : "bzimage");
	v->classification = ht_xstrdup(ht_vm_class_name(cls));
	v->detail = detail;
	v->excerpt = excerpt;
	v->probe_json = a.probe_json ? ht_xstrdup(a.probe_json) : NULL;
	v->boot_s = boot;
	v->first_result_s = first;
	v->wall_s = wall;
	v->attempts = attempts;
	detail = excerpt = NULL;
	vlog(o, k->label, "%s: %zu results in %.1f s", ht_vm_class_name(cls),
	     run->n_results - first_result, wall);
	r = 0;
fail:
	free(detail);
	free(excerpt);
	attempt_reset(&a);
	unlink(initrd);
	return r;
}

/* Append n elements of size sz from src to *dst (count *n_dst); src may be NULL when n is 0. */
static void append(void *dst, size_t *n_dst, const void *src, size_t n, size_t sz)
{
	void **d = dst;

	if (n == 0)
		return;
	*d = ht_xrealloc(*d, (*n_dst + n) * sz);
	memcpy((char *)*d + *n_dst * sz, src, n * sz);
	*n_dst += n;
}

void ht_run_merge(struct ht_run *dst, struct ht_run *src)
{
	append(&dst->results, &dst->n_results, src->results, src->n_results, sizeof(*src->results));
	append(&dst->vms, &dst->n_vms, src->vms, src->n_vms, sizeof(*src->vms));
	append(&dst->own_tests, &dst->n_own_tests, src->own_tests, src->n_own_tests,
	       sizeof(*src->own_tests));
	free(src->results);
	free(src->vms);
	free(src->own_tests);
	src->results = NULL;
	src->vms = NULL;
	src->own_tests = NULL;
	src->n_results = src->n_vms = src->n_own_tests = 0;
}

/* Move src's fields into the slot dst, keeping what the host said as a message. */
static void take_result(struct ht_result *dst, struct ht_result *src, bool always)
{
	_cleanup_free_ char *host = NULL;

	if (!always && dst->outcome == HT_SKIP)
		host = ht_xasprintf("host: skipped (%s); %s %s instead",
				    dst->reason ? dst->reason : dst->skip_probe,
				    src->outcome == HT_BROKEN && src->reason &&
						    strncmp(src->reason, "not run", 7) == 0 ?
					    "tried in" :
					    "ran in",
				    src->where);
	ht_result_free_fields(dst);
	/* The slot keeps its descriptor (the host's); everything else moves. */
	src->test = dst->test;
	*dst = *src;
	memset(src, 0, sizeof(*src));
	if (host)
		ht_result_add_msg(dst, HT_WARN, host);
}

static void elsewhere_unavailable(const struct ht_vm_elsewhere *e, struct ht_run *run,
				  const size_t *idx, size_t n, const char *why)
{
	ht_run_add_fact(run, "vm", why);
	if (e->log)
		fprintf(e->log, "isolab run: --vm: %s\n", why);
	for (size_t i = 0; e->always && i < n; i++) {
		struct ht_result *r = &run->results[idx[i]];

		r->outcome = HT_BROKEN;
		free(r->reason);
		r->reason = ht_xasprintf("not run: --vm always, and %s", why);
	}
}

void ht_vm_elsewhere(void *ctx, struct ht_run *run, const size_t *idx, size_t n, int stop_fd)
{
	const struct ht_vm_elsewhere *e = ctx;
	_cleanup_free_ char *err = NULL, *why = NULL, *work = NULL;
	_cleanup_free_ const struct ht_test **planned = ht_xcalloc(n, sizeof(*planned));
	_cleanup_free_ char **args = ht_xcalloc(2 * n + 1, sizeof(char *));
	struct ht_vm_kernel k = { 0 };
	struct ht_vm_opts o = { .stop_fd = stop_fd,
				.log = e->log,
				.runtime_words = e->runtime_words,
				.rootfs = e->rootfs };
	struct ht_run sub;
	size_t n_args = 0;

	if (!ht_vm_qemu()) {
		elsewhere_unavailable(e, run, idx, n,
				      "unavailable: qemu-system-x86_64 not found (install "
				      "qemu-system-x86)");
		return;
	}
	if (ht_vm_kernel_parse(e->spec ? e->spec : "debian:6.1", NULL, &k, &err) < 0 ||
	    ht_vm_kernel_fetch(&k, e->log, &err) < 0) {
		why = ht_xasprintf("unavailable: kernel %s: %s", e->spec ? e->spec : "debian:6.1",
				   err ? err : "?");
		elsewhere_unavailable(e, run, idx, n, why);
		ht_vm_kernel_done(&k);
		return;
	}
	work = ht_xasprintf("%s/runs/%s/vm", ht_state_dir(), run->run_id);
	if (mkdir(work, 0700) < 0 && errno != EEXIST) {
		why = ht_xasprintf("unavailable: create %s: %s", work, strerror(errno));
		elsewhere_unavailable(e, run, idx, n, why);
		ht_vm_kernel_done(&k);
		return;
	}
	o.work_dir = work;
	/* Exactly these tests, by name; --selftest lets fixtures through too. */
	args[n_args++] = (char *)"--selftest";
	for (size_t i = 0; i < n; i++) {
		planned[i] = run->results[idx[i]].test;
		args[n_args++] = (char *)"-t";
		args[n_args++] = (char *)planned[i]->name;
	}
	if (e->log)
		fprintf(e->log, "isolab run: --vm: running %zu test%s in a fresh VM (%s)\n", n,
			n == 1 ? "" : "s", k.spec);
	ht_run_init(&sub, run->run_id);
	if (ht_vm_run(&k, &o, args, n_args, planned, n, &sub, e->journal_fd, &err) < 0) {
		why = ht_xasprintf("unavailable: %s", err ? err : "the VM could not start");
		elsewhere_unavailable(e, run, idx, n, why);
	} else if (!e->always && sub.n_vms && strcmp(sub.vms[0].classification, "INFRA") == 0) {
		/* qemu itself failed (twice): that says nothing about the tests. */
		why = ht_xasprintf("unavailable: the VM failed to run (INFRA: %s)",
				   sub.vms[0].detail ? sub.vms[0].detail : "?");
		elsewhere_unavailable(e, run, idx, n, why);
		append(&run->vms, &run->n_vms, sub.vms, sub.n_vms, sizeof(*sub.vms));
		free(sub.vms);
		sub.vms = NULL;
		sub.n_vms = 0;
	} else {
		for (size_t i = 0; i < n; i++)
			for (size_t k2 = 0; k2 < sub.n_results; k2++)
				if (sub.results[k2].test == planned[i] && sub.results[k2].where) {
					take_result(&run->results[idx[i]], &sub.results[k2],
						    e->always);
					break;
				}
		/* The VM record; the results were moved above, into the host's slots. */
		append(&run->vms, &run->n_vms, sub.vms, sub.n_vms, sizeof(*sub.vms));
		free(sub.vms);
		sub.vms = NULL;
		sub.n_vms = 0;
	}
	ht_run_done(&sub);
	ht_vm_kernel_done(&k);
}
