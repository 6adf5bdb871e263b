// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cgroup v2 support that needs no controller: the value parsers (cpu.max,
 * io.max), limit validation, the controllers a set of limits needs, path
 * resolution inside the cgroup2 mount, the JSON of interface files, and
 * the forms of `contain cgroup`. As root on a host with a writable cgroup2
 * mount it also makes, kills (with cgroup.kill and without) and deletes a
 * scratch group of its own; elsewhere those tests pass without checking.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contain-cli.h"
#include "ctr-cgroup.h"
#include "ctr-config.h"

#define MAX_ARGS 32

struct args {
	int argc;
	char *argv[MAX_ARGS + 1];
};

static struct args mkargs(const char *first, ...)
{
	struct args a = { 0 };
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s && a.argc < MAX_ARGS; s = va_arg(ap, const char *))
		a.argv[a.argc++] = (char *)s;
	va_end(ap);
	a.argv[a.argc] = NULL;
	return a;
}

static struct args A;
static struct cli_cgroup_opts o;
static struct ctr_error err;

#define CG(...) \
	(A = mkargs("cgroup", __VA_ARGS__, NULL), cmd_cgroup_parse(A.argc, A.argv, &o, &err))

#define ck_usage(r, want)                                                                     \
	do {                                                                                  \
		ck_assert_int_lt((r), 0);                                                     \
		ck_assert_int_eq(err.kind, CTR_ERROR_USAGE);                                  \
		ck_assert_msg(strstr(err.msg, (want)) != NULL, "message \"%s\" lacks \"%s\"", \
			      err.msg, (want));                                               \
		ck_assert_int_eq(cli_exit_code(&err), 125);                                   \
	} while (0)

START_TEST(cpu_max_values)
{
	uint64_t q, p;

	ck_assert_int_eq(ctr_parse_cpu_max("--max", "50000 100000", &q, &p, &err), 0);
	ck_assert_uint_eq(q, 50000);
	ck_assert_uint_eq(p, 100000);
	ck_assert_int_eq(ctr_parse_cpu_max("--max", "25000", &q, &p, &err), 0);
	ck_assert_uint_eq(q, 25000);
	ck_assert_uint_eq(p, CTR_CPU_PERIOD_US);
	ck_assert_int_eq(ctr_parse_cpu_max("--max", "max", &q, &p, &err), 0);
	ck_assert_uint_eq(q, CTR_LIMIT_MAX);
	ck_assert_int_eq(ctr_parse_cpu_max("--max", "max 50000", &q, &p, &err), 0);
	ck_assert_uint_eq(p, 50000);
	ck_usage(ctr_parse_cpu_max("--max", "500 100000", &q, &p, &err),
		 "must be at least 1000 us");
	ck_usage(ctr_parse_cpu_max("--max", "5000 999", &q, &p, &err), "must be 1000 to 1000000");
	ck_usage(ctr_parse_cpu_max("--max", "5000 2000000", &q, &p, &err), "period");
	ck_usage(ctr_parse_cpu_max("--max", "half", &q, &p, &err), "invalid value \"half\"");
	ck_usage(ctr_parse_cpu_max("--max", "5000  100000", &q, &p, &err), "invalid value");
	ck_usage(ctr_parse_cpu_max("--max", "-5000", &q, &p, &err), "invalid value");
	ck_usage(ctr_parse_cpu_max("--max", "maxi", &q, &p, &err), "invalid value");
}
END_TEST

