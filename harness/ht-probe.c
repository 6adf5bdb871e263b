// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The probe registry and its runner: which probes exist (in display order),
 * the per-process cache behind ht_probe_get(), and the throwaway child each
 * probe runs in. The child gets its own process group and a deadline held
 * through a pidfd; it sends its result back over a pipe, so a probe that
 * hangs or crashes costs an "unknown" verdict, never the caller.
 *
 * Also here: the helpers the probe files share, the vm.qemu and vm.kvm
 * probes, and the lesson readiness table of `isolab probe`.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "config.h"
#include "ht-config-vm.h"
#include "ht-journal.h"
#include "ht-probe-internal.h"
#include "ht-probe.h"
#include "ht-util.h"

#if defined(HAVE_ZLIB) && HAVE_ZLIB
#include <zlib.h>
#endif

#define PROBE_TIMEOUT_MS 10000u

static void vm_qemu(struct ht_probe_result *r);
static void vm_kvm(struct ht_probe_result *r);

static const struct ht_probe_desc probes[] = {
	{ "ns.pid", "PID namespace", ht_probe_ns_pid },
	{ "ns.mnt", "mount namespace", ht_probe_ns_mnt },
	{ "ns.uts", "UTS namespace", ht_probe_ns_uts },
	{ "ns.ipc", "IPC namespace", ht_probe_ns_ipc },
	{ "ns.user", "user namespace", ht_probe_ns_user },
	{ "ns.cgroup", "cgroup namespace", ht_probe_ns_cgroup },
	{ "ns.time", "time namespace", ht_probe_ns_time },
	{ "ns.net", "network namespace", ht_probe_ns_net },
	{ "userns.map", "user namespace with a uid/gid map", ht_probe_userns_map },
	{ "cgroup2.mount", "cgroup v2 hierarchy", ht_probe_cgroup2_mount },
	{ "cgroup2.memory", "cgroup v2 memory controller", ht_probe_cgroup2_memory },
	{ "cgroup2.cpu", "cgroup v2 cpu controller", ht_probe_cgroup2_cpu },
	{ "cgroup2.pids", "cgroup v2 pids controller", ht_probe_cgroup2_pids },
	{ "cgroup2.io", "cgroup v2 io controller", ht_probe_cgroup2_io },
	{ "cgroup.v1", "cgroup v1 hierarchies", ht_probe_cgroup_v1 },
	{ "pivot_root", "pivot_root onto a tmpfs", ht_probe_pivot_root },
	{ "overlayfs", "overlay filesystem", ht_probe_overlayfs },
	{ "net.veth", "veth pair", ht_probe_net_veth },
	{ "net.bridge", "bridge with an enslaved veth", ht_probe_net_bridge },
	{ "net.nft_nat", "nftables NAT masquerade", ht_probe_net_nft_nat },
	{ "bpf.tracepoint", "BPF program on a syscall tracepoint", ht_probe_bpf_tracepoint },
	{ "bpf.btf", "kernel BTF", ht_probe_bpf_btf },
	{ "seccomp", "seccomp filter", ht_probe_seccomp },
	{ "vm.qemu", "qemu for fresh-VM runs", vm_qemu },
	{ "vm.kvm", "KVM acceleration", vm_kvm },
};

#define N_PROBES HT_ARRAY_SIZE(probes)

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ht_probe_result *cache[N_PROBES];
static int journal_fd = -1;
/* In a probe child: the write end of its result pipe (see ht_probe_forked()). */
static int wire_fd = -1;

const struct ht_probe_desc *ht_probe_list(size_t *n)
{
	*n = N_PROBES;
	return probes;
}

const struct ht_probe_desc *ht_probe_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < N_PROBES; i++)
		if (strcmp(probes[i].id, id) == 0)
			return &probes[i];
	return NULL;
}

const char *ht_verdict_name(enum ht_verdict v)
{
	switch (v) {
	case HT_YES:
		return "yes";
	case HT_NO:
		return "no";
	case HT_UNKNOWN:
		break;
	}
	return "unknown";
}

