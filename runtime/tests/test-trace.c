// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain trace's output, without BPF: the flag decoders, the --syscalls
 * list, the option parser, and one event as a human line and as JSON
 * (CONTRACT.md, "trace"; the tracing suite parses both).
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "contain-cli.h"
#include "ctr-trace-format.h"

static struct ctr_trace_event syscall_event(unsigned int sc, long long ret)
{
	struct ctr_trace_event e = {
		.ts_ns = 42,
		.type = TRACE_EVENT_SYSCALL,
		.syscall = sc,
		.pid = 1235,
		.tid = 1235,
		.ppid = 1234,
		.ns_pid = 1,
		.ret = ret,
	};

	strcpy(e.comm, "contain");
	return e;
}

static void set_str(struct ctr_trace_event *e, int i, const char *s)
{
	e->str_state[i] = TRACE_STR_PRESENT;
	strcpy(e->str[i], s);
}

static char *human(const struct ctr_trace_event *e)
{
	static char buf[1024];

	ctr_trace_format_human(e, buf, sizeof(buf));
	return buf;
}

static char *to_json(const struct ctr_trace_event *e)
{
	static char buf[2048];
	json_t *j = ctr_trace_event_json(e);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ck_assert_ptr_nonnull(s);
	strcpy(buf, s);
	free(s);
	return buf;
}

START_TEST(clone_flags_put_namespaces_first_and_the_exit_signal_last)
{
	char buf[256];

	ctr_trace_clone_flags(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
				      CLONE_NEWCGROUP,
			      SIGCHLD, buf, sizeof(buf));
	ck_assert_str_eq(buf, "CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|"
			      "CLONE_NEWCGROUP|SIGCHLD");
	ctr_trace_clone_flags(CLONE_NEWTIME | CLONE_VM | CLONE_VFORK, -1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "CLONE_NEWTIME|CLONE_VM|CLONE_VFORK");
	ctr_trace_clone_flags(0, -1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
	ctr_trace_clone_flags(0x400000000ULL | CLONE_NEWNET, -1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "CLONE_NEWNET|0x400000000");
}
END_TEST

START_TEST(mount_and_umount_flags)
{
	char buf[256];

	ctr_trace_mount_flags(MS_BIND | MS_REC, buf, sizeof(buf));
	ck_assert_str_eq(buf, "MS_BIND|MS_REC");
	ctr_trace_mount_flags(MS_MGC_VAL | MS_RDONLY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "MS_MGC_VAL|MS_RDONLY");
	ctr_trace_mount_flags(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
	ctr_trace_umount_flags(MNT_DETACH, buf, sizeof(buf));
	ck_assert_str_eq(buf, "MNT_DETACH");
	ctr_trace_umount_flags(MNT_FORCE | 0x40, buf, sizeof(buf));
	ck_assert_str_eq(buf, "MNT_FORCE|0x40");
}
END_TEST

START_TEST(decoders_truncate_but_report_the_full_length)
{
	char buf[8];
	int n = ctr_trace_mount_flags(MS_BIND | MS_REC, buf, sizeof(buf));

	ck_assert_int_eq(n, (int)strlen("MS_BIND|MS_REC"));
	ck_assert_str_eq(buf, "MS_BIND");
}
END_TEST

START_TEST(syscall_list)
{
	struct ctr_error err = { 0 };
	uint64_t mask = 0;

	ck_assert_int_eq(ctr_trace_syscall_parse_list("clone3,mount", &mask, &err), 0);
	ck_assert_uint_eq(mask, (1ULL << TRACE_SYS_CLONE3) | (1ULL << TRACE_SYS_MOUNT));
	ck_assert_int_lt(ctr_trace_syscall_parse_list("clone3,mnt", &mask, &err), 0);
	ck_assert_int_eq(err.kind, CTR_ERROR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown syscall \"mnt\""));
	ck_assert_int_lt(ctr_trace_syscall_parse_list("", &mask, &err), 0);
	ck_assert_int_lt(ctr_trace_syscall_parse_list("mount,", &mask, &err), 0);
}
END_TEST

START_TEST(parse_command_and_pid)
{
	struct cli_trace_opts o;
	struct ctr_error err = { 0 };
	char *a1[] = { "trace", "--json", "--syscalls", "mount", "--", "sh", "-c", "x", NULL };
	char *a2[] = { "trace", "--pid", "42", NULL };
	char *a3[] = { "trace", "sh", NULL };
	char *a4[] = { "trace", "--pid", "42", "--", "sh", NULL };
	char *a5[] = { "trace", "--pid", "x", NULL };

	ck_assert_int_eq(cmd_trace_parse(8, a1, &o, &err), CLI_PARSED);
	ck_assert(o.json);
	ck_assert_uint_eq(o.syscall_mask, 1ULL << TRACE_SYS_MOUNT);
	ck_assert_str_eq(o.argv[0], "sh");
	ck_assert_int_eq(o.pid, 0);
	ck_assert_int_eq(cmd_trace_parse(3, a2, &o, &err), CLI_PARSED);
	ck_assert_int_eq(o.pid, 42);
	ck_assert(!o.json);
	ck_assert_uint_eq(o.syscall_mask, (1ULL << TRACE_SYS_COUNT) - 1);
	ck_assert_int_lt(cmd_trace_parse(2, a3, &o, &err), 0);
	ck_assert_int_lt(cmd_trace_parse(5, a4, &o, &err), 0);
	ck_assert_int_lt(cmd_trace_parse(3, a5, &o, &err), 0);
}
END_TEST

START_TEST(human_clone3)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_CLONE3, 1236);

	e.flags = CLONE_NEWPID | CLONE_NEWUTS;
	e.num = SIGCHLD;
	e.ns_pid = 1234;
	e.pid = 1234;
	strcpy(e.comm, "sh");
	ck_assert_str_eq(human(&e), "[1234/1234 sh] clone3(flags=CLONE_NEWPID|CLONE_NEWUTS|"
				    "SIGCHLD) = 1236");
}
END_TEST

