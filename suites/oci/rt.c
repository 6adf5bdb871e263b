// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The OCI lifecycle suite's helpers (see rt.h): bundles written from the
 * suite's own template, the runtime's runc-style command line, and the
 * host-side waits that do not trust what the runtime prints.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ht-host.h"
#include "ht-util.h"
#include "rt.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/*
 * The template: what runtime-spec config.md requires plus the usual Linux
 * mounts. Capabilities are a short default set (CAP_KILL for the probe's
 * signals, CAP_SETUID/SETGID for process.user), so the test can tell the
 * configured set from a runtime that keeps all of root's.
 */
static const char config_template[] =
	"{\"ociVersion\":\"1.0.2\","
	"\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},"
	"\"args\":[\"/probe\"],"
	"\"env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\",\"HOME=/root\"],"
	"\"cwd\":\"/\","
	"\"capabilities\":{"
	"\"bounding\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_KILL\","
	"\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_NET_BIND_SERVICE\"],"
	"\"effective\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_KILL\","
	"\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_NET_BIND_SERVICE\"],"
	"\"permitted\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_KILL\","
	"\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_NET_BIND_SERVICE\"]}},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":false},"
	"\"hostname\":\"isolab\","
	"\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}],"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},"
	"{\"type\":\"uts\"},{\"type\":\"network\"}]}}";

bool oci_rt_compat(void)
{
	const char *p = getenv("ISOLAB_OCI_PROFILE");

	return p && strcmp(p, "runc-compat") == 0;
}

/* Journal the container's cgroup in every mounted hierarchy before it exists. */
static void journal_cgroup(struct ht_ctx *t, const char *name)
{
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *h = NULL, *p = NULL;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		h = ht_xasprintf(CGROUP_ROOT "/%s", de->d_name);
		/* cpu -> cpu,cpuacct and the like: journal the real directory once. */
		if (lstat(h, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		p = ht_xasprintf("%s%s", h, name);
		if (ht_journal_add(t, "cgroup", p, NULL, NULL) < 0)
			ht_broken(t, "journal cgroup %s: %s", p, strerror(errno));
	}
	closedir(d);
	/* A cgroup2-only host: the root is the hierarchy itself. */
	{
		_cleanup_free_ char *p = ht_xasprintf(CGROUP_ROOT "%s", name);

		if (ht_journal_add(t, "cgroup", p, NULL, NULL) < 0)
			ht_broken(t, "journal cgroup %s: %s", p, strerror(errno));
	}
}

char *oci_rt_cgroup_dirs(struct oci_rt *rt)
{
	char *out = ht_xstrdup("");
	DIR *d;
	struct dirent *de;

	if (!rt->cgroup || !(d = opendir(CGROUP_ROOT)))
		return out;
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;
		char *s;

		if (de->d_name[0] == '.')
			continue;
		p = ht_xasprintf(CGROUP_ROOT "/%s%s", de->d_name, rt->cgroup);
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		s = ht_xasprintf("%s%s\n", out, p);
		free(out);
		out = s;
	}
	closedir(d);
	/*
	 * A cgroup2-only host: the root is the hierarchy itself, as in
	 * journal_cgroup(). Without this, delete's cleanup goes unchecked there.
	 */
	{
		_cleanup_free_ char *p = ht_xasprintf(CGROUP_ROOT "%s", rt->cgroup);
		struct stat st;
		char *s;

		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			s = ht_xasprintf("%s%s\n", out, p);
			free(out);
			out = s;
		}
	}
	return out;
}

void oci_rt_init(struct ht_ctx *t, struct oci_rt *rt)
{
	struct ht_proc p = { 0 };
	_cleanup_free_ char *fifo = NULL;
	json_error_t e;

	memset(rt, 0, sizeof(*rt));
	oci_case_init(t, &rt->c);
	rt->state = ht_xasprintf("%s/state", rt->c.in);
	rt->pidfile = ht_xasprintf("%s/pid", rt->c.in);
	rt->id = ht_xasprintf("isolab-%s", ht_nonce(t));
	rt->cgroup = ht_xasprintf("/isolab-oci-%s", ht_nonce(t));
	/* The runtime creates --root itself (runc does, with mode 0700). */
	HT_SETUP(t, mkdir(rt->c.bundle, 0755));
	ht_cmd_run(t, &p, HT_ARGS("cp", "-a", ht_rootfs(), rt->c.rootfs), NULL);
	if (p.exit_code != 0)
		ht_broken(t, "copy the test rootfs %s: %s", ht_rootfs(), p.err);
	ht_proc_free(&p);
	fifo = ht_xasprintf("%s/ready", rt->c.rootfs);
	HT_SETUP(t, mkfifo(fifo, 0666));
	/*
	 * O_RDWR on a fifo never blocks and never reads EOF (fifo(7)): the
	 * container's shell may write its ready line at any time, and poll
	 * waits for it with a deadline.
	 */
	rt->ready_fd = HT_SETUP(t, open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC));
	rt->cfg = json_loads(config_template, 0, &e);
	if (!rt->cfg)
		ht_broken(t, "config template: %s", e.text);
	json_object_set_new(oci_rt_linux(rt), "cgroupsPath", json_string(rt->cgroup));
	oci_rt_probe_args(t, rt, HT_ARGS("pause"));
}