void ht_probe_set_journal(int fd)
{
	journal_fd = fd;
}

int ht_probe_journal_fd(void)
{
	return journal_fd;
}

void ht_probe_forked(void)
{
	/*
	 * A grandchild that outlives the probe must not hold the result pipe
	 * open; without a pidfd (old kernels, valgrind) EOF is how the parent
	 * learns the probe is done.
	 */
	if (wire_fd >= 0) {
		close(wire_fd);
		wire_fd = -1;
	}
}

/* ---- filling a result ------------------------------------------------ */

void ht_probe_note(struct ht_probe_result *r, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	char *old = r->evidence;
	va_list ap;

	va_start(ap, fmt);
	line = ht_xvasprintf(fmt, ap);
	va_end(ap);
	r->evidence = old ? ht_xasprintf("%s; %s", old, line) : TAKE_PTR(line);
	free(old);
}

void ht_probe_fail(struct ht_probe_result *r, enum ht_verdict v, int err, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	r->err = err < 0 ? -err : err;
	free(r->explanation);
	va_start(ap, fmt);
	r->explanation = ht_xvasprintf(fmt, ap);
	va_end(ap);
}

void ht_probe_yes(struct ht_probe_result *r)
{
	r->verdict = HT_YES;
	r->err = 0;
	free(r->explanation);
	r->explanation = NULL;
}

char *ht_probe_reason(const struct ht_probe_result *r)
{
	const char *why;

	if (!r)
		return ht_xstrdup("probe: no result");
	if (r->verdict == HT_YES)
		return ht_xasprintf("probe %s: available", r->id);
	why = r->explanation ? r->explanation : "no explanation";
	if (r->err)
		return ht_xasprintf("probe %s: %s (%s)", r->id, why, ht_errno_name(r->err));
	return ht_xasprintf("probe %s: %s", r->id, why);
}

/* ---- helpers the probe files share ----------------------------------- */

struct subproc_msg {
	int32_t ret;
	char text[256];
};

