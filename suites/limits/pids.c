// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pids limit (cgroup-v2.rst, "PID"): pids.max caps the number of tasks
 * in a group; a fork(2) that would exceed it fails with EAGAIN, and
 * pids.events "max" counts the refusals. The limit is what stops a fork
 * bomb, which is why lesson 12 pairs it with user namespaces: the bomb of
 * an unprivileged "root" is contained by the group, not by its uid.
 *
 * Until Linux 6.13 pids.events counts a refusal in the group of the task
 * that forked, not in its ancestors, so the tests read the group's own file
 * while the group still lives: the container ends in the probe's `pause`
 * (or `sleep`), and the test ends it.
 */
#include <signal.h>

#include "lim.h"

/*
 * --pids 8: the container's shell, the probe and six children fill the
 * group; the probe's next fork, the one that would make a ninth task,
 * fails with EAGAIN. pids.events max counts it, pids.max reads 8. Killed
 * from the host, the container's init is relayed as 137 and the group goes.
 */
static void pids_max_refuses_the_fork_past_the_limit(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("pids"));
	_cleanup_free_ char *g = NULL;
	_cleanup_free_ char *script = ht_xasprintf("%s %s forkbomb 64; exec %s %s pause", LIM_PROBE,
						   ht_nonce(t), LIM_PROBE, ht_nonce(t));
	struct ht_proc r;
	pid_t init;
	json_t *j;

	ht_runtime_start(t, &r,
			 HT_ARGS("run", "--cgroup-parent", p, "--pids", "8", ht_rootfs(), "--",
				 "/bin/sh", "-c", script),
			 NULL);
	g = lim_wait_group(t, p, &r, NULL);
	HT_ASSERT(t, g != NULL);
	j = lim_next_probe_line(t, &r);
	if (j) {
		HT_EXPECT_EQ(t, json_integer_value(json_object_get(j, "forked")), 8 - 2);
		HT_EXPECT_STREQ(t, json_string_value(json_object_get(j, "errno_name")), "EAGAIN");
	}
	json_decref(j);
	json_decref(lim_next_probe_line(t, &r));
	HT_EXPECT_GE(t, lim_key(g, "pids.events", "max"), 1);
	HT_EXPECT_EQ(t, lim_value(g, "pids.max"), 8);
	init = lim_container_init(t);
	HT_ASSERT(t, init > 0);
	HT_SETUP(t, kill(init, SIGKILL));
	HT_SETUP(t, ht_proc_wait(&r, ht_timeout_ms(t, 20000)));
	HT_EXPECT_EXIT(t, &r, 137);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(pids_max_refuses_the_fork_past_the_limit, .area = HT_AREA_LIMITS, .lesson = 5,
	.timeout_s = 30, .needs = HT_NEEDS("cgroup2.pids", LIM_RUN_NEEDS),
	.tags = "doc:cgroup-v2.rst#pid man:fork(2)");

/*
 * A real fork bomb (a shell function piping into itself in the
 * background) under --pids 16, with no PID namespace to end it: the group
 * never holds more than 16 tasks, pids.events max counts refusals, the
 * host can still start a process meanwhile, and the command itself (the
 * shell, exec'd into the probe's 2.5 s sleep) runs to its end. When it
 * exits the runtime must kill the bomb's orphans and remove the group: no
 * process with the test's nonce survives it.
 *
 * PARENT's own pids.max 64 is a safety net: a runtime that ignores --pids
 * fails the test without taking the host down.
 */
static void pids_fork_bomb_is_contained(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("pids"));
	_cleanup_free_ char *g = NULL, *script = NULL;
	_cleanup_free_ pid_t *left = NULL;
	struct ht_proc r, host;
	long long cur;

	HT_SETUP(t, lim_write(p, "pids.max", "64"));
	/* $0 is the nonce, so every forked shell of the bomb carries it in argv. */
	script = ht_xasprintf("exec 2>/dev/null; b() { b | b & }; b; exec %s %s sleep 2500",
			      ht_probe_host_path(), ht_nonce(t));
	ht_runtime_start(t, &r,
			 HT_ARGS("ns", "uts", "--cgroup-parent", p, "--pids", "16", "--", "/bin/sh",
				 "-c", script, ht_nonce(t)),
			 NULL);
	g = lim_wait_group(t, p, &r, NULL);
	HT_ASSERT(t, g != NULL);
	HT_EXPECT_GE(t, lim_wait_key(t, g, "pids.events", "max", 1), 1);
	cur = lim_value(g, "pids.current");
	HT_EXPECT_GE(t, cur, 1);
	HT_EXPECT(t, cur <= 16);
	/* pids.peak (Linux 6.1) saw every task the bomb ever had at once. */
	if (lim_has(g, "pids.peak"))
		HT_EXPECT(t, lim_value(g, "pids.peak") <= 16);
	/* The host is not starved of pids or CPU: a process of its own starts and ends. */
	ht_cmd_run(t, &host, HT_ARGS(ht_probe_host_path(), "host", "getpid"),
		   &(struct ht_proc_opts){ .timeout_ms = ht_timeout_ms(t, 10000) });
	HT_EXPECT_EXIT(t, &host, 0);
	ht_proc_free(&host);

	HT_SETUP(t, ht_proc_wait(&r, ht_timeout_ms(t, 20000)));
	HT_EXPECT_EXIT(t, &r, 0);
	json_decref(ht_probe_json(t, &r));
	HT_EXPECT_EQ(t, ht_pids_with_arg(ht_nonce(t), &left), 0);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(pids_fork_bomb_is_contained, .area = HT_AREA_LIMITS, .lesson = 12, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.pids", "ns.uts"), .tags = "doc:cgroup-v2.rst#pid");
