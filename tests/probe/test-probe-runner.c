// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the probe runner itself, with made-up probes that hang,
 * crash, talk a lot or leak a process: whatever a probe does, the caller
 * gets a verdict back within the deadline and nothing keeps running.
 * Also the registry and lesson table invariants, and the reason format.
 */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "ht-probe-internal.h"
#include "ht-probe.h"
#include "ht-util.h"

static void probe_hangs(struct ht_probe_result *r)
{
	for (;;)
		pause();
}

static void probe_crashes(struct ht_probe_result *r)
{
	ht_probe_note(r, "about to crash");
	/* Sanitizers install a SIGSEGV handler; the runner must see the raw signal. */
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
}

#define BIG (200 * 1000)

static void probe_talks(struct ht_probe_result *r)
{
	char *s = ht_xmalloc(BIG + 1);

	memset(s, 'x', BIG);
	s[BIG] = '\0';
	r->evidence = s;
	ht_probe_yes(r);
}

static void probe_silent(struct ht_probe_result *r)
{
}

/* Forks a grandchild that holds the result pipe open forever. */
static void probe_leaks(struct ht_probe_result *r)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	ht_probe_note(r, "%d", (int)pid);
	ht_probe_yes(r);
}

static void probe_says_no(struct ht_probe_result *r)
{
	ht_probe_note(r, "tried");
	ht_probe_fail(r, HT_NO, -ENOENT, "thing bound to %s", "elsewhere");
}

static void result_free(struct ht_probe_result *r)
{
	free(r->evidence);
	free(r->explanation);
}

START_TEST(timeout_is_unknown)
{
	const struct ht_probe_desc d = { "t.hang", "hangs", probe_hangs };
	struct ht_probe_result r;

	ht_probe_run_desc(&d, 200, &r);
	ck_assert_int_eq(r.verdict, HT_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.explanation, "probe timed out"));
	ck_assert_double_lt(r.duration_s, 2.0);
	ck_assert_double_ge(r.duration_s, 0.19);
	result_free(&r);
}
END_TEST

START_TEST(crash_is_unknown_with_signal)
{
	const struct ht_probe_desc d = { "t.crash", "crashes", probe_crashes };
	struct ht_probe_result r;

	ht_probe_run_desc(&d, 5000, &r);
	ck_assert_int_eq(r.verdict, HT_UNKNOWN);
	ck_assert_str_eq(r.explanation, "probe crashed with SIGSEGV");
	result_free(&r);
}
END_TEST

START_TEST(large_evidence_round_trips)
{
	const struct ht_probe_desc d = { "t.big", "talks", probe_talks };
	struct ht_probe_result r;

	ht_probe_run_desc(&d, 5000, &r);
	ck_assert_int_eq(r.verdict, HT_YES);
	ck_assert_ptr_null(r.explanation);
	ck_assert_uint_eq(strlen(r.evidence), BIG);
	result_free(&r);
}
END_TEST

START_TEST(no_verdict_is_unknown)
{
	const struct ht_probe_desc d = { "t.silent", "silent", probe_silent };
	struct ht_probe_result r;

	ht_probe_run_desc(&d, 5000, &r);
	ck_assert_int_eq(r.verdict, HT_UNKNOWN);
	ck_assert_str_eq(r.explanation, "the probe reported no verdict");
	result_free(&r);
}
END_TEST