int ht_probe_subprocess(int (*fn)(void *arg, char *msg, size_t msglen), void *arg, char *msg,
			size_t msglen)
{
	_cleanup_close_ int rfd = -1;
	struct subproc_msg m = { .ret = -EPROTO };
	int fds[2], status = 0;
	ssize_t n;
	pid_t pid;

	if (msglen)
		msg[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(msg, msglen, "pipe2: %s", ht_errno_name(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		snprintf(msg, msglen, "fork: %s", ht_errno_name(err));
		return -err;
	}
	if (pid == 0) {
		ht_probe_forked();
		close(fds[0]);
		m.ret = fn(arg, m.text, sizeof(m.text));
		(void)!write(fds[1], &m, sizeof(m));
		_exit(0);
	}
	close(fds[1]);
	rfd = fds[0];
	do
		n = read(rfd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(m)) {
		if (WIFSIGNALED(status))
			snprintf(msg, msglen, "child killed by signal %d", WTERMSIG(status));
		else
			snprintf(msg, msglen, "child exited with status %d and no result",
				 WEXITSTATUS(status));
		return -EPROTO;
	}
	m.text[sizeof(m.text) - 1] = '\0';
	snprintf(msg, msglen, "%s", m.text);
	return m.ret;
}

const char *ht_probe_scratch_dir(void)
{
	static const char *const dirs[] = { "/tmp", "/mnt", "/run", "/" };
	struct stat st;

	for (size_t i = 0; i < HT_ARRAY_SIZE(dirs); i++)
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			return dirs[i];
	return "/";
}

int ht_probe_make_root_private(void)
{
	/*
	 * A new mount namespace copies the propagation of the old one; on a
	 * systemd host / is shared, so without this every mount below would
	 * propagate back to the host (mount_namespaces(7)). Source and type are
	 * ignored for a propagation change; strings keep valgrind quiet.
	 */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	return 0;
}

int ht_probe_private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	return ht_probe_make_root_private();
}

/* The running kernel's config, from /boot or /proc/config.gz (CONFIG_IKCONFIG_PROC). */
static char *kconfig_read(void)
{
	struct utsname u;
	char *text = NULL;

	if (uname(&u) == 0) {
		_cleanup_free_ char *path = ht_xasprintf("/boot/config-%s", u.release);

		if (ht_read_file(AT_FDCWD, path, &text) == 0)
			return text;
	}
#if defined(HAVE_ZLIB) && HAVE_ZLIB
	{
		gzFile gz = gzopen("/proc/config.gz", "rb");
		size_t len = 0, cap = 1 << 16;
		int n;

		if (!gz)
			return NULL;
		text = ht_xmalloc(cap);
		while ((n = gzread(gz, text + len, (unsigned)(cap - len - 1))) > 0) {
			len += (size_t)n;
			if (cap - len < 4096) {
				cap *= 2;
				text = ht_xrealloc(text, cap);
			}
		}
		gzclose(gz);
		if (n < 0) {
			free(text);
			return NULL;
		}
		text[len] = '\0';
	}
#endif
	return text;
}

static bool module_loaded(const char *module)
{
	_cleanup_free_ char *path = ht_xasprintf("/sys/module/%s", module);

	return access(path, F_OK) == 0;
}

char *ht_kconfig_explain(const char *symbol, const char *module)
{
	_cleanup_free_ char *cfg = kconfig_read();
	_cleanup_free_ char *set = NULL, *unset = NULL;
	const char *p, *mod_state = NULL;

	if (module)
		mod_state = module_loaded(module) ? "loaded" : "not loaded";
	if (!cfg) {
		if (!module)
			return NULL;
		return ht_xasprintf("module %s %s (kernel config not readable)", module, mod_state);
	}
	set = ht_xasprintf("\nCONFIG_%s=", symbol);
	unset = ht_xasprintf("\n# CONFIG_%s is not set", symbol);
	p = strstr(cfg, set);
	if (!p) {
		if (strstr(cfg, unset))
			return ht_xasprintf("CONFIG_%s is not set", symbol);
		return ht_xasprintf("CONFIG_%s is absent from the kernel config", symbol);
	}
	p += strlen(set);
	if (p[0] == 'm' && p[1] == '\n') {
		if (module)
			return ht_xasprintf("CONFIG_%s=m, module %s %s", symbol, module, mod_state);
		return ht_xasprintf("CONFIG_%s=m", symbol);
	}
	return ht_xasprintf("CONFIG_%s=%.*s", symbol, (int)strcspn(p, "\n"), p);
}

/* ---- vm.qemu and vm.kvm: can this host boot the fresh-VM suites? ----- */

static void vm_qemu(struct ht_probe_result *r)
{
	const char *qemu = ISOLAB_QEMU;
	_cleanup_close_ int rfd = -1;
	char buf[256] = "";
	int fds[2], status = 0;
	pid_t pid;

	if (!qemu[0]) {
		ht_probe_fail(r, HT_NO, ENOENT,
			      "isolab was built without qemu (qemu-system not found at configure "
			      "time; install qemu-system-x86 and reconfigure)");
		return;
	}
	ht_probe_note(r, "configured qemu %s", qemu);
	if (access(qemu, X_OK) < 0) {
		ht_probe_fail(r, HT_NO, errno, "the configured qemu %s is not executable", qemu);
		return;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "pipe2 failed");
		return;
	}
	pid = fork();
	if (pid < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "fork failed");
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		ht_probe_forked();
		dup2(fds[1], STDOUT_FILENO);
		execl(qemu, qemu, "--version", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	rfd = fds[0];
	ht_read_bounded(rfd, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ht_probe_fail(r, HT_NO, ENOEXEC, "%s --version did not run (status %d)", qemu,
			      status);
		return;
	}
	ht_probe_note(r, "--version: %s", buf);
	ht_probe_yes(r);
}

static void vm_kvm(struct ht_probe_result *r)
{
	_cleanup_close_ int kvm = -1, vm = -1;
	int v;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		int err = errno;
		_cleanup_free_ char *cfg = ht_kconfig_explain("KVM", "kvm");

		ht_probe_fail(r, HT_NO, err,
			      "cannot open /dev/kvm%s%s: no hardware virtualisation here, so "
			      "fresh VMs run in qemu TCG (slower)",
			      cfg ? "; " : "", cfg ? cfg : "");
		return;
	}
	ht_probe_note(r, "opened /dev/kvm");
	v = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (v < 0) {
		ht_probe_fail(r, HT_NO, errno, "KVM_GET_API_VERSION failed on /dev/kvm");
		return;
	}
	ht_probe_note(r, "KVM_GET_API_VERSION: %d", v);
	if (v != KVM_API_VERSION) {
		ht_probe_fail(r, HT_NO, EPROTO, "KVM API version %d, qemu expects %d", v,
			      KVM_API_VERSION);
		return;
	}
	/* /dev/kvm may exist while VMs cannot be created (nested virt disabled). */
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		ht_probe_fail(r, HT_NO, errno,
			      "KVM_CREATE_VM failed: /dev/kvm is present but "
			      "cannot create a VM (nested virtualisation disabled?)");
		return;
	}
	ht_probe_note(r, "KVM_CREATE_VM gave a VM fd");
	ht_probe_yes(r);
}

