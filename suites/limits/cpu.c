// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CPU limits (lesson 7): cpu.max is a bandwidth quota per period, enforced
 * by throttling, and cpu.weight shares a contended CPU in proportion
 * (cgroup-v2.rst, "CPU Interface Files"; sched-bwc.rst).
 *
 * The host measures: it samples the group's cpu.stat usage_usec at the two
 * ends of a window of its own wall clock while the burner runs, so neither
 * the container's start-up nor the probe's own account enters the ratio.
 * The window opens once the container has printed a line, after which it
 * only burns, and the burn outlasts the window with room to spare. Under TCG
 * the guest's clocks stay consistent, so the ratios hold there too.
 */
#include <sched.h>

#include "lim.h"

#define NEEDS_CPU HT_NEEDS("cgroup2.cpu", LIM_RUN_NEEDS)

/*
 * The measurement window, in ms of wall time: a whole number (15) of the
 * 100 ms periods of cpu.max, so the usage it sees under a quota does not
 * depend on where in a period it opens.
 */
#define WINDOW_MS 1500

/* The burner: print a line (the window may open), then burn for ms. */
static char *burner(struct ht_ctx *t, int ms)
{
	return ht_xasprintf("%s %s getpid && exec %s %s cpuburn %d", LIM_PROBE, ht_nonce(t),
			    LIM_PROBE, ht_nonce(t), ms);
}

/*
 * Start the runtime with a burner under p and return its group once it
 * burns (known: a group of another burner already there, or NULL).
 */
static char *start_burner(struct ht_ctx *t, struct ht_proc *r, const char *p, const char *opt,
			  const char *value, int ms, const char *known)
{
	_cleanup_free_ char *script = burner(t, ms);
	char *g;
	json_t *j;

	ht_runtime_start(t, r,
			 HT_ARGS("run", "--cgroup-parent", p, opt, value, ht_rootfs(), "--",
				 "/bin/sh", "-c", script),
			 NULL);
	g = lim_wait_group(t, p, r, known);
	if (!g)
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__, "no group to measure");
	j = lim_next_probe_line(t, r);
	if (!j)
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__, "the burner never started");
	json_decref(j);
	return g;
}

/* Wait for a burner's runtime: it exits 0 after the burn, with the probe's line. */
static void finish_burner(struct ht_ctx *t, struct ht_proc *r)
{
	HT_SETUP(t, ht_proc_wait(r, ht_timeout_ms(t, 20000)));
	HT_EXPECT_EXIT(t, r, 0);
	json_decref(ht_probe_json(t, r));
	ht_proc_free(r);
}

/*
 * --cpus 0.5 (cpu.max "50000 100000"): over the window the group's
 * usage_usec grows by 50% ± 10% of the wall time, and cpu.stat nr_throttled
 * says the quota ran out. /proc/PID/cgroup of the burner names the group
 * that was measured.
 */
static void cpu_max_caps_usage_at_half(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("cpu"));
	_cleanup_free_ char *g = NULL, *root = lim_cg_root(t), *seen = NULL;
	long long u0, u1;
	uint64_t t0, t1;
	struct ht_proc r;
	pid_t pid;

	g = start_burner(t, &r, p, "--cpus", "0.5", WINDOW_MS + 1000, NULL);
	u0 = lim_key(g, "cpu.stat", "usage_usec");
	t0 = ht_now_ns();
	if (!lim_window(&r, WINDOW_MS))
		ht_fail(t, "the burner ended inside the window");
	u1 = lim_key(g, "cpu.stat", "usage_usec");
	t1 = ht_now_ns();
	HT_EXPECT_CLOSE(t, (double)(u1 - u0) * 1000.0 / (double)(t1 - t0), 0.5, 10);
	HT_EXPECT_GT(t, lim_key(g, "cpu.stat", "nr_throttled"), 0);
	/* By now the shell has exec'd the burner, which is the container's init. */
	pid = lim_container_init(t);
	HT_EXPECT_GT(t, pid, 0);
	seen = pid > 0 ? lim_cgroup_of(pid) : NULL;
	HT_EXPECT_STREQ(t, seen, g + strlen(root));
	finish_burner(t, &r);
	lim_parent_done(t, p);
}
HT_TEST(cpu_max_caps_usage_at_half, .area = HT_AREA_LIMITS, .lesson = 7, .timeout_s = 40,
	.needs = NEEDS_CPU, .tags = "doc:cgroup-v2.rst#cpu-interface-files");

/*
 * cpu.weight 200 against 100, two burners sharing one CPU: over the window
 * the first group's usage grows twice as fast as the second's (2 ± 0.3).
 * The test pins itself to one CPU (sched_setaffinity(2)) before starting
 * the runtimes, and they and their containers inherit the mask, so the two
 * contend wherever the host has more CPUs (a one-vCPU VM contends anyway).
 */
static void cpu_weight_shares_a_cpu(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("cpu"));
	_cleanup_free_ char *heavy = NULL, *light = NULL;
	long long h0, h1, l0, l1;
	struct ht_proc rh, rl;
	cpu_set_t set;
	int cpu = 0;

	HT_SETUP(t, sched_getaffinity(0, sizeof(set), &set));
	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
		cpu++;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	HT_SETUP(t, sched_setaffinity(0, sizeof(set), &set));

	/* The first burns alone while the second starts: it burns longer. */
	heavy = start_burner(t, &rh, p, "--cpu-weight", "200", WINDOW_MS + 2500, NULL);
	light = start_burner(t, &rl, p, "--cpu-weight", "100", WINDOW_MS + 1000, heavy);
	h0 = lim_key(heavy, "cpu.stat", "usage_usec");
	l0 = lim_key(light, "cpu.stat", "usage_usec");
	if (!lim_window(&rl, WINDOW_MS) || !lim_window(&rh, 0))
		ht_fail(t, "a burner ended inside the window");
	h1 = lim_key(heavy, "cpu.stat", "usage_usec");
	l1 = lim_key(light, "cpu.stat", "usage_usec");
	HT_ASSERT(t, l1 - l0 > 0);
	HT_EXPECT_CLOSE(t, (double)(h1 - h0) / (double)(l1 - l0), 2.0, 15);
	finish_burner(t, &rh);
	finish_burner(t, &rl);
	lim_parent_done(t, p);
}
HT_TEST(cpu_weight_shares_a_cpu, .area = HT_AREA_LIMITS, .lesson = 7, .timeout_s = 40,
	.needs = NEEDS_CPU, .tags = "doc:cgroup-v2.rst#cpu-interface-files");
