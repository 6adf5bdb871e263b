// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tracing a container start (lesson 10): the tracer shows the syscalls that
 * make a container, in the order they happened, with decoded arguments,
 * and relays the traced command's exit status.
 */
#include <sched.h>

#include "trace.h"

/* The namespaces `ns container` must create (CONTRACT.md, `ns container`). */
static const struct {
	unsigned long long bit;
	const char *name;
} container_ns[] = {
	{ CLONE_NEWPID, "CLONE_NEWPID" },	{ CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWUTS, "CLONE_NEWUTS" },	{ CLONE_NEWIPC, "CLONE_NEWIPC" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
};

/* True when the decoded flags string lists name as one of its '|'-separated words. */
static bool flags_name(const char *flags, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = flags ? strstr(flags, name) : NULL; p; p = strstr(p + 1, name))
		if ((p == flags || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
			return true;
	return false;
}

static bool is_ns_creation(json_t *ev)
{
	if (ev_is(ev, "clone") || ev_is(ev, "clone3"))
		return ev_int(ev, "ret", -1) > 0; /* the parent's view: the child's pid */
	return ev_is(ev, "unshare") && ev_int(ev, "ret", -1) == 0;
}

/*
 * The index where the namespace creations seen so far cover all of
 * container_ns (a runtime may split them across calls), or -1. The flags
 * must be both in flags_raw and decoded by name.
 */
static long find_namespaces(struct ht_ctx *t, json_t *ev)
{
	unsigned long long raw = 0;
	size_t i, named = 0;
	json_t *e;

	json_array_foreach(ev, i, e) {
		if (!is_ns_creation(e))
			continue;
		raw |= (unsigned long long)ev_int(json_object_get(e, "args"), "flags_raw", 0);
		for (size_t k = 0; k < HT_ARRAY_SIZE(container_ns); k++)
			if (flags_name(ev_arg(e, "flags"), container_ns[k].name))
				named |= 1u << k;
		if (named == (1u << HT_ARRAY_SIZE(container_ns)) - 1) {
			for (size_t k = 0; k < HT_ARRAY_SIZE(container_ns); k++)
				if (!(raw & container_ns[k].bit))
					ht_fail(t, "flags name %s but flags_raw 0x%llx lacks it",
						container_ns[k].name, raw);
			return (long)i;
		}
	}
	for (size_t k = 0; k < HT_ARRAY_SIZE(container_ns); k++)
		if (!(named & (1u << k)))
			ht_fail(t, "no clone/clone3/unshare with %s in its decoded flags",
				container_ns[k].name);
	return -1;
}

/* The first event after index `after` for which match() holds, or -1. */
static long find_after(json_t *ev, long after, bool (*match)(json_t *e, const void *arg),
		       const void *arg)
{
	for (size_t i = (size_t)(after + 1); i < json_array_size(ev); i++)
		if (match(json_array_get(ev, i), arg))
			return (long)i;
	return -1;
}

static bool match_proc_mount(json_t *e, const void *arg)
{
	const char *fs = ev_arg(e, "fstype");

	return ev_is(e, "mount") && ev_int(e, "ret", -1) == 0 && fs && strcmp(fs, "proc") == 0;
}

static bool match_pivot_root(json_t *e, const void *arg)
{
	return ev_is(e, "pivot_root") && ev_int(e, "ret", -1) == 0;
}

static bool match_sethostname(json_t *e, const void *arg)
{
	const char *name = ev_arg(e, "name");

	return ev_is(e, "sethostname") && ev_int(e, "ret", -1) == 0 && name &&
	       strcmp(name, arg) == 0;
}

static bool match_exec(json_t *e, const void *arg)
{
	const char *f = ev_arg(e, "filename");

	return (ev_is(e, "execve") || ev_is(e, "execveat")) && ev_int(e, "ret", -1) == 0 && f &&
	       strcmp(f, arg) == 0;
}

static long max3(long a, long b, long c)
{
	long m = a > b ? a : b;

	return m > c ? m : c;
}

/* Report a step missing after `after`, saying whether it came too early or never. */
static long expect_step(struct ht_ctx *t, json_t *ev, long after, const char *what,
			bool (*match)(json_t *e, const void *arg), const void *arg)
{
	long i = find_after(ev, after, match, arg), any;

	if (i >= 0)
		return i;
	any = find_after(ev, -1, match, arg);
	if (any >= 0)
		ht_fail(t, "%s comes at event %ld, before the step it must follow (event %ld)",
			what, any, after);
	else
		ht_fail(t, "the trace has no %s", what);
	return -1;
}

/*
 * Tracing `ns container --hostname H -- /bin/true` shows the namespace
 * creation, the proc mount and pivot_root, sethostname(H), then the execve
 * of /bin/true as the namespace's PID 1, in that order.
 */
static void trace_container_setup_in_order(struct ht_ctx *t)
{
	_cleanup_free_ char *host = ht_xasprintf("tr-%.12s", ht_nonce(t));
	struct targv cmd = { 0 };
	struct trace_out out;
	json_t *ev;
	long ns, proc, pivot, name, exec;

	targv_add_runtime(t, &cmd);
	targv_add_list(&cmd, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--hostname", host,
				     "--", "/bin/true"));
	trace_run(t, &out, NULL, cmd.v);
	targv_free(&cmd);
	HT_EXPECT_EXIT(t, &out.p, 0);
	trace_expect_no_loss(t, &out);
	ev = trace_sorted(&out);

	ns = find_namespaces(t, ev);
	proc = expect_step(t, ev, ns, "mount of fstype \"proc\" after the namespaces",
			   match_proc_mount, NULL);
	pivot = expect_step(t, ev, ns, "pivot_root after the namespaces", match_pivot_root, NULL);
	name = expect_step(t, ev, ns, "sethostname of the --hostname after the namespaces",
			   match_sethostname, host);
	exec = expect_step(t, ev, max3(proc, pivot, name),
			   "successful execve of /bin/true after the mounts and the hostname",
			   match_exec, "/bin/true");
	if (exec >= 0) {
		json_t *e = json_array_get(ev, (size_t)exec), *x;
		size_t i;
		bool exited = false;

		/* Its own pid namespace says 1; the host says otherwise. */
		HT_EXPECT_EQ(t, ev_int(e, "ns_pid", -1), 1);
		HT_EXPECT_GT(t, ev_int(e, "pid", -1), 1);
		json_array_foreach(ev, i, x) {
			if (!ev_is_exit(x) || ev_int(x, "pid", -1) != ev_int(e, "pid", -2))
				continue;
			exited = true;
			HT_EXPECT_EQ(t, ev_int(x, "exit_code", -1), 0);
			HT_EXPECT(t, json_is_null(json_object_get(x, "signal")));
		}
		if (!exited)
			ht_fail(t, "no exit event for the container's PID 1 (host pid %lld)",
				ev_int(e, "pid", -1));
	}
	if (ns < 0 || proc < 0 || pivot < 0 || name < 0 || exec < 0) {
		_cleanup_free_ char *d = trace_digest(ev);

		ht_fail(t, "events in time order: %s", d);
	}
	json_decref(ev);
	trace_out_free(&out);
}
HT_TEST(trace_container_setup_in_order, TRACE_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf", "ns.pid", "ns.mnt", "ns.uts", "ns.ipc",
			  "ns.cgroup", "pivot_root"),
	.tags = "man:clone3(2) man:pivot_root(2)");