/* ---- running one probe ----------------------------------------------- */

struct wire_hdr {
	int32_t verdict;
	int32_t err;
	int32_t evidence_len; /* -1 for NULL */
	int32_t explanation_len;
};

static void __attribute__((noreturn)) probe_child(const struct ht_probe_desc *d, int wfd)
{
	struct ht_probe_result r = { .id = d->id, .verdict = HT_UNKNOWN };
	struct wire_hdr h;
	sigset_t none;
	char *buf;
	size_t el, xl;
	int null;

	wire_fd = wfd;
	/* Own process group: on expiry the parent kills the probe's whole tree. */
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Libraries (libbpf, libnl) may print; the probe speaks only through the pipe. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}

	d->fn(&r);

	if (r.verdict != HT_YES && !r.explanation)
		r.explanation = ht_xstrdup("the probe reported no verdict");
	el = r.evidence ? strlen(r.evidence) : 0;
	xl = r.explanation ? strlen(r.explanation) : 0;
	h = (struct wire_hdr){
		.verdict = (int32_t)r.verdict,
		.err = r.err,
		.evidence_len = r.evidence ? (int32_t)el : -1,
		.explanation_len = r.explanation ? (int32_t)xl : -1,
	};
	buf = ht_xmalloc(sizeof(h) + el + xl);
	memcpy(buf, &h, sizeof(h));
	if (el)
		memcpy(buf + sizeof(h), r.evidence, el);
	if (xl)
		memcpy(buf + sizeof(h) + el, r.explanation, xl);
	_exit(ht_write_all(wfd, buf, sizeof(h) + el + xl) < 0 ? 1 : 0);
}