START_TEST(io_max_values)
{
	struct ctr_io_max io;
	char buf[128];

	ck_assert_int_eq(ctr_parse_io_max("--io-max", "8:16 rbps=1M wiops=120", &io, &err), 0);
	ck_assert_uint_eq(io.major, 8);
	ck_assert_uint_eq(io.minor, 16);
	ck_assert_uint_eq(io.v[CTR_IO_RBPS], 1u << 20);
	ck_assert_uint_eq(io.v[CTR_IO_WIOPS], 120);
	ck_assert_uint_eq(io.set, (1u << CTR_IO_RBPS) | (1u << CTR_IO_WIOPS));
	ck_assert_int_eq(ctr_io_max_format(&io, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "8:16 rbps=1048576 wiops=120");

	ck_assert_int_eq(ctr_parse_io_max("--io-max", "259:0 wbps=max riops=max", &io, &err), 0);
	ck_assert_int_eq(ctr_io_max_format(&io, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "259:0 wbps=max riops=max");

	ck_usage(ctr_parse_io_max("--io-max", "fast", &io, &err),
		 "invalid value \"fast\" for --io-max");
	ck_usage(ctr_parse_io_max("--io-max", "8:0", &io, &err), "invalid value");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 ", &io, &err), "invalid value");
	ck_usage(ctr_parse_io_max("--io-max", "8 rbps=1", &io, &err), "invalid value");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 rbps", &io, &err), "invalid value");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 bps=1", &io, &err), "unknown key \"bps\"");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 rbps=1 rbps=2", &io, &err), "rbps given twice");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 rbps=0", &io, &err), "more than 0");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 riops=0", &io, &err), "--io-max riops");
	ck_usage(ctr_parse_io_max("--io-max", "8:0 rbps=1Q", &io, &err), "--io-max rbps");
}
END_TEST

START_TEST(io_max_lines_per_device)
{
	struct ctr_limits lim = { 0 };
	struct ctr_io_max io;

	ck_assert_int_eq(ctr_parse_io_max("--max", "8:0 rbps=1", &io, &err), 0);
	ck_assert_int_eq(ctr_limits_add_io_max(&lim, &io, &err), 0);
	ck_assert_int_eq(ctr_parse_io_max("--max", "8:16 rbps=2", &io, &err), 0);
	ck_assert_int_eq(ctr_limits_add_io_max(&lim, &io, &err), 0);
	ck_assert_int_eq(ctr_parse_io_max("--max", "8:0 wbps=3", &io, &err), 0);
	ck_assert_int_eq(ctr_limits_add_io_max(&lim, &io, &err), 0);
	ck_assert_uint_eq(lim.n_io_max, 2);
	ck_assert_uint_eq(lim.io_max[0].set, 1u << CTR_IO_WBPS);
	ck_assert(lim.set & CTR_LIMIT_IO_MAX);
}
END_TEST

START_TEST(limits_validation)
{
	struct ctr_limits lim = { 0 };

	ck_assert_int_eq(ctr_limits_validate(&lim, &err), 0);
	lim.set = CTR_LIMIT_CPUS;
	lim.cpus_milli = 5; /* 0.005 CPUs: a quota of 500 us */
	ck_usage(ctr_limits_validate(&lim, &err), "--cpus must be at least 0.01");
	lim.cpus_milli = 10;
	ck_assert_int_eq(ctr_limits_validate(&lim, &err), 0);
	lim.set |= CTR_LIMIT_CPU_MAX;
	lim.cpu_quota_us = 50000;
	lim.cpu_period_us = 100000;
	ck_usage(ctr_limits_validate(&lim, &err), "set the same cpu.max");
}
END_TEST

START_TEST(controllers_of_limits)
{
	struct ctr_limits lim = { 0 };

	ck_assert_uint_eq(ctr_cgroup_limits_controllers(&lim), 0);
	lim.set = CTR_LIMIT_MEMORY | CTR_LIMIT_MEMORY_NOSWAP;
	ck_assert_uint_eq(ctr_cgroup_limits_controllers(&lim), CTR_CGROUP_MEMORY);
	lim.set = CTR_LIMIT_CPU_WEIGHT | CTR_LIMIT_PIDS;
	ck_assert_uint_eq(ctr_cgroup_limits_controllers(&lim), CTR_CGROUP_CPU | CTR_CGROUP_PIDS);
	lim.set = CTR_LIMIT_IO_MAX | CTR_LIMIT_CPUS | CTR_LIMIT_MEMORY_HIGH;
	ck_assert_uint_eq(ctr_cgroup_limits_controllers(&lim),
			  CTR_CGROUP_IO | CTR_CGROUP_CPU | CTR_CGROUP_MEMORY);
	ck_assert_str_eq(ctr_cgroup_ctrl_name(CTR_CGROUP_MEMORY), "memory");
	ck_assert_str_eq(ctr_cgroup_ctrl_name(CTR_CGROUP_IO), "io");
	ck_assert_ptr_null(ctr_cgroup_ctrl_name(CTR_CGROUP_IO | CTR_CGROUP_CPU));
}
END_TEST