json_t *oci_rt_process(struct oci_rt *rt)
{
	return json_object_get(rt->cfg, "process");
}

json_t *oci_rt_linux(struct oci_rt *rt)
{
	return json_object_get(rt->cfg, "linux");
}

static void set_args(struct oci_rt *rt, json_t *a)
{
	json_object_set_new(oci_rt_process(rt), "args", a);
}

void oci_rt_probe_args(struct ht_ctx *t, struct oci_rt *rt, const char *const *args)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("/probe"));
	json_array_append_new(a, json_string(ht_nonce(t)));
	for (; *args; args++)
		json_array_append_new(a, json_string(*args));
	set_args(rt, a);
}

void oci_rt_sh(struct ht_ctx *t, struct oci_rt *rt, const char *script)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("/bin/sh"));
	json_array_append_new(a, json_string("-c"));
	json_array_append_new(a, json_string(script));
	json_array_append_new(a, json_string(ht_nonce(t)));
	set_args(rt, a);
}

void oci_rt_write(struct ht_ctx *t, struct oci_rt *rt)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/config.json", rt->c.bundle);

	if (rt->cgroup && json_object_get(oci_rt_linux(rt), "cgroupsPath"))
		journal_cgroup(t, rt->cgroup);
	if (json_dump_file(rt->cfg, path, JSON_INDENT(1)) < 0)
		ht_broken(t, "write %s: %s", path, strerror(errno));
}

void oci_rt_cmd(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p, const char *const *args)
{
	const char *argv[24] = { "--root", rt->state };
	size_t k = 2;

	for (; *args && k < 23; args++)
		argv[k++] = *args;
	argv[k] = NULL;
	ht_runtime_run(t, p, argv, NULL);
}

int oci_rt_create(struct ht_ctx *t, struct oci_rt *rt)
{
	struct ht_proc p = { 0 };
	int r;

	oci_rt_write(t, rt);
	oci_rt_cmd(t, rt, &p,
		   HT_ARGS("create", "--bundle", rt->c.bundle, "--pid-file", rt->pidfile, rt->id));
	r = p.exit_code;
	if (r != 0)
		ht_report(t, HT_FAIL, __FILE__, __LINE__, "create %s: exit %d; stderr: \"%.400s\"",
			  rt->id, r, p.err);
	ht_proc_free(&p);
	return r;
}

int oci_rt_verb(struct ht_ctx *t, struct oci_rt *rt, const char *verb, const char *extra,
		struct ht_proc *p)
{
	struct ht_proc own = { 0 };
	int r;

	if (!p)
		p = &own;
	if (extra)
		oci_rt_cmd(t, rt, p, HT_ARGS(verb, rt->id, extra));
	else
		oci_rt_cmd(t, rt, p, HT_ARGS(verb, rt->id));
	r = p->exit_code;
	ht_proc_free(&own);
	return r;
}

json_t *oci_rt_state(struct ht_ctx *t, struct oci_rt *rt, int *ret_exit)
{
	struct ht_proc p = { 0 };
	json_error_t e;
	json_t *j = NULL;

	oci_rt_cmd(t, rt, &p, HT_ARGS("state", rt->id));
	if (ret_exit)
		*ret_exit = p.exit_code;
	if (p.exit_code == 0) {
		j = json_loads(p.out, 0, &e);
		if (!j)
			ht_fail(t, "state %s is not JSON (%s): \"%.300s\"", rt->id, e.text, p.out);
	}
	ht_proc_free(&p);
	return j;
}

pid_t oci_rt_pidfile(struct oci_rt *rt)
{
	_cleanup_free_ char *s = NULL;

	if (ht_read_file(AT_FDCWD, rt->pidfile, &s) < 0)
		return -1;
	return (pid_t)atoi(s);
}

