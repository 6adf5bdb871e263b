// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Shell-out detection (lesson 10, used by grading): a runtime that runs
 * unshare(1), ip(8), busybox… on the host instead of making the namespaces
 * itself is flagged; one that does the work with syscalls is not. The rules
 * are in harness/ht-shellout.h; their check on a made-up trace is a harness
 * selftest kept here beside the traced cases.
 */
#include <fcntl.h>
#include <sched.h>

#include "suites/tracing/tracing-config.h"
#include "trace.h"

/* A copy of the rootfs's busybox under another name: found by its banner, not its name. */
static char *busybox_copy(struct ht_ctx *t)
{
	_cleanup_free_ char *src = ht_xasprintf("%s/bin/busybox", ht_rootfs());
	char *dst = ht_xasprintf("%s/sh", ht_scratch_dir(t));
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	in = HT_SETUP(t, open(src, O_RDONLY | O_CLOEXEC));
	out = HT_SETUP(t, open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		HT_SETUP(t, ht_write_all(out, buf, (size_t)n));
	HT_SETUP(t, n);
	return dst;
}

static json_t *syscall_ev(long long ts, long long pid, long long ppid, long long ns_pid,
			  const char *name, long long ret, json_t *args)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:n, s:o}", "type",
			 "syscall", "ts_ns", ts, "pid", pid, "tid", pid, "ppid", ppid, "ns_pid",
			 ns_pid, "comm", "x", "syscall", name, "ret", ret, "errno", "args", args);
}

static json_t *exec_ev(long long ts, long long pid, long long ppid, long long ns_pid,
		       const char *filename)
{
	return syscall_ev(ts, pid, ppid, ns_pid, "execve", 0,
			  json_pack("{s:s}", "filename", filename));
}

/*
 * The detector's rules on a made-up trace: the runtime's own start and the
 * container's command are not shell-outs; host tools and a renamed busybox
 * run before any pivot_root are; anything run after pivot_root is not.
 *
 * A selftest of the harness (area harness, no lesson), not a lesson test:
 * it never runs the runtime under test, so a runtime that does nothing
 * would pass it and a lesson's score would count it.
 */
static void shellout_rules(struct ht_ctx *t)
{
	_cleanup_free_ char *bb = busybox_copy(t);
	_cleanup_free_ char *list = NULL;
	json_t *ev = json_array();
	struct ht_shellout s;

	/* pid 100 is the runtime; it is called unshare, but it is what was run. */
	json_array_append_new(ev, exec_ev(1, 100, 1, 100, "/usr/bin/unshare"));
	/* A helper still in the host's namespaces runs ip(8): flagged. */
	json_array_append_new(ev, exec_ev(2, 101, 100, 101, "/usr/sbin/ip"));
	/* A child in new namespaces runs the command, which is `ip` too: not flagged. */
	json_array_append_new(
		ev, syscall_ev(3, 100, 1, 100, "clone3", 102,
			       json_pack("{s:s, s:I}", "flags", "CLONE_NEWPID|CLONE_NEWNS",
					 "flags_raw", (json_int_t)(CLONE_NEWPID | CLONE_NEWNS))));
	json_array_append_new(ev, exec_ev(4, 102, 100, 1, "ip"));
	/* The same name from a host-namespace process is no command: flagged. */
	json_array_append_new(ev, exec_ev(5, 103, 100, 103, "ip"));
	/* A renamed busybox run on the host: flagged as its applet. */
	json_array_append_new(ev, exec_ev(6, 104, 100, 104, bb));
	/* After pivot_root, the rootfs's own programs: not flagged. */
	json_array_append_new(ev,
			      syscall_ev(7, 105, 100, 105, "pivot_root", 0,
					 json_pack("{s:s, s:s}", "new_root", ".", "put_old", ".")));
	json_array_append_new(ev, exec_ev(8, 105, 100, 105, "/usr/sbin/chroot"));
	json_array_append_new(ev, exec_ev(9, 106, 105, 106, bb));

	HT_ASSERT_EQ(t, ht_shellout_scan(ev, HT_ARGS("ip", "link"), &s), 0);
	list = ht_shellout_list(&s);
	HT_EXPECT_STREQ(t, list, "busybox:sh,ip");
	HT_EXPECT_EQ(t, s.n, 3);
	ht_shellout_free(&s);
	json_decref(ev);
}
HT_TEST(shellout_rules, .area = HT_AREA_HARNESS, .timeout_s = 10);

/* A runtime that runs unshare(1) for `ns pid` is flagged "unshare". */
static void shellout_flags_unshare_runtime(struct ht_ctx *t)
{
	_cleanup_free_ char *cause = NULL, *list = NULL;
	struct ht_shellout s = { 0 };
	int status = -1, r;

	r = ht_shellout_trace(trace_tracer(),
			      HT_ARGS(TRACING_SHELLOUT_RUNTIME, "ns", "pid", "--", "/bin/true"),
			      HT_ARGS("/bin/true"), ht_timeout_ms(t, 20000), &s, &status, &cause);
	if (r < 0)
		ht_fail(t, "trace the script runtime: %s", cause);
	HT_EXPECT_EQ(t, status, 0);
	list = ht_shellout_list(&s);
	HT_EXPECT_STREQ(t, list, "unshare");
	ht_shellout_free(&s);
}
HT_TEST(shellout_flags_unshare_runtime, TRACE_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf", "ns.pid", "ns.mnt"));

/*
 * The reference contain runs no tool: neither for `ns pid` nor for a
 * container whose command is the rootfs's busybox sh.
 */
static void shellout_clears_reference_contain(struct ht_ctx *t)
{
	const char *const *runs[] = {
		HT_ARGS(ISOLAB_DEFAULT_RUNTIME, "ns", "pid", "--", "/bin/true"),
		HT_ARGS(ISOLAB_DEFAULT_RUNTIME, "ns", "container", "--rootfs", ht_rootfs(), "--",
			"/bin/sh", "-c", "/bin/true"),
	};
	const char *const *cmds[] = { HT_ARGS("/bin/true"), HT_ARGS("/bin/sh") };

	for (size_t i = 0; i < HT_ARRAY_SIZE(runs); i++) {
		_cleanup_free_ char *cause = NULL, *list = NULL;
		struct ht_shellout s = { 0 };
		int status = -1;

		if (ht_shellout_trace(trace_tracer(), runs[i], cmds[i], ht_timeout_ms(t, 20000), &s,
				      &status, &cause) < 0) {
			ht_fail(t, "trace contain %s: %s", runs[i][2], cause);
			continue;
		}
		HT_EXPECT_EQ(t, status, 0);
		list = ht_shellout_list(&s);
		HT_EXPECT_STREQ(t, list, "");
		ht_shellout_free(&s);
	}
}
HT_TEST(shellout_clears_reference_contain, TRACE_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf", "ns.pid", "ns.mnt", "ns.uts", "ns.ipc",
			  "ns.cgroup", "pivot_root"));
