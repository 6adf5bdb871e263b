// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The runtime relays what the command did (lesson 4): its exit status, or
 * 128+N when signal N killed it, and its stdout/stderr byte for byte.
 */
#include <signal.h>

#include "iso.h"

/* `run` relays the command's exit status: 0 and 42. */
static void run_relays_exit_status(struct ht_ctx *t)
{
	static const char *const codes[] = { "0", "42", "255" };

	for (size_t i = 0; i < HT_ARRAY_SIZE(codes); i++) {
		struct ht_proc r;

		ht_runtime_run(t, &r,
			       HT_ARGS("run", ht_rootfs(), "--", PROBE_IN_ROOTFS, ht_nonce(t),
				       "exit", codes[i]),
			       NULL);
		HT_EXPECT_EXIT(t, &r, atoi(codes[i]));
		ht_proc_free(&r);
	}
}
HT_TEST(run_relays_exit_status, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/*
 * A command killed by a signal is relayed as 128+N: a real fault (SIGSEGV
 * kills even a namespace's PID 1), and a SIGKILL sent by the host to the
 * container's PID 1, found by its nonce (pid_namespaces(7): only signals
 * from an ancestor namespace can kill init without a handler).
 */
static void run_relays_signal_death(struct ht_ctx *t)
{
	_cleanup_free_ char *ready = NULL;
	struct ht_proc r;
	pid_t pid;

	ht_runtime_run(t, &r,
		       HT_ARGS("run", ht_rootfs(), "--", PROBE_IN_ROOTFS, ht_nonce(t), "kill-self",
			       "SEGV"),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 128 + SIGSEGV);
	ht_proc_free(&r);

	ht_runtime_start(t, &r,
			 HT_ARGS("run", ht_rootfs(), "--", PROBE_IN_ROOTFS, ht_nonce(t), "pause"),
			 NULL);
	if (ht_proc_read_line(&r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_proc_free(&r);
		ht_fail(t, "the container never printed its ready line");
		return;
	}
	pid = iso_host_pid_of(t);
	HT_ASSERT(t, pid > 0);
	HT_EXPECT_EQ(t, ht_ns_pid(pid), 1);
	HT_SETUP(t, kill(pid, SIGKILL));
	HT_SETUP(t, ht_proc_wait(&r, ht_timeout_ms(t, 10000)));
	HT_EXPECT_EXIT(t, &r, 128 + SIGKILL);
	ht_proc_free(&r);
}
HT_TEST(run_relays_signal_death, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/* stdout and stderr pass through byte-exact, NUL bytes and missing final newline included. */
static void run_passes_output_exactly(struct ht_ctx *t)
{
	static const char want_out[] = "a\0b\n\xff\xfe tail";
	struct ht_proc r;

	ht_runtime_run(t, &r,
		       HT_ARGS("run", ht_rootfs(), "--", "/bin/sh", "-c",
			       "printf 'a\\000b\\n\\377\\376 tail'; printf 'to-stderr\\n' >&2"),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	HT_EXPECT_EQ(t, r.out_len, sizeof(want_out) - 1);
	HT_EXPECT(t, r.out_len == sizeof(want_out) - 1 && memcmp(r.out, want_out, r.out_len) == 0);
	HT_EXPECT_STREQ(t, r.err, "to-stderr\n");
	ht_proc_free(&r);
}
HT_TEST(run_passes_output_exactly, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/*
 * SIGTERM sent to the runtime reaches the command (the contract forwards
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2): a shell that traps
 * it exits 42, and that status is relayed.
 */
static void run_forwards_sigterm(struct ht_ctx *t)
{
	_cleanup_free_ char *ready = NULL;
	struct ht_proc r;

	ht_runtime_start(t, &r,
			 HT_ARGS("run", ht_rootfs(), "--", "/bin/sh", "-c",
				 "trap 'exit 42' TERM; echo ready; sleep 1000 & wait", ht_nonce(t)),
			 NULL);
	if (ht_proc_read_line(&r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_proc_free(&r);
		ht_fail(t, "the container never printed its ready line");
		return;
	}
	HT_EXPECT_STREQ(t, ready, "ready");
	/* The runtime's own pid only: not its process group. */
	HT_SETUP(t, kill(r.pid, SIGTERM));
	HT_SETUP(t, ht_proc_wait(&r, ht_timeout_ms(t, 10000)));
	HT_EXPECT_EXIT(t, &r, 42);
	ht_proc_free(&r);
}
HT_TEST(run_forwards_sigterm, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/*
 * If the runtime itself is SIGKILLed, the container does not outlive it.
 * The container holds our stdout pipe, so EOF on it means every process of
 * the container is gone (pipe(7)); a deadline bounds the wait.
 */
static void run_container_dies_with_runtime(struct ht_ctx *t)
{
	_cleanup_free_ char *ready = NULL, *more = NULL;
	_cleanup_free_ pid_t *left = NULL;
	struct ht_proc r;
	int rc;

	ht_runtime_start(t, &r,
			 HT_ARGS("run", ht_rootfs(), "--", PROBE_IN_ROOTFS, ht_nonce(t), "pause"),
			 NULL);
	if (ht_proc_read_line(&r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_proc_free(&r);
		ht_fail(t, "the container never printed its ready line");
		return;
	}
	HT_ASSERT(t, iso_host_pid_of(t) > 0);
	HT_SETUP(t, kill(r.pid, SIGKILL));
	rc = ht_proc_read_line(&r, ht_timeout_ms(t, 5000), &more);
	if (rc == -ETIMEDOUT)
		ht_fail(t, "the container still runs 5 s after its runtime was killed");
	else
		HT_EXPECT_EQ(t, rc, -EPIPE);
	HT_EXPECT_EQ(t, ht_pids_with_arg(ht_nonce(t), &left), 0);
	ht_proc_free(&r);
}
HT_TEST(run_container_dies_with_runtime, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));
