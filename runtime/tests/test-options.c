// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Command-line parsing of `contain ns` and `contain run` into struct
 * ctr_config: accepted forms, unknown and conflicting flags, the value
 * parsers, and the exit code each kind of error maps to.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "contain-cli.h"
#include "ctr-config.h"
#include "ctr-namespace.h"

#define MAX_ARGS 32

struct args {
	int argc;
	char *argv[MAX_ARGS + 1];
};

/* argv from a NULL-terminated list; the strings are literals, never written. */
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
static struct ctr_config cfg;
static struct ctr_error err;

#define NS(...)	 (A = mkargs("ns", __VA_ARGS__, NULL), cmd_ns_parse(A.argc, A.argv, &cfg, &err))
#define RUN(...) (A = mkargs("run", __VA_ARGS__, NULL), cmd_run_parse(A.argc, A.argv, &cfg, &err))

/* A usage error whose message contains want. */
#define ck_usage(r, want)                                                                     \
	do {                                                                                  \
		ck_assert_int_lt((r), 0);                                                     \
		ck_assert_int_eq(err.kind, CTR_ERROR_USAGE);                                  \
		ck_assert_msg(strstr(err.msg, (want)) != NULL, "message \"%s\" lacks \"%s\"", \
			      err.msg, (want));                                               \
		ck_assert_int_eq(cli_exit_code(&err), 125);                                   \
	} while (0)

START_TEST(ns_single_type)
{
	ck_assert_int_eq(NS("pid", "--", "/bin/sh", "-c", "echo $$"), CLI_PARSED);
	ck_assert_int_eq(cfg.mode, CTR_MODE_NS);
	ck_assert_uint_eq(cfg.namespaces, CLONE_NEWPID);
	ck_assert_str_eq(cfg.argv[0], "/bin/sh");
	ck_assert_str_eq(cfg.argv[2], "echo $$");
	ck_assert_ptr_null(cfg.argv[3]);
	ck_assert_ptr_null(ctr_config_hostname(&cfg));
}
END_TEST

START_TEST(ns_each_type_and_alias)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} t[] = {
		{ "pid", CLONE_NEWPID },       { "mount", CLONE_NEWNS },  { "mnt", CLONE_NEWNS },
		{ "uts", CLONE_NEWUTS },       { "ipc", CLONE_NEWIPC },	  { "user", CLONE_NEWUSER },
		{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME }, { "net", CLONE_NEWNET },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(NS(t[i].name, "--", "true"), CLI_PARSED);
		ck_assert_uint_eq(cfg.namespaces, t[i].flag);
	}
}
END_TEST

START_TEST(ns_comma_list)
{
	char names[64];

	ck_assert_int_eq(NS("pid,uts,ipc", "--hostname", "h1", "--", "hostname"), CLI_PARSED);
	ck_assert_uint_eq(cfg.namespaces, CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC);
	ck_assert_str_eq(ctr_namespace_format(cfg.namespaces, names, sizeof(names)), "pid,uts,ipc");
	ck_assert_str_eq(ctr_config_hostname(&cfg), "h1");
}
END_TEST

START_TEST(ns_options_may_precede_the_type)
{
	ck_assert_int_eq(NS("--hostname", "h", "uts", "--", "true"), CLI_PARSED);
	ck_assert_uint_eq(cfg.namespaces, CLONE_NEWUTS);
}
END_TEST

START_TEST(ns_container)
{
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--", "/bin/hostname"), CLI_PARSED);
	ck_assert_int_eq(cfg.mode, CTR_MODE_CONTAINER);
	ck_assert_uint_eq(cfg.namespaces, CTR_NS_CONTAINER);
	ck_assert_str_eq(cfg.rootfs, "/r");
	ck_assert_str_eq(ctr_config_hostname(&cfg), CTR_DEFAULT_HOSTNAME);
}
END_TEST

START_TEST(ns_container_user_net)
{
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--user", "--net", "--hostname", "h1",
			    "--", "id"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.namespaces, CTR_NS_CONTAINER | CLONE_NEWUSER | CLONE_NEWNET);
	ck_assert_ptr_null(cfg.net_name);
	ck_assert_uint_eq(cfg.n_uid_map, 0); /* the default map */
	ck_assert_str_eq(ctr_config_hostname(&cfg), "h1");
}
END_TEST

