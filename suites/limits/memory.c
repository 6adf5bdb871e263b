// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Memory limits (lesson 6): memory.max is a hard cap enforced by the OOM
 * killer, memory.high a soft one enforced by reclaim and throttling, and
 * without a limit the same allocation goes through (cgroup-v2.rst,
 * "Memory Interface Files").
 *
 * The runtime's group is gone when it returns, so the counters are read
 * from PARENT before and after: memory.events is hierarchical (it counts the
 * events of the whole subtree; memory.events.local has the group's own,
 * unless cgroup2 is mounted with memory_localevents), and so are the PSI
 * totals of memory.pressure.
 */
#include "lim.h"

#define NEEDS_MEMORY HT_NEEDS("cgroup2.memory", LIM_RUN_NEEDS)

/*
 * memory.max = 50M: allocating 200M inside gets the command OOM-killed. The
 * runtime relays SIGKILL as 137, PARENT's memory.events oom_kill rises, and
 * the group is removed.
 */
static void memory_max_oom_kills_the_command(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("memory"));
	long long before = lim_key(p, "memory.events", "oom_kill");
	struct ht_proc r;

	HT_ASSERT(t, before >= 0);
	ht_runtime_run(t, &r,
		       HT_ARGS("run", "--cgroup-parent", p, "--memory", "50M", ht_rootfs(), "--",
			       LIM_PROBE, ht_nonce(t), "memhog", "200M"),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 137);
	/* memhog prints only once it has it all: nothing means it never got there. */
	if (r.out_len)
		ht_fail(t, "the allocation finished under memory.max 50M: \"%.200s\"", r.out);
	HT_EXPECT_GE(t, lim_key(p, "memory.events", "oom_kill") - before, 1);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(memory_max_oom_kills_the_command, .area = HT_AREA_LIMITS, .lesson = 6, .timeout_s = 30,
	.needs = NEEDS_MEMORY, .tags = "doc:cgroup-v2.rst#memory-interface-files");

/*
 * memory.high = 32M, 34M allocated: no OOM kill, the allocation finishes,
 * but only after the kernel has reclaimed and throttled it. PARENT's
 * memory.events high counts each time the group went over, and with PSI
 * the stall shows as time in memory.pressure "some total" (in µs, so it
 * rises at once; avg10 would need 2 s periods to move). Nothing here can
 * be swapped or reclaimed (anonymous memory, no swap), so the allocator is
 * put to sleep for a time that grows with the square of the overage
 * (mem_cgroup_handle_over_high): 2M over 32M keeps that near a second, 4M
 * over would already take six.
 */
static void memory_high_throttles_the_allocator(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("memory"));
	long long high = lim_key(p, "memory.events", "high");
	long long oom = lim_key(p, "memory.events", "oom_kill");
	double stall = lim_nested_key(p, "memory.pressure", "some", "total");
	struct ht_proc r;
	json_t *j;

	HT_ASSERT(t, high >= 0);
	ht_runtime_run(t, &r,
		       HT_ARGS("run", "--cgroup-parent", p, "--memory-high", "32M", ht_rootfs(),
			       "--", LIM_PROBE, ht_nonce(t), "memhog", "34M"),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j)
		HT_EXPECT_EQ(t, json_integer_value(json_object_get(j, "allocated")), 34 << 20);
	json_decref(j);
	HT_EXPECT_GT(t, lim_key(p, "memory.events", "high") - high, 0);
	HT_EXPECT_EQ(t, lim_key(p, "memory.events", "oom_kill") - oom, 0);
	/* PSI may be off (psi=0): then the file is missing or refuses reads. */
	if (stall >= 0)
		HT_EXPECT_GT(t, lim_nested_key(p, "memory.pressure", "some", "total") - stall, 0);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(memory_high_throttles_the_allocator, .area = HT_AREA_LIMITS, .lesson = 6, .timeout_s = 30,
	.needs = NEEDS_MEMORY, .tags = "doc:cgroup-v2.rst#memory-interface-files");

/*
 * The same 200M with `--memory max` (a group, no limit): it all goes
 * through, exit 0, no OOM kill, and PARENT's memory.peak (Linux 5.19) shows
 * that the 200M were charged under PARENT, so the command did run there.
 */
static void memory_unlimited_allocation_succeeds(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("memory"));
	long long oom = lim_key(p, "memory.events", "oom_kill");
	struct ht_proc r;
	json_t *j;

	HT_ASSERT(t, oom >= 0);
	ht_runtime_run(t, &r,
		       HT_ARGS("run", "--cgroup-parent", p, "--memory", "max", ht_rootfs(), "--",
			       LIM_PROBE, ht_nonce(t), "memhog", "200M"),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j)
		HT_EXPECT_EQ(t, json_integer_value(json_object_get(j, "allocated")), 200 << 20);
	json_decref(j);
	HT_EXPECT_EQ(t, lim_key(p, "memory.events", "oom_kill") - oom, 0);
	if (lim_has(p, "memory.peak"))
		HT_EXPECT_GE(t, lim_value(p, "memory.peak"), 200LL << 20);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(memory_unlimited_allocation_succeeds, .area = HT_AREA_LIMITS, .lesson = 6, .timeout_s = 30,
	.needs = NEEDS_MEMORY);
