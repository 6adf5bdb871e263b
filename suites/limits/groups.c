// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whole groups (lessons 5 and 6): a group is deleted with everything in it
 * (cgroup.kill, then rmdir deepest first), a run leaves no group and no
 * process behind, a limit on an ancestor binds its descendants (limits are
 * hierarchical: cgroup-v2.rst, "Top-down Constraint"), and the pressure
 * files (PSI, Documentation/accounting/psi.rst) report a stall as it
 * happens.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "lim.h"

/* How many processes cgroup.procs lists, -1 when it cannot be read. */
static int own_processes(const char *group)
{
	_cleanup_free_ char *procs = NULL;
	int n = 0;

	if (lim_read(group, "cgroup.procs", &procs) < 0)
		return -1;
	for (const char *c = procs; *c; c++)
		n += *c == '\n';
	return n;
}

/*
 * `contain cgroup create` makes PARENT/g (with pids.max 32) and g/sub, two
 * `cgroup exec` put a process in each, and `cgroup delete g` kills both
 * and removes both groups: the host sees the directories gone, and the two
 * `cgroup exec` runtimes relay their commands' SIGKILL as 137.
 */
static void cgroup_delete_kills_and_removes_a_tree(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("pids"));
	_cleanup_free_ char *g = ht_xasprintf("%s/g", p), *sub = ht_xasprintf("%s/g/sub", p);
	_cleanup_free_ char *printed = ht_xasprintf("%s\n", g);
	const char *probe = ht_probe_host_path();
	struct ht_proc c, a, b;

	HT_SETUP(t, ht_journal_add(t, "cgroup", g, NULL, NULL));
	HT_SETUP(t, ht_journal_add(t, "cgroup", sub, NULL, NULL));
	ht_runtime_run(t, &c, HT_ARGS("cgroup", "create", g, "--pids", "32"), NULL);
	HT_ASSERT_EXIT(t, &c, 0);
	HT_EXPECT_STREQ(t, c.out, printed);
	ht_proc_free(&c);
	HT_EXPECT_EQ(t, lim_value(g, "pids.max"), 32);
	ht_runtime_run(t, &c, HT_ARGS("cgroup", "create", sub), NULL);
	HT_ASSERT_EXIT(t, &c, 0);
	ht_proc_free(&c);

	ht_runtime_start(t, &a, HT_ARGS("cgroup", "exec", g, "--", probe, ht_nonce(t), "pause"),
			 NULL);
	json_decref(lim_next_probe_line(t, &a));
	ht_runtime_start(t, &b, HT_ARGS("cgroup", "exec", sub, "--", probe, ht_nonce(t), "pause"),
			 NULL);
	json_decref(lim_next_probe_line(t, &b));
	/* populated is hierarchical; cgroup.procs lists a group's own processes. */
	HT_EXPECT(t, own_processes(g) == 1);
	HT_EXPECT(t, own_processes(sub) == 1);

	ht_runtime_run(t, &c, HT_ARGS("cgroup", "delete", g), NULL);
	HT_EXPECT_EXIT(t, &c, 0);
	ht_proc_free(&c);
	HT_EXPECT(t, access(sub, F_OK) < 0 && errno == ENOENT);
	HT_EXPECT(t, access(g, F_OK) < 0 && errno == ENOENT);
	HT_SETUP(t, ht_proc_wait(&a, ht_timeout_ms(t, 10000)));
	HT_SETUP(t, ht_proc_wait(&b, ht_timeout_ms(t, 10000)));
	HT_EXPECT_EXIT(t, &a, 137);
	HT_EXPECT_EXIT(t, &b, 137);
	lim_parent_done(t, p);
	ht_proc_free(&a);
	ht_proc_free(&b);
}
HT_TEST(cgroup_delete_kills_and_removes_a_tree, .area = HT_AREA_LIMITS, .lesson = 5,
	.timeout_s = 30, .needs = HT_NEEDS("cgroup2.pids"),
	.tags = "doc:cgroup-v2.rst#core-interface-files");

/*
 * A run whose command exits while a process it started still runs, with
 * no PID namespace to end that process: the runtime relays the command's
 * status (3), kills what is left in its group and removes the group. The
 * leftover announced itself through a FIFO before the command exited, so it
 * was there to be killed.
 */