START_TEST(leaked_process_is_killed)
{
	const struct ht_probe_desc d = { "t.leak", "leaks", probe_leaks };
	struct ht_probe_result r;
	int status = 0, probe_fd;
	pid_t leaked;

	/*
	 * Without pidfds (valgrind does not know pidfd_open) the runner learns
	 * of the end through EOF, which a leaked process that kept the pipe
	 * delays to the deadline: that fallback is not what this checks.
	 */
	probe_fd = pidfd_open(getpid(), 0);
	if (probe_fd < 0 && errno == ENOSYS)
		return;
	if (probe_fd >= 0)
		close(probe_fd);
	/* Orphans come to us, so we can see how the grandchild ended. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ht_probe_run_desc(&d, 5000, &r);
	ck_assert_int_eq(r.verdict, HT_YES);
	ck_assert_double_lt(r.duration_s, 2.0);
	leaked = (pid_t)atoi(r.evidence);
	ck_assert_int_gt(leaked, 0);
	ck_assert_int_eq(waitpid(leaked, &status, 0), leaked);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
	result_free(&r);
}
END_TEST

START_TEST(no_keeps_errno_and_reason_names_it)
{
	const struct ht_probe_desc d = { "t.no", "says no", probe_says_no };
	struct ht_probe_result r;
	char *reason;

	ht_probe_run_desc(&d, 5000, &r);
	ck_assert_int_eq(r.verdict, HT_NO);
	ck_assert_int_eq(r.err, ENOENT);
	ck_assert_str_eq(r.evidence, "tried");
	reason = ht_probe_reason(&r);
	ck_assert_str_eq(reason, "probe t.no: thing bound to elsewhere (ENOENT)");
	free(reason);
	result_free(&r);
}
END_TEST

START_TEST(unknown_id_is_unknown_and_stable)
{
	const struct ht_probe_result *a = ht_probe_get("no.such.probe");
	const struct ht_probe_result *b = ht_probe_get("no.such.probe");

	ck_assert_ptr_eq(a, b);
	ck_assert_int_eq(a->verdict, HT_UNKNOWN);
	ck_assert_str_eq(a->explanation, "no such probe: no.such.probe");
	ck_assert_ptr_null(ht_probe_find("no.such.probe"));
}
END_TEST

START_TEST(verdict_names)
{
	ck_assert_str_eq(ht_verdict_name(HT_YES), "yes");
	ck_assert_str_eq(ht_verdict_name(HT_NO), "no");
	ck_assert_str_eq(ht_verdict_name(HT_UNKNOWN), "unknown");
}
END_TEST

START_TEST(registry_and_lessons_agree)
{
	static const char *const required[] = {
		"ns.pid",	  "ns.mnt",	 "ns.uts",	 "ns.ipc",     "ns.user",
		"ns.cgroup",	  "ns.time",	 "ns.net",	 "userns.map", "cgroup2.mount",
		"cgroup2.memory", "cgroup2.cpu", "cgroup2.pids", "cgroup2.io", "cgroup.v1",
		"pivot_root",	  "overlayfs",	 "net.veth",	 "net.bridge", "net.nft_nat",
		"bpf.tracepoint", "bpf.btf",	 "seccomp",	 "vm.qemu",    "vm.kvm",
	};
	size_t n, nl;
	const struct ht_probe_desc *list = ht_probe_list(&n);
	const struct ht_lesson *ls = ht_lesson_list(&nl);

	ck_assert_uint_eq(n, HT_ARRAY_SIZE(required));
	for (size_t i = 0; i < HT_ARRAY_SIZE(required); i++)
		ck_assert_ptr_nonnull(ht_probe_find(required[i]));
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			ck_assert_str_ne(list[i].id, list[k].id);
	ck_assert_uint_eq(nl, 12);
	for (size_t i = 0; i < nl; i++) {
		ck_assert_int_eq(ls[i].number, (int)i + 1);
		ck_assert_ptr_nonnull(ls[i].needs[0]);
		for (const char *const *need = ls[i].needs; *need; need++)
			ck_assert_msg(ht_probe_find(*need), "lesson %d needs unknown probe %s",
				      ls[i].number, *need);
	}
}
END_TEST

START_TEST(cgroup2_mount_matches_mountinfo)
{
	char *path = NULL;
	int ret = ht_cgroup2_mount(&path);

	if (ret == 0) {
		ck_assert_ptr_nonnull(path);
		ck_assert_int_eq(path[0], '/');
		free(path);
	} else {
		ck_assert_int_eq(ret, -ENOENT);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("probe-runner");
	TCase *tc = tcase_create("runner");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, timeout_is_unknown);
	tcase_add_test(tc, crash_is_unknown_with_signal);
	tcase_add_test(tc, large_evidence_round_trips);
	tcase_add_test(tc, no_verdict_is_unknown);
	tcase_add_test(tc, leaked_process_is_killed);
	tcase_add_test(tc, no_keeps_errno_and_reason_names_it);
	tcase_add_test(tc, unknown_id_is_unknown_and_stable);
	tcase_add_test(tc, verdict_names);
	tcase_add_test(tc, registry_and_lessons_agree);
	tcase_add_test(tc, cgroup2_mount_matches_mountinfo);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