static bool parse_wire(const char *buf, size_t len, struct ht_probe_result *r)
{
	struct wire_hdr h;
	size_t el, xl;

	if (len < sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	el = h.evidence_len < 0 ? 0 : (size_t)h.evidence_len;
	xl = h.explanation_len < 0 ? 0 : (size_t)h.explanation_len;
	if (len != sizeof(h) + el + xl || h.verdict < HT_YES || h.verdict > HT_UNKNOWN)
		return false;
	r->verdict = (enum ht_verdict)h.verdict;
	r->err = h.err;
	if (h.evidence_len >= 0)
		r->evidence = strndup(buf + sizeof(h), el);
	if (h.explanation_len >= 0)
		r->explanation = strndup(buf + sizeof(h) + el, xl);
	return true;
}

/* Scratch cgroups carry the child's pid, so a killed probe's leftovers can be found. */
static void sweep_scratch_cgroups(pid_t pid)
{
	_cleanup_free_ char *root = NULL, *prefix = NULL;
	DIR *dir;
	struct dirent *de;

	if (ht_cgroup2_mount(&root) < 0)
		return;
	dir = opendir(root);
	if (!dir)
		return;
	prefix = ht_xasprintf("isolab-probe-%d-", (int)pid);
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			(void)unlinkat(dirfd(dir), de->d_name, AT_REMOVEDIR);
	closedir(dir);
}

static int elapsed_ms_left(uint64_t deadline_ns)
{
	uint64_t now = ht_now_ns();

	if (now >= deadline_ns)
		return 0;
	return (int)((deadline_ns - now + 999999) / 1000000);
}

/* One read(2) into a growing buffer; returns what read(2) returned. */
static ssize_t read_more(int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t got;

	if (*cap - *len < 1024) {
		*cap *= 2;
		*buf = ht_xrealloc(*buf, *cap);
	}
	got = read(fd, *buf + *len, *cap - *len);
	if (got > 0)
		*len += (size_t)got;
	return got;
}

void ht_probe_run_desc(const struct ht_probe_desc *d, unsigned timeout_ms,
		       struct ht_probe_result *ret)
{
	struct ht_probe_result r = { .id = d->id, .verdict = HT_UNKNOWN };
	_cleanup_close_ int rfd = -1, pidfd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;
	uint64_t start = ht_now_ns();
	uint64_t deadline = start + (uint64_t)timeout_ms * 1000000u;
	bool exited = false, eof = false, timed_out = false;
	siginfo_t si = { 0 };
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		ht_probe_fail(&r, HT_UNKNOWN, errno, "cannot create the probe pipe");
		goto out;
	}
	/* Buffered output would be written twice, once by the child. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ht_probe_fail(&r, HT_UNKNOWN, errno, "cannot fork the probe child");
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (pid == 0) {
		close(fds[0]);
		probe_child(d, fds[1]);
	}
	close(fds[1]);
	rfd = fds[0];
	(void)setpgid(pid, pid); /* also done by the child; whichever runs first wins */
	pidfd = pidfd_open(pid, 0);
	buf = ht_xmalloc(cap);

	while (!eof || (!exited && pidfd >= 0)) {
		struct pollfd p[2] = {
			{ .fd = eof ? -1 : rfd, .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
		};
		int n, left = elapsed_ms_left(deadline);

		if (left == 0) {
			timed_out = true;
			break;
		}
		n = poll(p, 2, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ht_probe_fail(&r, HT_UNKNOWN, errno, "poll on the probe child failed");
			timed_out = true; /* kill it: we can no longer watch it */
			break;
		}
		if (p[0].revents) {
			ssize_t got = read_more(rfd, &buf, &len, &cap);

			if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
				eof = true;
		}
		if (p[1].revents) {
			exited = true;
			/*
			 * The result was written before _exit(2), so it is all in
			 * the pipe now; a grandchild that leaked the write end
			 * must not keep us waiting for EOF.
			 */
			if (!eof) {
				(void)fcntl(rfd, F_SETFL, O_NONBLOCK);
				while (read_more(rfd, &buf, &len, &cap) > 0)
					;
				eof = true;
			}
		}
	}

	/*
	 * Whatever the probe forked and left running dies with it. The child is
	 * not reaped yet, so its pid, the group id, cannot have been reused.
	 */
	if (exited || timed_out)
		(void)kill(-pid, SIGKILL);
	if (timed_out) {
		if (pidfd >= 0)
			(void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		else
			(void)kill(pid, SIGKILL);
	}
	while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0 && errno == EINTR)
		;
	if (timed_out) {
		if (!r.explanation)
			ht_probe_fail(&r, HT_UNKNOWN, ETIME, "probe timed out (deadline %u ms)",
				      timeout_ms);
		sweep_scratch_cgroups(pid);
		goto out;
	}
	if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) {
		const char *sig = sigabbrev_np(si.si_status);

		if (sig)
			ht_probe_fail(&r, HT_UNKNOWN, 0, "probe crashed with SIG%s", sig);
		else
			ht_probe_fail(&r, HT_UNKNOWN, 0, "probe crashed with signal %d",
				      si.si_status);
		sweep_scratch_cgroups(pid);
		goto out;
	}
	if (!parse_wire(buf, len, &r)) {
		ht_probe_fail(&r, HT_UNKNOWN, EPROTO, "probe exited with status %d and no result",
			      si.si_status);
		sweep_scratch_cgroups(pid);
	}
out:
	if (r.verdict == HT_UNKNOWN && !r.explanation)
		r.explanation = ht_xstrdup("the probe reported no verdict");
	if (r.verdict == HT_YES) {
		free(r.explanation);
		r.explanation = NULL;
	}
	r.duration_s = (double)(ht_now_ns() - start) / 1e9;
	*ret = r;
}