/*
 * `contain trace` exits with the traced command's status, and the exit
 * event says how the command ended (exit code, or the killing signal).
 */
static void trace_relays_exit_status(struct ht_ctx *t)
{
	static const struct {
		const char *script;
		int status, code, sig;
	} cases[] = {
		{ "exit 7", 7, 7, 0 },
		{ "kill -9 $$", 137, 0, 9 },
	};

	for (size_t c = 0; c < HT_ARRAY_SIZE(cases); c++) {
		struct trace_out out;
		json_t *x, *shell = NULL;
		size_t i;

		trace_run(t, &out, NULL, HT_ARGS("/bin/sh", "-c", cases[c].script));
		HT_EXPECT_EXIT(t, &out.p, cases[c].status);
		trace_expect_no_loss(t, &out);
		/* The shell is the one whose exec of /bin/sh is traced first. */
		json_array_foreach(out.events, i, x)
			if (match_exec(x, "/bin/sh")) {
				shell = x;
				break;
			}
		if (!shell) {
			ht_fail(t, "no execve of /bin/sh in the trace of sh -c '%s'",
				cases[c].script);
			trace_out_free(&out);
			continue;
		}
		x = NULL;
		json_array_foreach(out.events, i, x)
			if (ev_is_exit(x) && ev_int(x, "pid", -1) == ev_int(shell, "pid", -2))
				break;
		if (i == json_array_size(out.events)) {
			ht_fail(t, "no exit event for sh -c '%s'", cases[c].script);
		} else if (cases[c].sig) {
			HT_EXPECT_EQ(t, ev_int(x, "signal", -1), cases[c].sig);
			HT_EXPECT(t, json_is_null(json_object_get(x, "exit_code")));
		} else {
			HT_EXPECT_EQ(t, ev_int(x, "exit_code", -1), cases[c].code);
			HT_EXPECT(t, json_is_null(json_object_get(x, "signal")));
		}
		trace_out_free(&out);
	}
}
HT_TEST(trace_relays_exit_status, TRACE_AREA, .timeout_s = 20,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf"));
