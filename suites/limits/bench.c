// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a cgroup costs a container: `contain run` with limits (create the
 * group, enable and write memory.max, cpu.max and pids.max, attach, then
 * kill, wait and remove it) against the same run without any cgroup,
 * interleaved. The difference of the medians is the create + configure +
 * attach + delete cycle as the runtime does it.
 *
 * A selftest fixture, not a behaviour: it only runs when named
 * (`--selftest -t bench_limits_cycle`), which ci/bench-cgroup.sh does inside
 * a fresh VM; the figures are in its PASS message.
 */
#include <stdlib.h>

#include "lim.h"

#define ROUNDS 41

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static uint64_t timed_run(struct ht_ctx *t, const char *const *args)
{
	struct ht_proc r;
	uint64_t t0 = ht_now_ns(), dt;

	ht_runtime_run(t, &r, args, NULL);
	dt = ht_now_ns() - t0;
	HT_EXPECT_EXIT(t, &r, 0);
	ht_proc_free(&r);
	return dt;
}

static void bench_limits_cycle(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("memory", "cpu", "pids"));
	uint64_t with[ROUNDS], without[ROUNDS], mw, mo;

	for (int i = 0; i < ROUNDS; i++) {
		without[i] = timed_run(t, HT_ARGS("run", ht_rootfs(), "--", "/bin/true"));
		with[i] = timed_run(t, HT_ARGS("run", "--cgroup-parent", p, "--memory", "64M",
					       "--cpus", "0.5", "--pids", "32", ht_rootfs(), "--",
					       "/bin/true"));
	}
	mw = median(with, ROUNDS);
	mo = median(without, ROUNDS);
	ht_pass(t,
		"cgroup cycle: %lld us (median run with limits %llu us, without %llu us, %d "
		"interleaved rounds)",
		(long long)mw / 1000 - (long long)mo / 1000, (unsigned long long)mw / 1000,
		(unsigned long long)mo / 1000, ROUNDS);
	{
		_cleanup_free_ char *left = lim_children(p);

		HT_EXPECT_STREQ(t, left ? left : "", "");
	}
	lim_parent_done(t, p);
}
HT_TEST(bench_limits_cycle, .area = HT_AREA_LIMITS, .lesson = 5, .timeout_s = 120, .selftest = true,
	.needs = HT_NEEDS("cgroup2.memory", "cgroup2.cpu", "cgroup2.pids"));
