// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad limits (lessons 5-7): each invalid value is refused with exit 125
 * and a message naming the option (CONTRACT.md, "cgroup v2 limits"), the
 * command never runs, and no group is left under PARENT, including when
 * the kernel refuses a limit after the group was made.
 */
#include <string.h>

#include "lim.h"

/*
 * `run --cgroup-parent PARENT OPTION VALUE ROOTFS -- probe getpid` is
 * refused: 125, stderr names OPTION, no probe output, nothing under PARENT.
 */
static void expect_run_refused(struct ht_ctx *t, const char *p, const char *opt, const char *value,
			       const char *named)
{
	_cleanup_free_ char *left = NULL;
	struct ht_proc r;

	ht_runtime_run(t, &r,
		       HT_ARGS("run", "--cgroup-parent", p, opt, value, ht_rootfs(), "--",
			       LIM_PROBE, ht_nonce(t), "getpid"),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 125);
	if (!strstr(r.err, named))
		ht_fail(t, "%s %s: the message does not name %s: \"%.300s\"", opt, value, named,
			r.err);
	if (r.out_len)
		ht_fail(t, "%s %s: the command ran: \"%.200s\"", opt, value, r.out);
	left = lim_children(p);
	if (*left)
		ht_fail(t, "%s %s: left behind under %s: %s", opt, value, p, left);
	ht_proc_free(&r);
}

/* Sizes that are not bytes with an optional K, M, G or T suffix, nor `max`. */
static void limits_badinput_memory_sizes(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("memory"));

	expect_run_refused(t, p, "--memory", "12Q", "--memory");
	expect_run_refused(t, p, "--memory", "-5M", "--memory");
	expect_run_refused(t, p, "--memory", "", "--memory");
	expect_run_refused(t, p, "--memory-high", "1.5.0G", "--memory-high");
	lim_parent_done(t, p);
}
HT_TEST(limits_badinput_memory_sizes, .area = HT_AREA_LIMITS, .lesson = 6, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.memory", LIM_RUN_NEEDS));

/* A negative, a zero and a too-large weight; too few and non-numeric CPUs. */
static void limits_badinput_cpu_values(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("cpu"));

	expect_run_refused(t, p, "--cpu-weight", "-1", "--cpu-weight");
	expect_run_refused(t, p, "--cpu-weight", "0", "--cpu-weight");
	expect_run_refused(t, p, "--cpu-weight", "10001", "--cpu-weight");
	expect_run_refused(t, p, "--cpus", "0.001", "--cpus");
	expect_run_refused(t, p, "--cpus", "half", "--cpus");
	lim_parent_done(t, p);
}
HT_TEST(limits_badinput_cpu_values, .area = HT_AREA_LIMITS, .lesson = 7, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.cpu", LIM_RUN_NEEDS));

/*
 * Bad pids and io.max values, and `contain cgroup` with a controller it
 * does not know: 125, named, and `cgroup create` with a bad limit makes no
 * group.
 */
static void limits_badinput_pids_io_and_controller(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("pids"));
	_cleanup_free_ char *g = ht_xasprintf("%s/g", p);
	struct ht_proc r;

	expect_run_refused(t, p, "--pids", "lots", "--pids");
	expect_run_refused(t, p, "--pids", "0", "--pids");
	expect_run_refused(t, p, "--pids", "-3", "--pids");
	expect_run_refused(t, p, "--io-max", "fast", "--io-max");
	expect_run_refused(t, p, "--io-max", "8:0 zbps=1", "--io-max");

	ht_runtime_run(t, &r, HT_ARGS("cgroup", "frobnicator", g, "--max", "1"), NULL);
	HT_EXPECT_EXIT(t, &r, 125);
	if (!strstr(r.err, "frobnicator"))
		ht_fail(t, "the message does not name the controller: \"%.300s\"", r.err);
	ht_proc_free(&r);

	HT_SETUP(t, ht_journal_add(t, "cgroup", g, NULL, NULL));
	ht_runtime_run(t, &r, HT_ARGS("cgroup", "create", g, "--pids", "lots"), NULL);
	HT_EXPECT_EXIT(t, &r, 125);
	if (!strstr(r.err, "--pids"))
		ht_fail(t, "the message does not name --pids: \"%.300s\"", r.err);
	ht_proc_free(&r);
	lim_parent_done(t, p);
}
HT_TEST(limits_badinput_pids_io_and_controller, .area = HT_AREA_LIMITS, .lesson = 5,
	.timeout_s = 30, .needs = HT_NEEDS("cgroup2.pids", LIM_RUN_NEEDS));

/*
 * A well-formed io.max the kernel refuses (a block device that does not
 * exist: ENODEV) fails after the group was made: 125, the message names
 * io.max, and the group is gone again.
 */
static void limits_refused_limit_leaves_no_group(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("io"));
	_cleanup_free_ char *spec = NULL;
	unsigned major = 0;

	/* A major no block driver has registered (/proc/devices), from the local-use range. */
	for (unsigned m = 240; m <= 254 && !major; m++) {
		_cleanup_free_ char *devices = NULL, *line = ht_xasprintf("\n%3u ", m);
		char *blk;

		HT_SETUP(t, ht_read_file(AT_FDCWD, "/proc/devices", &devices));
		blk = strstr(devices, "Block devices:");
		if (!blk || !strstr(blk, line))
			major = m;
	}
	HT_ASSERT(t, major != 0);
	spec = ht_xasprintf("%u:0 rbps=1048576", major);
	expect_run_refused(t, p, "--io-max", spec, "io.max");
	lim_parent_done(t, p);
}
HT_TEST(limits_refused_limit_leaves_no_group, .area = HT_AREA_LIMITS, .lesson = 5, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.io", LIM_RUN_NEEDS));