static void resolves(const char *mount, const char *path, const char *want)
{
	char *got = NULL;

	ck_assert_msg(ctr_cgroup_resolve(mount, path, &got, &err) == 0, "%s: %s", path, err.msg);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(path_resolution)
{
	char *got = NULL;
	const char *m = "/sys/fs/cgroup";

	resolves(m, "lab/g1", "/sys/fs/cgroup/lab/g1");
	resolves(m, "/sys/fs/cgroup/lab/g1", "/sys/fs/cgroup/lab/g1");
	resolves(m, "/sys/fs/cgroup//lab/./g1/", "/sys/fs/cgroup/lab/g1");
	resolves(m, "/sys/fs/cgroup", "/sys/fs/cgroup");
	resolves(m, ".", "/sys/fs/cgroup");
	resolves("/", "/x/y", "/x/y");
	resolves("/", "x", "/x");
	ck_usage(
		ctr_cgroup_resolve(m, "/sys/fs/cgroupx/g", &got, &err),
		"cgroup path \"/sys/fs/cgroupx/g\" is not inside the cgroup2 mount /sys/fs/cgroup");
	ck_usage(ctr_cgroup_resolve(m, "/tmp", &got, &err), "is not inside the cgroup2 mount");
	ck_usage(ctr_cgroup_resolve(m, "lab/../../etc", &got, &err), "must not contain \"..\"");
	ck_usage(ctr_cgroup_resolve(m, "", &got, &err), "the cgroup path is empty");
	ck_assert_ptr_null(got);
}
END_TEST

static char *json_of(enum ctr_cgroup_format f, const char *text)
{
	json_t *j = cli_cgroup_file_json(f, text);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_REAL_PRECISION(4));
	json_decref(j);
	return s;
}

#define ck_json(f, text, want)                   \
	do {                                     \
		char *s_ = json_of((f), (text)); \
		ck_assert_str_eq(s_, (want));    \
		free(s_);                        \
	} while (0)