/* The runner's ISOLAB_TIMEOUT_MULTIPLIER (valgrind) stretches probe deadlines too. */
static unsigned probe_timeout_ms(void)
{
	const char *env = getenv("ISOLAB_TIMEOUT_MULTIPLIER");
	double m = env && *env ? strtod(env, NULL) : 1.0;

	if (!(m >= 1.0 && m <= 1000.0))
		m = 1.0;
	return (unsigned)(PROBE_TIMEOUT_MS * m);
}

const struct ht_probe_result *ht_probe_get(const char *id)
{
	static struct ht_probe_result **unknown;
	static size_t n_unknown;
	const struct ht_probe_desc *d = ht_probe_find(id);
	struct ht_probe_result *r;

	pthread_mutex_lock(&cache_lock);
	if (!d) {
		/* Kept for the life of the process: callers hold the pointer. */
		for (size_t i = 0; i < n_unknown; i++)
			if (strcmp(unknown[i]->id, id ? id : "") == 0) {
				r = unknown[i];
				goto done;
			}
		r = ht_xcalloc(1, sizeof(*r));
		r->id = ht_xstrdup(id);
		r->verdict = HT_UNKNOWN;
		r->err = ENOENT;
		r->explanation = ht_xasprintf("no such probe: %s", id ? id : "(null)");
		unknown = ht_xrealloc(unknown, (n_unknown + 1) * sizeof(*unknown));
		unknown[n_unknown++] = r;
		goto done;
	}
	r = cache[d - probes];
	if (!r) {
		r = ht_xcalloc(1, sizeof(*r));
		ht_probe_run_desc(d, probe_timeout_ms(), r);
		cache[d - probes] = r;
	}
done:
	pthread_mutex_unlock(&cache_lock);
	return r;
}

/* ---- lessons ---------------------------------------------------------- */

#define NEEDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct ht_lesson lessons[] = {
	{ 1, "PID namespace", NEEDS("ns.pid"), "host or devcontainer" },
	{ 2, "mount namespace", NEEDS("ns.mnt", "pivot_root"), "host or devcontainer" },
	{ 3, "network namespace", NEEDS("ns.net", "net.veth"), "host or devcontainer" },
	{ 4, "mini-container",
	  NEEDS("ns.pid", "ns.mnt", "ns.uts", "ns.ipc", "ns.cgroup", "pivot_root"),
	  "host or devcontainer" },
	/* Creating, joining and reading a group: no controller needed yet. */
	{ 5, "cgroup basics", NEEDS("cgroup2.mount"), "host" },
	{ 6, "memory limits", NEEDS("cgroup2.memory"), "host" },
	{ 7, "CPU limits", NEEDS("cgroup2.cpu"), "host" },
	{ 8, "OCI bundle", NEEDS("ns.pid", "ns.mnt", "pivot_root", "overlayfs"),
	  "host or devcontainer" },
	{ 9, "run with runc", NEEDS("ns.pid", "ns.mnt", "pivot_root", "overlayfs"),
	  "host or devcontainer" },
	{ 10, "eBPF tracing", NEEDS("bpf.tracepoint", "bpf.btf"), "host" },
	{ 11, "networking lab", NEEDS("net.veth", "net.bridge", "net.nft_nat"),
	  "host or devcontainer" },
	{ 12, "user namespaces and the pids limit", NEEDS("userns.map", "cgroup2.pids"), "host" },
};

const struct ht_lesson *ht_lesson_list(size_t *n)
{
	*n = HT_ARRAY_SIZE(lessons);
	return lessons;
}