START_TEST(ns_user_maps)
{
	ck_assert_int_eq(NS("user", "--uid-map", "0:1000:1,1:100000:65535", "--gid-map", "0:2000:1",
			    "--", "id"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.n_uid_map, 2);
	ck_assert_uint_eq(cfg.uid_map[0].inside, 0);
	ck_assert_uint_eq(cfg.uid_map[0].outside, 1000);
	ck_assert_uint_eq(cfg.uid_map[0].count, 1);
	ck_assert_uint_eq(cfg.uid_map[1].inside, 1);
	ck_assert_uint_eq(cfg.uid_map[1].outside, 100000);
	ck_assert_uint_eq(cfg.uid_map[1].count, 65535);
	ck_assert_uint_eq(cfg.n_gid_map, 1);
	ck_assert_uint_eq(cfg.gid_map[0].outside, 2000);
}
END_TEST

START_TEST(ns_time_offsets)
{
	ck_assert_int_eq(NS("time", "--monotonic-offset", "86400", "--boottime-offset", "-60", "--",
			    "cat", "/proc/uptime"),
			 CLI_PARSED);
	ck_assert(cfg.has_monotonic_offset);
	ck_assert(cfg.has_boottime_offset);
	ck_assert_int_eq(cfg.monotonic_offset, 86400);
	ck_assert_int_eq(cfg.boottime_offset, -60);
}
END_TEST

START_TEST(container_offset_adds_a_time_namespace)
{
	ck_assert_int_eq(
		NS("container", "--rootfs", "/r", "--boottime-offset", "3600", "--", "true"),
		CLI_PARSED);
	ck_assert_uint_eq(cfg.namespaces, CTR_NS_CONTAINER | CLONE_NEWTIME);
}
END_TEST

START_TEST(ns_same_value_twice_is_fine)
{
	ck_assert_int_eq(NS("uts", "--hostname", "a", "--hostname", "a", "--", "true"), CLI_PARSED);
	ck_assert_int_eq(NS("pid", "--user", "--user", "--", "true"), CLI_PARSED);
	ck_assert_uint_eq(cfg.namespaces, CLONE_NEWPID | CLONE_NEWUSER);
}
END_TEST

START_TEST(ns_help)
{
	ck_assert_int_eq(NS("--help"), CLI_HELP);
	ck_assert_int_eq(NS("pid", "-h"), CLI_HELP);
	ck_assert_int_eq(NS("container", "--help", "--", "x"), CLI_HELP);
	/* After --, --help belongs to the command. */
	ck_assert_int_eq(NS("pid", "--", "ls", "--help"), CLI_PARSED);
}
END_TEST

START_TEST(ns_bad_usage)
{
	ck_usage(NS("--", "true"), "missing namespace type");
	ck_usage(NS("pid"), "missing -- before the command");
	ck_usage(NS("pid", "true"), "unexpected argument \"true\"");
	ck_usage(NS("pid", "--"), "no command given after --");
	ck_usage(NS("pid", "--", ""), "empty string");
	ck_usage(NS("foo", "--", "true"), "unknown namespace type \"foo\"");
	ck_usage(NS("pid,,uts", "--", "true"), "empty namespace type");
	ck_usage(NS("pid,pid", "--", "true"), "listed twice");
	ck_usage(NS("pid,container", "--", "true"), "container cannot be combined");
	ck_usage(NS("pid", "--bogus", "--", "true"), "unknown option \"--bogus\"");
	ck_usage(NS("pid", "-x", "--", "true"), "unknown option -x");
	ck_usage(NS("pid", "--user=yes", "--", "true"), "--user takes no value");
	ck_usage(NS("uts", "--hostname"), "--hostname needs a value");
}
END_TEST

START_TEST(ns_conflicts)
{
	ck_usage(NS("container", "--", "true"), "ns container needs --rootfs DIR");
	ck_usage(NS("pid", "--rootfs", "/r", "--", "true"), "--rootfs needs ns container");
	ck_usage(NS("pid", "--hostname", "h", "--", "true"), "--hostname needs a UTS namespace");
	ck_usage(NS("pid", "--uid-map", "0:1:1", "--", "true"), "need a user namespace");
	ck_usage(NS("pid", "--monotonic-offset", "1", "--", "true"), "need a time namespace");
	ck_usage(NS("uts", "--hostname", "a", "--hostname", "b", "--", "true"),
		 "--hostname given twice with different values (\"a\" and \"b\")");
	ck_usage(NS("user", "--uid-map", "0:1:1", "--uid-map", "0:2:1", "--", "true"),
		 "--uid-map given twice with different values");
	ck_usage(NS("container", "--rootfs", "/a", "--rootfs", "/b", "--", "true"),
		 "--rootfs given twice");
	ck_usage(NS("container", "--rootfs", "/r", "--user", "--uid-map", "1:100000:10", "--",
		    "true"),
		 "must map uid 0 inside");
	ck_usage(NS("container", "--rootfs", "/r", "--user", "--gid-map", "1000:1000:1", "--",
		    "true"),
		 "must map gid 0 inside");
	ck_usage(NS("uts", "--hostname",
		    "0123456789012345678901234567890123456789012345678901234567890123456789", "--",
		    "true"),
		 "--hostname must be 1 to 64 bytes long");
}
END_TEST

START_TEST(limits_are_parsed)
{
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--memory", "512M", "--", "true"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.memory_max, 512ull << 20);
	/* --memory caps memory and swap together. */
	ck_assert_uint_eq(cfg.limits.set, CTR_LIMIT_MEMORY | CTR_LIMIT_MEMORY_NOSWAP);
	ck_assert(ctr_config_wants_cgroup(&cfg));
	ck_assert_ptr_null(cfg.cgroup_parent);
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--memory", "max", "--", "true"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.set, CTR_LIMIT_MEMORY);
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--cpus", "1.5", "--", "true"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.cpus_milli, 1500);
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--pids", "max", "--", "true"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.pids_max, CTR_LIMIT_MAX);
	ck_assert_int_eq(NS("pid", "--pids", "10", "--memory-high", "1G", "--", "true"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.set, CTR_LIMIT_PIDS | CTR_LIMIT_MEMORY_HIGH);
	ck_assert_int_eq(RUN("/r", "--cpu-weight", "100", "--io-max", "8:0 rbps=1048576",
			     "--cgroup-parent", "/sys/fs/cgroup/lab", "--", "true"),
			 CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.cpu_weight, 100);
	ck_assert_uint_eq(cfg.limits.n_io_max, 1);
	ck_assert_uint_eq(cfg.limits.io_max[0].v[CTR_IO_RBPS], 1048576);
	ck_assert_str_eq(cfg.cgroup_parent, "/sys/fs/cgroup/lab");
	ck_assert_int_eq(RUN("/r", "--cgroup-parent", "lab", "--", "true"), CLI_PARSED);
	ck_assert_uint_eq(cfg.limits.set, 0);
	ck_assert(ctr_config_wants_cgroup(&cfg));
	ck_assert_int_eq(RUN("/r", "--", "true"), CLI_PARSED);
	ck_assert(!ctr_config_wants_cgroup(&cfg));
	ck_usage(RUN("/r", "--cgroup-parent", "", "--", "true"),
		 "--cgroup-parent must not be empty");
	ck_usage(RUN("/r", "--cgroup-parent", "a", "--cgroup-parent", "b", "--", "true"),
		 "--cgroup-parent given twice with different values");
	ck_usage(RUN("/r", "--cpus", "0.005", "--", "true"), "--cpus must be at least 0.01");
	ck_usage(RUN("/r", "--io-max", "8:0 rbps=1", "--io-max", "8:16 rbps=1", "--", "true"),
		 "--io-max given twice with different values");
}
END_TEST

START_TEST(net_name_joins_a_named_namespace)
{
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--net", "lab0", "--", "true"),
			 CLI_PARSED);
	ck_assert_str_eq(cfg.net_name, "lab0");
	ck_assert(!(cfg.namespaces & CLONE_NEWNET));
	ck_assert_int_eq(NS("container", "--rootfs", "/r", "--net=lab0", "--", "true"), CLI_PARSED);
	ck_assert_str_eq(cfg.net_name, "lab0");
	ck_assert_int_eq(RUN("/r", "--net", "lab0", "--", "true"), CLI_PARSED);
	ck_assert_str_eq(cfg.net_name, "lab0");
	ck_usage(RUN("/r", "--net", "x/y", "--", "true"), "--net: namespace name \"x/y\"");
	ck_usage(NS("net", "--net=lab0", "--", "true"), "cannot be combined with a new one");
}
END_TEST

START_TEST(later_options_bad_values)
{
	ck_usage(RUN("/r", "--memory", "12Q", "--", "true"), "invalid value \"12Q\" for --memory");
	ck_usage(RUN("/r", "--memory", "-1", "--", "true"), "invalid value \"-1\" for --memory");
	ck_usage(RUN("/r", "--cpus", "0", "--", "true"), "--cpus must be more than 0");
	ck_usage(RUN("/r", "--cpus", "1.2345", "--", "true"),
		 "invalid value \"1.2345\" for --cpus");
	ck_usage(RUN("/r", "--cpu-weight", "0", "--", "true"), "expected a number from 1 to 10000");
	ck_usage(RUN("/r", "--cpu-weight", "10001", "--", "true"), "for --cpu-weight");
	ck_usage(RUN("/r", "--pids", "lots", "--", "true"), "for --pids");
	ck_usage(RUN("/r", "--io-max", "fast", "--", "true"), "for --io-max");
	ck_usage(RUN("/r", "--io-max", "8:0 zbps=1", "--", "true"), "unknown key \"zbps\"");
}
END_TEST

START_TEST(run_forms)
{
	ck_assert_int_eq(RUN("/r", "--", "/bin/sh"), CLI_PARSED);
	ck_assert_int_eq(cfg.mode, CTR_MODE_CONTAINER);
	ck_assert_uint_eq(cfg.namespaces, CTR_NS_CONTAINER);
	ck_assert_str_eq(cfg.rootfs, "/r");
	ck_assert_str_eq(ctr_config_hostname(&cfg), CTR_DEFAULT_HOSTNAME);
	ck_assert_int_eq(RUN("--hostname", "web", "/r", "--", "/bin/sh"), CLI_PARSED);
	ck_assert_str_eq(ctr_config_hostname(&cfg), "web");
	ck_assert_int_eq(RUN("--help"), CLI_HELP);
	ck_usage(RUN("--", "true"), "missing ROOTFS");
	ck_usage(RUN("/r", "/s", "--", "true"), "unexpected argument \"/s\"");
	ck_usage(RUN("/r", "--user", "--", "true"), "unknown option \"--user\"");
	ck_usage(RUN("/r"), "missing -- before the command");
}
END_TEST

START_TEST(value_parsers)
{
	uint64_t v;
	int64_t s;

	ck_assert_int_eq(ctr_parse_bytes("--memory", "1024", &v, &err), 0);
	ck_assert_uint_eq(v, 1024);
	ck_assert_int_eq(ctr_parse_bytes("--memory", "1k", &v, &err), 0);
	ck_assert_uint_eq(v, 1024);
	ck_assert_int_eq(ctr_parse_bytes("--memory", "3G", &v, &err), 0);
	ck_assert_uint_eq(v, 3ull << 30);
	ck_assert_int_eq(ctr_parse_bytes("--memory", "max", &v, &err), 0);
	ck_assert_uint_eq(v, CTR_LIMIT_MAX);
	ck_assert_int_lt(ctr_parse_bytes("--memory", "1MB", &v, &err), 0);
	ck_assert_int_lt(ctr_parse_bytes("--memory", "99999999999999999999", &v, &err), 0);
	ck_assert_int_lt(ctr_parse_bytes("--memory", "17179869184T", &v, &err), 0);
	ck_assert_int_lt(ctr_parse_bytes("--memory", "", &v, &err), 0);

	ck_assert_int_eq(ctr_parse_cpus("--cpus", "2", &v, &err), 0);
	ck_assert_uint_eq(v, 2000);
	ck_assert_int_eq(ctr_parse_cpus("--cpus", "0.05", &v, &err), 0);
	ck_assert_uint_eq(v, 50);
	ck_assert_int_lt(ctr_parse_cpus("--cpus", ".5", &v, &err), 0);
	ck_assert_int_lt(ctr_parse_cpus("--cpus", "1.", &v, &err), 0);

	ck_assert_int_eq(ctr_parse_seconds("--boottime-offset", "-3600", &s, &err), 0);
	ck_assert_int_eq(s, -3600);
	ck_assert_int_lt(ctr_parse_seconds("--boottime-offset", "1.5", &s, &err), 0);
	ck_assert_int_lt(ctr_parse_seconds("--boottime-offset", "-", &s, &err), 0);
}
END_TEST

START_TEST(idmap_parser)
{
	struct ctr_idmap m[CTR_IDMAP_MAX];
	size_t n = 0;

	ck_assert_int_eq(ctr_idmap_parse("--uid-map", "0:100000:65536", m, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_usage(ctr_idmap_parse("--uid-map", "0:100000", m, &n, &err),
		 "expected INSIDE:OUTSIDE:COUNT");
	ck_usage(ctr_idmap_parse("--uid-map", "0:1:2,", m, &n, &err),
		 "expected INSIDE:OUTSIDE:COUNT");
	ck_usage(ctr_idmap_parse("--uid-map", "-1:1:2", m, &n, &err),
		 "expected INSIDE:OUTSIDE:COUNT");
	ck_usage(ctr_idmap_parse("--uid-map", "0:1:10,5:100:1", m, &n, &err), "overlapping");
	ck_usage(ctr_idmap_parse("--uid-map", "0:100:10,50:105:1", m, &n, &err), "overlapping");
	ck_usage(ctr_idmap_parse("--uid-map", "4294967295:0:2", m, &n, &err), "goes past");
	ck_assert_int_eq(ctr_idmap_parse("--uid-map", "4294967295:0:1", m, &n, &err), 0);
}
END_TEST

START_TEST(exit_codes_of_errors)
{
	struct ctr_error e = { 0 };

	ctr_error_errno(&e, ENOENT, "exec \"nosuch\"");
	ck_assert_int_eq(cli_exit_code(&e), 125);
	e.kind = CTR_ERROR_EXEC;
	ck_assert_int_eq(cli_exit_code(&e), 127);
	ctr_error_errno(&e, EACCES, "exec \"/etc\"");
	e.kind = CTR_ERROR_EXEC;
	ck_assert_int_eq(cli_exit_code(&e), 126);
	ctr_error_usage(&e, "bad");
	ck_assert_int_eq(cli_exit_code(&e), 125);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-options");
	TCase *tc = tcase_create("options");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, ns_single_type);
	tcase_add_test(tc, ns_each_type_and_alias);
	tcase_add_test(tc, ns_comma_list);
	tcase_add_test(tc, ns_options_may_precede_the_type);
	tcase_add_test(tc, ns_container);
	tcase_add_test(tc, ns_container_user_net);
	tcase_add_test(tc, ns_user_maps);
	tcase_add_test(tc, ns_time_offsets);
	tcase_add_test(tc, container_offset_adds_a_time_namespace);
	tcase_add_test(tc, ns_same_value_twice_is_fine);
	tcase_add_test(tc, ns_help);
	tcase_add_test(tc, ns_bad_usage);
	tcase_add_test(tc, ns_conflicts);
	tcase_add_test(tc, limits_are_parsed);
	tcase_add_test(tc, net_name_joins_a_named_namespace);
	tcase_add_test(tc, later_options_bad_values);
	tcase_add_test(tc, run_forms);
	tcase_add_test(tc, value_parsers);
	tcase_add_test(tc, idmap_parser);
	tcase_add_test(tc, exit_codes_of_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