START_TEST(interface_file_json)
{
	ck_json(CTR_CGROUP_SINGLE, "52428800\n", "52428800");
	ck_json(CTR_CGROUP_SINGLE, "max\n", "\"max\"");
	ck_json(CTR_CGROUP_SINGLE, "max 100000\n", "\"max 100000\"");
	ck_json(CTR_CGROUP_SINGLE, "18446744073709551615\n", "\"18446744073709551615\"");
	ck_json(CTR_CGROUP_FLAT, "low 0\nhigh 3\noom_kill 1\n",
		"{\"high\":3,\"low\":0,\"oom_kill\":1}");
	ck_json(CTR_CGROUP_FLAT, "", "{}");
	ck_json(CTR_CGROUP_NESTED,
		"some avg10=1.25 avg60=0.00 avg300=0.00 total=12\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"{\"full\":{\"avg10\":0.0,\"avg300\":0.0,\"avg60\":0.0,\"total\":0},"
		"\"some\":{\"avg10\":1.25,\"avg300\":0.0,\"avg60\":0.0,\"total\":12}}");
	ck_json(CTR_CGROUP_NESTED, "8:0 rbps=1048576 wbps=max riops=max wiops=120\n",
		"{\"8:0\":{\"rbps\":1048576,\"riops\":\"max\",\"wbps\":\"max\",\"wiops\":120}}");
}
END_TEST

START_TEST(cgroup_forms)
{
	ck_assert_int_eq(CG("create", "lab/g", "--memory", "50M", "--pids", "10"), CLI_PARSED);
	ck_assert_int_eq(o.cmd, CLI_CGROUP_CREATE);
	ck_assert_str_eq(o.path, "lab/g");
	ck_assert_uint_eq(o.limits.memory_max, 50u << 20);
	ck_assert_uint_eq(o.limits.pids_max, 10);
	ck_assert_uint_eq(o.limits.set,
			  CTR_LIMIT_MEMORY | CTR_LIMIT_MEMORY_NOSWAP | CTR_LIMIT_PIDS);
	ck_assert_int_eq(CG("create", "--cpus", "0.5", "/sys/fs/cgroup/g"), CLI_PARSED);
	ck_assert_uint_eq(o.limits.cpus_milli, 500);
	ck_assert_int_eq(CG("create", "g"), CLI_PARSED);
	ck_assert_uint_eq(o.limits.set, 0);

	ck_assert_int_eq(CG("attach", "g", "123", "456"), CLI_PARSED);
	ck_assert_uint_eq(o.n_pids, 2);
	ck_assert_int_eq(o.pids[1], 456);

	ck_assert_int_eq(CG("memory", "g", "--max", "1G", "--high", "512M", "--swap-max", "0"),
			 CLI_PARSED);
	ck_assert_uint_eq(o.limits.set,
			  CTR_LIMIT_MEMORY | CTR_LIMIT_MEMORY_HIGH | CTR_LIMIT_MEMORY_SWAP);
	ck_assert_uint_eq(o.limits.memory_high, 512u << 20);
	ck_assert_uint_eq(o.limits.memory_swap_max, 0);

	ck_assert_int_eq(CG("cpu", "g", "--max", "50000 100000", "--weight", "200"), CLI_PARSED);
	ck_assert_uint_eq(o.limits.set, CTR_LIMIT_CPU_MAX | CTR_LIMIT_CPU_WEIGHT);
	ck_assert_uint_eq(o.limits.cpu_quota_us, 50000);
	ck_assert_uint_eq(o.limits.cpu_weight, 200);
	ck_assert_int_eq(CG("cpu", "g", "--cpus", "1.5"), CLI_PARSED);
	ck_assert_uint_eq(o.limits.cpus_milli, 1500);

	ck_assert_int_eq(CG("pids", "g", "--max", "max"), CLI_PARSED);
	ck_assert_uint_eq(o.limits.pids_max, CTR_LIMIT_MAX);
	ck_assert_int_eq(CG("io", "g", "--max", "8:0 rbps=1M", "--max", "8:16 wiops=10"),
			 CLI_PARSED);
	ck_assert_uint_eq(o.limits.n_io_max, 2);

	ck_assert_int_eq(CG("stat", "g"), CLI_PARSED);
	ck_assert(!o.json);
	ck_assert_int_eq(CG("stat", "--json", "g"), CLI_PARSED);
	ck_assert(o.json);

	ck_assert_int_eq(CG("exec", "g", "--", "/bin/sh", "-c", "exit 3"), CLI_PARSED);
	ck_assert_int_eq(o.cmd, CLI_CGROUP_EXEC);
	ck_assert_str_eq(o.argv[0], "/bin/sh");
	ck_assert_str_eq(o.argv[2], "exit 3");
	ck_assert_ptr_null(o.argv[3]);

	ck_assert_int_eq(CG("delete", "g"), CLI_PARSED);
	ck_assert_int_eq(o.cmd, CLI_CGROUP_DELETE);
	ck_assert_int_eq(CG("--help"), CLI_HELP);
	ck_assert_int_eq(CG("memory", "--help"), CLI_HELP);
}
END_TEST

START_TEST(cgroup_usage_errors)
{
	ck_usage(CG("frobnicate", "g"), "unknown cgroup subcommand or controller \"frobnicate\"");
	ck_usage(CG("hugetlb", "g"), "unknown cgroup subcommand or controller \"hugetlb\"");
	ck_usage(CG("create"), "missing PATH");
	ck_usage(CG("create", "g", "h"), "unexpected argument \"h\"");
	ck_usage(CG("create", "g", "--memory", "lots"), "invalid value \"lots\" for --memory");
	ck_usage(CG("create", "g", "--cgroup-parent", "x"), "unknown option \"--cgroup-parent\"");
	ck_usage(CG("memory", "g"), "cgroup memory needs --max, --high or --swap-max");
	ck_usage(CG("memory", "g", "--max", "12Q"), "invalid value \"12Q\" for --max");
	ck_usage(CG("memory", "g", "--max", "1G", "--max", "2G"),
		 "--max given twice with different values (\"1G\" and \"2G\")");
	ck_usage(CG("memory", "g", "--weight", "1"), "unknown option \"--weight\"");
	ck_usage(CG("cpu", "g"), "cgroup cpu needs --cpus, --max or --weight");
	ck_usage(CG("cpu", "g", "--cpus", "0.5", "--max", "50000"), "set the same cpu.max");
	ck_usage(CG("cpu", "g", "--cpus", "0.001"), "--cpus must be at least 0.01");
	ck_usage(CG("cpu", "g", "--weight", "0"), "invalid value \"0\" for --weight");
	ck_usage(CG("cpu", "g", "--weight", "10001"), "expected a number from 1 to 10000");
	ck_usage(CG("pids", "g"), "cgroup pids needs --max");
	ck_usage(CG("pids", "g", "--max", "-1"), "invalid value \"-1\" for --max");
	ck_usage(CG("io", "g"), "cgroup io needs --max");
	ck_usage(CG("io", "g", "--max", "sda rbps=1"), "invalid value \"sda rbps=1\" for --max");
	ck_usage(CG("attach", "g"), "cgroup attach needs at least one PID");
	ck_usage(CG("attach", "g", "self"), "invalid value \"self\" for PID");
	ck_usage(CG("attach", "g", "0"), "for PID");
	ck_usage(CG("exec", "g"), "missing -- before the command");
	ck_usage(CG("exec", "g", "--"), "no command given after --");
	ck_usage(CG("exec", "g", "cmd"), "unexpected argument \"cmd\" (the command goes after --)");
	ck_usage(CG("stat", "g", "--", "x"), "cgroup stat takes no command after --");
	ck_usage(CG("delete", "g", "--force"), "unknown option \"--force\"");
	ck_usage(CG("memory", "g", "--max"), "option --max needs a value");
}
END_TEST

/* ---- the live part: root, and a writable cgroup2 mount ---- */

static char *scratch; /* MOUNT/isolab-unit-PID, or NULL */

static void live_setup(void)
{
	char *mount = NULL;
	struct ctr_error e;

	scratch = NULL;
	if (geteuid() != 0 || ctr_cgroup_find_mount(&mount, &e) < 0)
		return;
	if (asprintf(&scratch, "%s/isolab-unit-%d", mount, (int)getpid()) < 0)
		scratch = NULL;
	else if (mkdir(scratch, 0755) < 0) {
		free(scratch);
		scratch = NULL;
	}
	free(mount);
}

static void live_teardown(void)
{
	static struct ctr_cgroup *cg;
	static struct ctr_error e;

	if (!scratch)
		return;
	cg = NULL;
	if (ctr_cgroup_open(scratch, &cg, &e) == 0)
		ctr_cgroup_destroy_and_free(cg);
	rmdir(scratch);
	free(scratch);
	scratch = NULL;
}

/*
 * A child in cg that forks a grandchild once it is there (so both are in
 * the group), both blocked until killed.
 */
static pid_t spawn_tree(struct ctr_cgroup *cg)
{
	int go[2], ready[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (fork() == 0) {
			(void)!write(ready[1], "r", 1);
			for (;;)
				pause();
		}
		for (;;)
			pause();
	}
	close(go[0]);
	close(ready[1]);
	ck_assert_msg(ctr_cgroup_attach(cg, pid, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(go[1]);
	close(ready[0]);
	return pid;
}

static void kill_and_delete(int (*kill_fn)(struct ctr_cgroup *, int, struct ctr_error *))
{
	struct ctr_cgroup *g = NULL, *sub = NULL;
	char *path = NULL, *sub_path = NULL;
	uint64_t populated = 9;
	pid_t a, b;
	int ws;

	if (!scratch)
		return;
	ck_assert_int_gt(asprintf(&path, "%s/g", scratch), 0);
	ck_assert_int_gt(asprintf(&sub_path, "%s/g/sub", scratch), 0);
	ck_assert_msg(ctr_cgroup_create(path, &g, &err) == 0, "%s", err.msg);
	ck_assert_msg(ctr_cgroup_create(sub_path, &sub, &err) == 0, "%s", err.msg);
	{
		struct ctr_cgroup *dup = NULL;

		ck_assert_int_eq(ctr_cgroup_create(path, &dup, &err), -EEXIST);
		ck_assert_ptr_null(dup);
		ck_assert(strstr(err.msg, "create cgroup ") && strstr(err.msg, "(EEXIST)"));
	}

	/* One tree in the group, one below it: the kill covers the subtree. */
	a = spawn_tree(g);
	b = spawn_tree(sub);
	{
		char *procs = NULL;

		ck_assert_int_eq(ctr_cgroup_read(sub, "cgroup.procs", &procs, &err), 0);
		ck_assert_msg(strchr(procs, '\n') != strrchr(procs, '\n'), "two pids: %s", procs);
		free(procs);
	}
	ck_assert_int_eq(ctr_cgroup_read_key(g, "cgroup.events", "populated", &populated, &err), 0);
	ck_assert_uint_eq(populated, 1);

	ck_assert_msg(kill_fn(g, 5000, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(waitpid(a, &ws, 0), a);
	ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	ck_assert_int_eq(waitpid(b, &ws, 0), b);
	ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	ck_assert_msg(ctr_cgroup_wait_empty(g, 5000, &err) == 0, "%s", err.msg);

	ck_assert_msg(ctr_cgroup_destroy(g, 5000, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(access(path, F_OK), -1);
	ctr_cgroup_free(sub);
	ctr_cgroup_free(g);
	free(sub_path);
	free(path);
}

START_TEST(live_kill_with_cgroup_kill)
{
	kill_and_delete(ctr_cgroup_kill);
}
END_TEST

START_TEST(live_kill_each_pid)
{
	kill_and_delete(ctr_cgroup_kill_each);
}
END_TEST

START_TEST(live_refusals)
{
	char *mount = NULL, *self = NULL;
	struct ctr_cgroup *cg = NULL;

	if (!scratch)
		return;
	ck_assert_int_eq(ctr_cgroup_find_mount(&mount, &err), 0);
	ck_assert_int_eq(ctr_cgroup_find_self(&self, &err), 0);
	ck_assert_int_eq(ctr_cgroup_check_delete(mount, mount, &err), -EPERM);
	ck_assert(strstr(err.msg, "it is the root of the cgroup2 hierarchy"));
	ck_assert_int_eq(ctr_cgroup_check_delete(mount, self, &err), -EPERM);
	if (strcmp(self, mount) != 0)
		ck_assert(strstr(err.msg, "contain itself runs in"));
	ck_assert_int_eq(ctr_cgroup_check_delete(mount, scratch, &err), 0);
	ck_assert_int_eq(ctr_cgroup_open("/tmp", &cg, &err), -ENOTDIR);
	ck_assert(strstr(err.msg, "/tmp is not a cgroup2 directory"));
	free(self);
	free(mount);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-cgroup");
	TCase *tc = tcase_create("parse");
	TCase *live = tcase_create("live");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, cpu_max_values);
	tcase_add_test(tc, io_max_values);
	tcase_add_test(tc, io_max_lines_per_device);
	tcase_add_test(tc, limits_validation);
	tcase_add_test(tc, controllers_of_limits);
	tcase_add_test(tc, path_resolution);
	tcase_add_test(tc, interface_file_json);
	tcase_add_test(tc, cgroup_forms);
	tcase_add_test(tc, cgroup_usage_errors);
	suite_add_tcase(s, tc);

	tcase_set_timeout(live, 30);
	tcase_add_checked_fixture(live, live_setup, live_teardown);
	tcase_add_test(live, live_kill_with_cgroup_kill);
	tcase_add_test(live, live_kill_each_pid);
	tcase_add_test(live, live_refusals);
	suite_add_tcase(s, live);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