START_TEST(human_mount_with_null_and_error)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_MOUNT, -EPERM);

	set_str(&e, 0, "proc");
	set_str(&e, 1, "/proc");
	e.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	ck_assert_str_eq(human(&e), "[1235/1 contain] mount(\"proc\", \"/proc\", NULL, "
				    "MS_NOSUID|MS_NODEV|MS_NOEXEC) = -1 EPERM");
}
END_TEST

START_TEST(human_strings_are_escaped_and_cut)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_CHROOT, 0);

	set_str(&e, 0, "a\"b\n");
	e.str_state[0] |= TRACE_STR_TRUNCATED;
	ck_assert_str_eq(human(&e), "[1235/1 contain] chroot(\"a\\\"b\\012\"...) = 0");
}
END_TEST

START_TEST(human_setns_and_exit)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_SETNS, 0);

	e.num = 3;
	e.flags = CLONE_NEWNET;
	ck_assert_str_eq(human(&e), "[1235/1 contain] setns(3, CLONE_NEWNET) = 0");
	e.type = TRACE_EVENT_EXIT;
	e.num = 2 << 8;
	ck_assert_str_eq(human(&e), "[1235/1 contain] +++ exited with 2 +++");
	e.num = SIGKILL;
	ck_assert_str_eq(human(&e), "[1235/1 contain] +++ killed by SIGKILL +++");
}
END_TEST

START_TEST(json_syscall_success)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_UNSHARE, 0);

	e.flags = CLONE_NEWUTS;
	ck_assert_str_eq(to_json(&e),
			 "{\"type\":\"syscall\",\"ts_ns\":42,\"pid\":1235,\"tid\":1235,"
			 "\"ppid\":1234,\"ns_pid\":1,\"comm\":\"contain\",\"syscall\":\"unshare\","
			 "\"ret\":0,\"errno\":null,\"args\":{\"flags\":\"CLONE_NEWUTS\","
			 "\"flags_raw\":67108864}}");
}
END_TEST

START_TEST(json_syscall_error_and_null_string)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_MOUNT, -ENOENT);

	set_str(&e, 1, "/x");
	e.flags = MS_BIND | MS_REC;
	ck_assert_str_eq(to_json(&e),
			 "{\"type\":\"syscall\",\"ts_ns\":42,\"pid\":1235,\"tid\":1235,"
			 "\"ppid\":1234,\"ns_pid\":1,\"comm\":\"contain\",\"syscall\":\"mount\","
			 "\"ret\":-1,\"errno\":\"ENOENT\",\"args\":{\"source\":null,"
			 "\"target\":\"/x\",\"fstype\":null,\"flags\":\"MS_BIND|MS_REC\","
			 "\"flags_raw\":20480}}");
}
END_TEST

START_TEST(json_other_args)
{
	struct ctr_trace_event e = syscall_event(TRACE_SYS_EXECVEAT, 0);

	e.num = -100;
	set_str(&e, 0, "/bin/true");
	ck_assert_ptr_nonnull(strstr(to_json(&e), "\"args\":{\"dirfd\":-100,"
						  "\"filename\":\"/bin/true\"}"));
	e = syscall_event(TRACE_SYS_SETNS, 0);
	e.num = 4;
	ck_assert_ptr_nonnull(strstr(to_json(&e), "\"args\":{\"fd\":4,\"nstype\":\"0\"}"));
	e = syscall_event(TRACE_SYS_PIVOT_ROOT, 0);
	set_str(&e, 0, ".");
	set_str(&e, 1, ".");
	ck_assert_ptr_nonnull(
		strstr(to_json(&e), "\"args\":{\"new_root\":\".\",\"put_old\":\".\"}"));
	e = syscall_event(TRACE_SYS_SETHOSTNAME, 0);
	set_str(&e, 0, "h\xff");
	ck_assert_ptr_nonnull(strstr(to_json(&e), "\"args\":{\"name\":\"h?\"}"));
}
END_TEST

START_TEST(json_exit)
{
	struct ctr_trace_event e = syscall_event(0, 0);

	e.type = TRACE_EVENT_EXIT;
	e.num = 0;
	ck_assert_str_eq(to_json(&e), "{\"type\":\"exit\",\"ts_ns\":42,\"pid\":1235,\"tid\":1235,"
				      "\"ns_pid\":1,\"comm\":\"contain\",\"exit_code\":0,"
				      "\"signal\":null}");
	e.num = SIGTERM;
	ck_assert_ptr_nonnull(strstr(to_json(&e), "\"exit_code\":null,\"signal\":15}"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-trace");
	TCase *tc = tcase_create("trace");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, clone_flags_put_namespaces_first_and_the_exit_signal_last);
	tcase_add_test(tc, mount_and_umount_flags);
	tcase_add_test(tc, decoders_truncate_but_report_the_full_length);
	tcase_add_test(tc, syscall_list);
	tcase_add_test(tc, parse_command_and_pid);
	tcase_add_test(tc, human_clone3);
	tcase_add_test(tc, human_mount_with_null_and_error);
	tcase_add_test(tc, human_strings_are_escaped_and_cut);
	tcase_add_test(tc, human_setns_and_exit);
	tcase_add_test(tc, json_syscall_success);
	tcase_add_test(tc, json_syscall_error_and_null_string);
	tcase_add_test(tc, json_other_args);
	tcase_add_test(tc, json_exit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