json_t *oci_rt_run_bg(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p, bool want_ready)
{
	_cleanup_free_ char *line = NULL;
	int r;

	oci_rt_write(t, rt);
	ht_runtime_start(
		t, p, HT_ARGS("--root", rt->state, "run", "--bundle", rt->c.bundle, rt->id), NULL);
	if (!want_ready)
		return NULL;
	r = ht_proc_read_line(p, ht_timeout_ms(t, 15000), &line);
	if (r < 0) {
		ht_proc_kill(p);
		ht_fail(t, "run %s: no ready line from the probe (%s); exit %d, stderr: \"%.400s\"",
			rt->id, strerror(-r), p->exit_code, p->err);
		return NULL;
	}
	return ht_probe_json_line(t, line, strlen(line));
}

int oci_rt_run(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p)
{
	oci_rt_write(t, rt);
	oci_rt_cmd(t, rt, p, HT_ARGS("run", "--bundle", rt->c.bundle, rt->id));
	return p->exit_code;
}

/* pid has exited: no /proc/PID, or it is a zombie (proc(5), state Z or X). */
static bool proc_gone(pid_t pid)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/stat", pid), *s = NULL;
	const char *end;

	if (ht_read_file(AT_FDCWD, path, &s) < 0)
		return true;
	/* "PID (COMM) STATE ...": COMM may hold spaces and parentheses. */
	end = strrchr(s, ')');
	return end && (end[1] == ' ') && (end[2] == 'Z' || end[2] == 'X');
}

bool oci_rt_wait_gone(struct ht_ctx *t, pid_t pid, int ms)
{
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t deadline;
	int step = 1;

	if (fd >= 0)
		/* A pidfd is readable once the process has exited (pidfd_open(2)). */
		return poll(&pfd, 1, ht_timeout_ms(t, ms)) == 1;
	if (errno != ENOSYS)
		return errno == ESRCH;
	/*
	 * No pidfds (valgrind 3.19 does not know pidfd_open): a process that
	 * is not our child has no other exit event, so look at /proc with a
	 * growing interval until the deadline.
	 */
	deadline = ht_now_ns() + (uint64_t)ht_timeout_ms(t, ms) * 1000000u;
	while (!proc_gone(pid)) {
		int left = ht_remaining_ms(deadline);

		if (left == 0)
			return false;
		poll(NULL, 0, step < left ? step : left);
		step = step < 64 ? step * 2 : 64;
	}
	return true;
}

char *oci_rt_wait_ready(struct ht_ctx *t, struct oci_rt *rt, int ms)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)ht_timeout_ms(t, ms) * 1000000u;
	char buf[512];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		struct pollfd pfd = { .fd = rt->ready_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, ht_remaining_ms(deadline)) <= 0)
			return NULL;
		n = read(rt->ready_fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			continue;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return ht_xstrdup(buf);
}

void oci_rt_expect_code(struct ht_ctx *t, const struct ht_proc *p, int want, const char *what)
{
	if (want == 0 && p->exit_code != 0)
		ht_fail(t, "%s: expected exit 0, got %d; stderr: \"%.300s\"", what, p->exit_code,
			p->err);
	else if (want != 0 && p->exit_code == 0)
		ht_fail(t, "%s: expected a failure (exit %d), got 0", what, want);
	else if (p->exit_code != want)
		ht_warn(t, "%s: exit %d, SHOULD be %d (the code is graded as a SHOULD)", what,
			p->exit_code, want);
	else
		HT_EXPECT(t, true);
}

char *oci_rt_status_field(pid_t pid, const char *key)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/status", pid), *s = NULL;
	size_t kl = strlen(key);

	if (ht_read_file(AT_FDCWD, path, &s) < 0)
		return NULL;
	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
			char *v = l + kl + 1;

			v += strspn(v, " \t");
			return ht_xasprintf("%.*s", (int)strcspn(v, "\n"), v);
		}
	}
	return NULL;
}

void oci_rt_destroy(struct ht_ctx *t, struct oci_rt *rt)
{
	struct ht_proc p = { 0 };

	oci_rt_cmd(t, rt, &p, HT_ARGS("kill", rt->id, "KILL"));
	ht_proc_free(&p);
	oci_rt_cmd(t, rt, &p, HT_ARGS("delete", "--force", rt->id));
	ht_proc_free(&p);
	json_decref(rt->cfg);
	if (rt->ready_fd > 0)
		close(rt->ready_fd);
	free(rt->c.in);
	free(rt->c.out);
	free(rt->c.bundle);
	free(rt->c.rootfs);
	free(rt->c.victim);
	free(rt->c.before);
	free(rt->state);
	free(rt->pidfile);
	free(rt->id);
	free(rt->cgroup);
	memset(rt, 0, sizeof(*rt));
}