static void cgroup_run_leaves_nothing_behind(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("pids"));
	_cleanup_free_ char *fifo = ht_xasprintf("%s/ready", ht_scratch_dir(t)), *script = NULL;
	_cleanup_free_ pid_t *left = NULL;
	struct ht_proc r;
	json_t *j;

	HT_SETUP(t, mkfifo(fifo, 0600));
	script = ht_xasprintf(
		"%s %s pause > %s & read line < %s && printf '%%s\\n' \"$line\" && exit 3",
		ht_probe_host_path(), ht_nonce(t), fifo, fifo);
	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "uts", "--cgroup-parent", p, "--pids", "16", "--", "/bin/sh",
			       "-c", script),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 3);
	j = ht_probe_json(t, &r);
	if (j)
		HT_EXPECT(t, json_is_true(json_object_get(j, "ready")));
	json_decref(j);
	HT_EXPECT_EQ(t, ht_pids_with_arg(ht_nonce(t), &left), 0);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(cgroup_run_leaves_nothing_behind, .area = HT_AREA_LIMITS, .lesson = 5, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.pids", "ns.uts"));

/*
 * PARENT's pids.max 5 binds the group below it, whose own pids.max is
 * `max`: the probe and four children fill PARENT, the fifth fork fails
 * with EAGAIN.
 */
static void cgroup_parent_limit_caps_the_child(struct ht_ctx *t)
{
	_cleanup_free_ char *p = lim_parent(t, HT_ARGS("pids"));
	struct ht_proc r;
	json_t *j;

	HT_SETUP(t, lim_write(p, "pids.max", "5"));
	ht_runtime_run(t, &r,
		       HT_ARGS("run", "--cgroup-parent", p, "--pids", "max", ht_rootfs(), "--",
			       LIM_PROBE, ht_nonce(t), "forkbomb", "64"),
		       NULL);
	HT_EXPECT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j) {
		HT_EXPECT_EQ(t, json_integer_value(json_object_get(j, "forked")), 4);
		HT_EXPECT_STREQ(t, json_string_value(json_object_get(j, "errno_name")), "EAGAIN");
	}
	json_decref(j);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(cgroup_parent_limit_caps_the_child, .area = HT_AREA_LIMITS, .lesson = 5, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.pids", LIM_RUN_NEEDS),
	.tags = "doc:cgroup-v2.rst#top-down-constraint");

/*
 * PSI: the group has cpu.pressure, memory.pressure and io.pressure, and an
 * allocation held far above memory.high stalls in memory: a PSI trigger
 * (psi.rst, "Userspace monitors": 50 ms of "some" stall within 1 s) on the
 * group's memory.pressure fires, and "some total" (µs, always current; the
 * avg10 average only moves every 2 s) is above zero. The allocation never
 * finishes; the test kills the container's init, the runtime relays 137
 * and removes the group.
 */
static void cgroup_psi_reports_memory_stall(struct ht_ctx *t)
{
	_cleanup_free_ char *p = NULL, *g = NULL, *trig = NULL;
	_cleanup_close_ int fd = -1;
	struct ht_proc r;
	pid_t init;

	if (access("/proc/pressure/memory", R_OK) < 0)
		ht_report_exit(t, HT_SKIP, __FILE__, __LINE__,
			       "PSI is off on this kernel (/proc/pressure/memory: %s): "
			       "CONFIG_PSI=n, or psi=0 / CONFIG_PSI_DEFAULT_DISABLED without psi=1",
			       ht_errno_name(errno));
	p = lim_parent(t, HT_ARGS("memory"));
	ht_runtime_start(t, &r,
			 HT_ARGS("run", "--cgroup-parent", p, "--memory-high", "8M", ht_rootfs(),
				 "--", LIM_PROBE, ht_nonce(t), "memhog", "256M"),
			 NULL);
	g = lim_wait_group(t, p, &r, NULL);
	HT_ASSERT(t, g != NULL);
	HT_EXPECT(t, lim_has(g, "cpu.pressure"));
	HT_EXPECT(t, lim_has(g, "memory.pressure"));
	HT_EXPECT(t, lim_has(g, "io.pressure"));

	trig = ht_xasprintf("%s/memory.pressure", g);
	fd = HT_SETUP(t, open(trig, O_RDWR | O_NONBLOCK | O_CLOEXEC));
	HT_SETUP(t, ht_write_all(fd, "some 50000 1000000", strlen("some 50000 1000000") + 1));
	{
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		int n = poll(&pfd, 1, ht_timeout_ms(t, 20000));

		if (n == 0)
			ht_fail(t, "the PSI trigger on %s never fired", trig);
		else
			HT_EXPECT(t, n == 1 && (pfd.revents & POLLPRI));
	}
	HT_EXPECT_GT(t, lim_nested_key(g, "memory.pressure", "some", "total"), 0);
	HT_EXPECT_GE(t, lim_key(g, "memory.events", "high"), 1);

	init = lim_container_init(t);
	HT_ASSERT(t, init > 0);
	HT_SETUP(t, kill(init, SIGKILL));
	HT_SETUP(t, ht_proc_wait(&r, ht_timeout_ms(t, 20000)));
	HT_EXPECT_EXIT(t, &r, 137);
	lim_parent_done(t, p);
	ht_proc_free(&r);
}
HT_TEST(cgroup_psi_reports_memory_stall, .area = HT_AREA_LIMITS, .lesson = 6, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.memory", LIM_RUN_NEEDS), .tags = "doc:psi.rst");
