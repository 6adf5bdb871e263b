// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PID namespace (lesson 1): the command is PID 1 inside and has another pid
 * on the host; /proc inside lists only the container's processes; host pids
 * are unreachable; the namespace dies with its PID 1; namespaces nest.
 * pid_namespaces(7).
 */
#include "iso.h"

/*
 * A command started in a new PID namespace sees itself as PID 1. The probe
 * says so while it pauses, and the host finds that very process (our nonce
 * in its argv) in another pid namespace, where the kernel numbers it 1 too
 * (/proc/PID/status NSpid): output alone, copied nonce and all, cannot pass.
 */
static void pidns_init_is_pid1(struct ht_ctx *t)
{
	struct ht_proc r;
	_cleanup_free_ char *ready = NULL;
	json_t *j;
	pid_t host_pid;

	ht_runtime_start(t, &r,
			 HT_ARGS("ns", "pid", "--", ht_probe_host_path(), ht_nonce(t), "pause"),
			 NULL);
	if (ht_proc_read_line(&r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_proc_free(&r);
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__,
			       "the container never printed its ready line");
	}
	j = ht_probe_json_line(t, ready, strlen(ready));
	if (j)
		HT_EXPECT_EQ(t, json_integer_value(iso_get(j, "pid")), 1);
	json_decref(j);
	host_pid = iso_host_pid_of(t);
	if (host_pid < 0)
		ht_fail(t, "the host sees no process of ours in another pid namespace");
	else
		HT_EXPECT_EQ(t, ht_ns_pid(host_pid), 1);
	ht_proc_free(&r);
}
HT_TEST(pidns_init_is_pid1, .area = HT_AREA_ISOLATION, .lesson = 1, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid"), .tags = "man:pid_namespaces(7)");

/* The host sees the container's PID 1 under another pid, in another pid namespace. */
static void pidns_host_sees_other_pid(struct ht_ctx *t)
{
	struct ht_proc r;
	_cleanup_free_ char *ready = NULL;
	pid_t host_pid;

	ht_runtime_start(t, &r,
			 HT_ARGS("ns", "pid", "--", ht_probe_host_path(), ht_nonce(t), "pause"),
			 NULL);
	if (ht_proc_read_line(&r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_proc_free(&r);
		ht_fail(t, "the container never printed its ready line");
		return;
	}
	host_pid = iso_host_pid_of(t);
	HT_EXPECT_GT(t, host_pid, 1);
	HT_EXPECT_EQ(t, ht_ns_pid(host_pid), 1);
	HT_EXPECT_NE(t, ht_ns_inode(host_pid, "pid"), ht_ns_inode(0, "pid"));
	ht_proc_free(&r);
}
HT_TEST(pidns_host_sees_other_pid, .area = HT_AREA_ISOLATION, .lesson = 1, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid"));

/* /proc inside a container lists only the container's own processes. */
static void pidns_proc_lists_only_own(struct ht_ctx *t)
{
	struct ht_proc r;
	unsigned n = 0;

	ht_runtime_run(
		t, &r,
		HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--", "/bin/ls", "/proc"),
		NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	for (char *save = NULL, *tok = strtok_r(r.out, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (tok[0] >= '0' && tok[0] <= '9' && strspn(tok, "0123456789") == strlen(tok)) {
			n++;
			/* ls is PID 1 itself: nothing else may be listed. */
			HT_EXPECT(t, strcmp(tok, "1") == 0);
		}
	HT_EXPECT_EQ(t, n, 1);
	ht_proc_free(&r);
}
HT_TEST(pidns_proc_lists_only_own, .area = HT_AREA_ISOLATION, .lesson = 1, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/*
 * Signalling a host pid from inside a PID namespace fails with ESRCH. The
 * shell that ran the probe stays as the namespace's PID 1 (it execs a
 * pausing probe), and the host checks that it is in another pid namespace.
 */
static void pidns_signal_host_esrch(struct ht_ctx *t)
{
	struct ht_proc r;
	char self[16];
	json_t *j;
	pid_t host_pid;

	snprintf(self, sizeof(self), "%d", (int)getpid());
	j = iso_probe_then_hold(t, &r, HT_ARGS("ns", "pid", "--"), ht_probe_host_path(),
				"signal-host", self);
	if (j)
		HT_EXPECT_STREQ(t, json_string_value(iso_get(j, "errno_name")), "ESRCH");
	json_decref(j);
	host_pid = iso_host_pid_of(t);
	if (host_pid < 0)
		ht_fail(t, "the host sees no process of ours in another pid namespace");
	else
		HT_EXPECT_EQ(t, ht_ns_pid(host_pid), 1);
	ht_proc_free(&r);
}
HT_TEST(pidns_signal_host_esrch, .area = HT_AREA_ISOLATION, .lesson = 1, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid"));

/*
 * When PID 1 exits, the kernel kills every other process of its namespace
 * (pid_namespaces(7), "The namespace init process").
 */
static void pidns_init_exit_kills_rest(struct ht_ctx *t)
{
	struct ht_proc r;
	pid_t *left = NULL;
	size_t n;
	_cleanup_free_ char *script =
		ht_xasprintf("mkfifo /dev/shm/ready && { %s %s pause > /dev/shm/ready & } && "
			     "read line < /dev/shm/ready && echo \"$line\"",
			     PROBE_IN_ROOTFS, ht_nonce(t));

	ht_runtime_run(
		t, &r,
		HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--", "/bin/sh", "-c", script),
		NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	/* The pause probe really ran (its ready line came back through PID 1)... */
	json_decref(ht_probe_json(t, &r));
	/* ...and no process of the namespace outlives PID 1. */
	n = ht_pids_with_arg(ht_nonce(t), &left);
	HT_EXPECT_EQ(t, n, 0);
	free(left);
	ht_proc_free(&r);
}
HT_TEST(pidns_init_exit_kills_rest, .area = HT_AREA_ISOLATION, .lesson = 1, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/* PID namespaces nest: the inner command is PID 1 of a third namespace. */
static void pidns_nested(struct ht_ctx *t)
{
	struct ht_proc r;
	json_t *outer = NULL, *inner = NULL;
	_cleanup_free_ char *script = NULL;
	const char *nl;

	/* The runtime's own word list runs again inside the first namespace. */
	script = ht_xasprintf("%s %s ns && %s ns pid -- %s %s ns", ht_probe_host_path(),
			      ht_nonce(t), ht_runtime_words(), ht_probe_host_path(), ht_nonce(t));
	ht_runtime_run(t, &r, HT_ARGS("ns", "pid", "--", "/bin/sh", "-c", script), NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	nl = strchr(r.out, '\n');
	HT_ASSERT(t, nl != NULL);
	outer = ht_probe_json_line(t, r.out, (size_t)(nl - r.out));
	inner = ht_probe_json_line(t, nl + 1, strcspn(nl + 1, "\n"));
	if (outer && inner) {
		json_int_t o = json_integer_value(json_object_get(iso_get(outer, "ns"), "pid"));
		json_int_t i = json_integer_value(json_object_get(iso_get(inner, "ns"), "pid"));

		HT_EXPECT_NE(t, o, (json_int_t)ht_ns_inode(0, "pid"));
		HT_EXPECT_NE(t, i, (json_int_t)ht_ns_inode(0, "pid"));
		HT_EXPECT_NE(t, i, o);
	}
	json_decref(outer);
	json_decref(inner);
	ht_proc_free(&r);
}
HT_TEST(pidns_nested, .area = HT_AREA_ISOLATION, .lesson = 1, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid"));
