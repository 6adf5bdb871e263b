// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the grade's scoring (harness/ht-grade.c) on made-up runs:
 * each outcome's column, the score as passed/applicable with skips kept
 * apart, the "not implemented" rule for not-attempted tests, the lesson
 * status, where the tests ran, the native verdict, and the exit status of
 * `isolab grade` (ht-grade.h describes the rules).
 */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "ht-grade.h"
#include "ht-util.h"

static const struct ht_test l1_a = { .name = "l1_a", .lesson = 1 };
static const struct ht_test l1_b = { .name = "l1_b", .lesson = 1 };
static const struct ht_test l2_a = { .name = "l2_a", .lesson = 2 };
static const struct ht_test l3_a = { .name = "l3_a", .lesson = 3 };
static const struct ht_test l0_a = { .name = "l0_a", .lesson = 0 };

static struct ht_result *add(struct ht_run *run, const struct ht_test *t, enum ht_outcome o,
			     const char *reason)
{
	struct ht_result *r = ht_run_add_result(run, t);

	r->outcome = o;
	r->reason = reason ? ht_xstrdup(reason) : NULL;
	return r;
}

static void grade(struct ht_grade *g, const struct ht_run *run, const int *lessons, size_t n)
{
	ht_grade_init(g, "mine", "host", lessons, n);
	ht_grade_score(g, run);
}

START_TEST(test_columns_and_score)
{
	static const int lessons[] = { 1, 2 };
	struct ht_grade g;
	struct ht_run run;
	struct ht_grade_lesson *l;

	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_PASS, NULL);
	add(&run, &l1_a, HT_WARN, "a SHOULD");
	add(&run, &l1_a, HT_XFAIL, "known");
	add(&run, &l1_b, HT_FAIL, "got 2, want 1");
	add(&run, &l1_b, HT_BROKEN, "setup");
	add(&run, &l1_b, HT_TIMEOUT, NULL);
	add(&run, &l1_b, HT_SKIP, "probe ns.pid: no");
	add(&run, &l1_b, HT_SKIP, "probe ns.pid: no");
	/* Other lessons, and results without a test, are not counted. */
	add(&run, &l3_a, HT_FAIL, "elsewhere");
	add(&run, &l0_a, HT_FAIL, "selftest");
	add(&run, NULL, HT_FAIL, "orphan");
	grade(&g, &run, lessons, 2);

	l = ht_grade_find(&g, 1);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(l->passed, 3);
	ck_assert_uint_eq(l->failed, 3);
	ck_assert_uint_eq(l->not_attempted, 0);
	ck_assert_uint_eq(l->skipped, 2);
	ck_assert_int_eq(l->status, HT_GRADE_FAIL);
	/* Lesson 2 had no result: ungraded, not passed. */
	l = ht_grade_find(&g, 2);
	ck_assert_uint_eq(l->passed + l->failed + l->not_attempted + l->skipped, 0);
	ck_assert_int_eq(l->status, HT_GRADE_UNGRADED);
	ck_assert_ptr_null(ht_grade_find(&g, 3));
	ck_assert(!ht_grade_all_passed(&g));
	ht_grade_done(&g);
	ht_run_done(&run);
}
END_TEST

/* JSON: score is passed/applicable, null when nothing applied; skips do not count. */
START_TEST(test_json_score)
{
	static const int lessons[] = { 1, 2 };
	struct ht_grade g;
	struct ht_run run;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *doc, *l1, *l2;
	json_error_t e;

	ck_assert_ptr_nonnull(f);
	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_PASS, NULL);
	add(&run, &l1_a, HT_FAIL, "no");
	add(&run, &l1_b, HT_FAIL, "not implemented");
	add(&run, &l1_b, HT_PASS, NULL);
	add(&run, &l1_b, HT_SKIP, "no cgroup2");
	add(&run, &l2_a, HT_SKIP, "no cgroup2");
	grade(&g, &run, lessons, 2);
	ck_assert_int_eq(ht_grade_write_json(f, &g, &run), 0);
	fclose(f);
	doc = json_loads(buf, 0, &e);
	ck_assert_msg(doc != NULL, "%s: %s", e.text, buf);
	l1 = json_array_get(json_object_get(doc, "lessons"), 0);
	l2 = json_array_get(json_object_get(doc, "lessons"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(l1, "passed")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(l1, "applicable")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(l1, "not_attempted")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(l1, "skipped")), 1);
	ck_assert_double_eq_tol(json_real_value(json_object_get(l1, "score")), 0.5, 1e-12);
	ck_assert_str_eq(json_string_value(json_object_get(l1, "status")), "fail");
	ck_assert_int_eq(json_integer_value(json_object_get(l2, "applicable")), 0);
	ck_assert(json_is_null(json_object_get(l2, "score")));
	ck_assert_str_eq(json_string_value(json_object_get(l2, "status")), "ungraded");
	ck_assert_int_eq(json_array_size(json_object_get(l2, "skips")), 1);
	json_decref(doc);
	free(buf);
	ht_grade_done(&g);
	ht_run_done(&run);
}
END_TEST

/* "not implemented" (any case) in the reason, a message or the output; only for failures. */
START_TEST(test_not_attempted_rule)
{
	struct ht_run run;
	struct ht_result *r;

	ht_run_init(&run, "unit");
	r = add(&run, &l1_a, HT_FAIL, "contain-starter: ns: Not Implemented");
	ck_assert(ht_grade_not_implemented(r));
	r = add(&run, &l1_a, HT_BROKEN, "setup failed");
	r->msgs = ht_xcalloc(1, sizeof(*r->msgs));
	r->n_msgs = 1;
	r->msgs[0] = (struct ht_msg){ HT_FAIL, ht_xstrdup("stderr: \"not implemented\"") };
	ck_assert(ht_grade_not_implemented(r));
	r = add(&run, &l1_a, HT_TIMEOUT, NULL);
	r->output = ht_xstrdup("oci: NOT IMPLEMENTED\n");
	ck_assert(ht_grade_not_implemented(r));
	r = add(&run, &l1_a, HT_FAIL, "implemented wrongly: got 2, want 1");
	ck_assert(!ht_grade_not_implemented(r));
	r = add(&run, &l1_a, HT_FAIL, NULL);
	ck_assert(!ht_grade_not_implemented(r));
	/* A pass or a skip that mentions it is still a pass or a skip. */
	r = add(&run, &l1_a, HT_PASS, "not implemented");
	ck_assert(!ht_grade_not_implemented(r));
	r = add(&run, &l1_a, HT_SKIP, "not implemented");
	ck_assert(!ht_grade_not_implemented(r));
	ht_run_done(&run);
}
END_TEST

/* A lesson's status from its columns. */
START_TEST(test_status)
{
	static const int lessons[] = { 1, 2, 3, 4 };
	struct ht_grade g;
	struct ht_run run;
	static const struct ht_test l4_a = { .name = "l4_a", .lesson = 4 };

	ht_run_init(&run, "unit");
	/* 1: every applicable test not implemented (skips aside). */
	add(&run, &l1_a, HT_FAIL, "not implemented");
	add(&run, &l1_b, HT_BROKEN, "not implemented");
	add(&run, &l1_b, HT_SKIP, "no");
	/* 2: a pass among them makes it a failed lesson, not "not attempted". */
	add(&run, &l2_a, HT_FAIL, "not implemented");
	add(&run, &l2_a, HT_PASS, NULL);
	/* 3: a real failure among them makes it failed too. */
	add(&run, &l3_a, HT_FAIL, "not implemented");
	add(&run, &l3_a, HT_FAIL, "got 0");
	/* 4: passes and skips only: passed. */
	add(&run, &l4_a, HT_PASS, NULL);
	add(&run, &l4_a, HT_SKIP, "no");
	grade(&g, &run, lessons, 4);
	ck_assert_int_eq(ht_grade_find(&g, 1)->status, HT_GRADE_NOT_ATTEMPTED);
	ck_assert_uint_eq(ht_grade_find(&g, 1)->not_attempted, 2);
	ck_assert_int_eq(ht_grade_find(&g, 2)->status, HT_GRADE_FAIL);
	ck_assert_int_eq(ht_grade_find(&g, 3)->status, HT_GRADE_FAIL);
	ck_assert_uint_eq(ht_grade_find(&g, 3)->failed, 1);
	ck_assert_int_eq(ht_grade_find(&g, 4)->status, HT_GRADE_PASS);
	ck_assert_str_eq(ht_grade_status_name(HT_GRADE_NOT_ATTEMPTED), "not-attempted");
	ht_grade_done(&g);
	ht_run_done(&run);
}
END_TEST

/* Where: each place once, in the order seen; skips ran nowhere. */
START_TEST(test_where)
{
	static const int lessons[] = { 1, 2 };
	struct ht_grade g;
	struct ht_run run;

	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_PASS, NULL);
	add(&run, &l1_a, HT_PASS, NULL)->where = ht_xstrdup("vm:debian-6.1");
	add(&run, &l1_b, HT_FAIL, "x")->where = ht_xstrdup("host");
	add(&run, &l1_b, HT_PASS, NULL)->where = ht_xstrdup("vm:debian-6.1");
	add(&run, &l2_a, HT_SKIP, "no")->where = ht_xstrdup("vm:debian-6.1");
	grade(&g, &run, lessons, 2);
	ck_assert_str_eq(ht_grade_find(&g, 1)->where, "host,vm:debian-6.1");
	ck_assert_ptr_null(ht_grade_find(&g, 2)->where);
	ht_grade_done(&g);
	ht_run_done(&run);
}
END_TEST

static void hit(struct ht_shellout *s, const char *tool)
{
	s->hits = ht_xrealloc(s->hits, (s->n + 1) * sizeof(*s->hits));
	s->hits[s->n++] = (struct ht_shellout_hit){ .tool = ht_xstrdup(tool),
						    .filename = ht_xasprintf("/usr/bin/%s", tool),
						    .pid = 100,
						    .ret = 0 };
}

/* Native: no for a core tool of the lesson (busybox applets too), yes otherwise. */
START_TEST(test_native)
{
	static const int lessons[] = { 1, 3, 8, 10 };
	struct ht_shellout none = { 0 }, ip = { 0 }, bb = { 0 }, mixed = { 0 };
	struct ht_grade g;

	ht_grade_init(&g, "mine", "host", lessons, 4);
	ck_assert_int_eq(ht_grade_find(&g, 1)->native, HT_NATIVE_UNKNOWN);
	hit(&ip, "ip");
	hit(&bb, "busybox:unshare");
	hit(&mixed, "cat");
	hit(&mixed, "tar");

	/* ip is not a lesson-1 tool: yes, with the shell-out still listed. */
	ht_grade_set_native(ht_grade_find(&g, 1), &ip);
	ck_assert_int_eq(ht_grade_find(&g, 1)->native, HT_NATIVE_YES);
	ck_assert_ptr_null(ht_grade_find(&g, 1)->native_detail);
	ck_assert_str_eq(ht_grade_find(&g, 1)->shellouts, "ip");
	ck_assert(ht_grade_find(&g, 1)->traced);
	/* ...but it is one of lesson 3's. */
	ht_grade_set_native(ht_grade_find(&g, 3), &ip);
	ck_assert_int_eq(ht_grade_find(&g, 3)->native, HT_NATIVE_NO);
	ck_assert_str_eq(ht_grade_find(&g, 3)->native_detail, "ip");
	/* A busybox applet counts as the tool it is. */
	ht_grade_set_native(ht_grade_find(&g, 1), &bb);
	ck_assert_int_eq(ht_grade_find(&g, 1)->native, HT_NATIVE_NO);
	ck_assert_str_eq(ht_grade_find(&g, 1)->native_detail, "busybox:unshare");
	/* Only the core tools are named, among others. */
	ht_grade_set_native(ht_grade_find(&g, 8), &mixed);
	ck_assert_int_eq(ht_grade_find(&g, 8)->native, HT_NATIVE_NO);
	ck_assert_str_eq(ht_grade_find(&g, 8)->native_detail, "tar");
	/* A clean trace: yes. */
	ht_grade_set_native(ht_grade_find(&g, 10), &none);
	ck_assert_int_eq(ht_grade_find(&g, 10)->native, HT_NATIVE_YES);

	/* Unknown never hides a "no", and replaces a "yes" with its reason. */
	ht_grade_set_unknown(ht_grade_find(&g, 1), "no tracer");
	ck_assert_int_eq(ht_grade_find(&g, 1)->native, HT_NATIVE_NO);
	ck_assert_str_eq(ht_grade_find(&g, 1)->native_detail, "busybox:unshare");
	ht_grade_set_unknown(ht_grade_find(&g, 10), "its tests ran in a VM");
	ck_assert_int_eq(ht_grade_find(&g, 10)->native, HT_NATIVE_UNKNOWN);
	ck_assert_str_eq(ht_grade_find(&g, 10)->native_detail, "its tests ran in a VM");
	ck_assert_str_eq(ht_grade_native_name(HT_NATIVE_YES), "yes");
	ck_assert_str_eq(ht_grade_native_name(HT_NATIVE_NO), "no");
	ck_assert_str_eq(ht_grade_native_name(HT_NATIVE_UNKNOWN), "unknown");

	/* Every lesson has core tools; an unknown lesson has none. */
	for (int n = 1; n <= 12; n++)
		ck_assert_ptr_nonnull(ht_grade_core_tools(n)[0]);
	ck_assert_ptr_null(ht_grade_core_tools(0)[0]);
	ck_assert_ptr_null(ht_grade_core_tools(13)[0]);
	ck_assert_ptr_null(ht_grade_core_tools(-1)[0]);

	ht_shellout_free(&ip);
	ht_shellout_free(&bb);
	ht_shellout_free(&mixed);
	ht_grade_done(&g);
}
END_TEST

/* Exit: 0 all passed, 1 a lesson failed or not attempted, 4 otherwise (something ungraded). */
START_TEST(test_exit_code)
{
	static const int lessons[] = { 1, 2 };
	struct ht_grade g;
	struct ht_run run;

	/* Both passed. */
	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_PASS, NULL);
	add(&run, &l2_a, HT_PASS, NULL);
	grade(&g, &run, lessons, 2);
	ck_assert(ht_grade_all_passed(&g));
	ck_assert_int_eq(ht_grade_exit_code(&g), 0);
	ht_grade_done(&g);
	ht_run_done(&run);

	/* One passed, one all skipped: ungraded. */
	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_PASS, NULL);
	add(&run, &l2_a, HT_SKIP, "no");
	grade(&g, &run, lessons, 2);
	ck_assert_int_eq(ht_grade_exit_code(&g), 4);
	ht_grade_done(&g);
	ht_run_done(&run);

	/* An ungraded lesson does not hide a failed one. */
	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_FAIL, "x");
	add(&run, &l2_a, HT_SKIP, "no");
	grade(&g, &run, lessons, 2);
	ck_assert_int_eq(ht_grade_exit_code(&g), 1);
	ht_grade_done(&g);
	ht_run_done(&run);

	/* Not attempted is a failure of the grade. */
	ht_run_init(&run, "unit");
	add(&run, &l1_a, HT_PASS, NULL);
	add(&run, &l2_a, HT_FAIL, "not implemented");
	grade(&g, &run, lessons, 2);
	ck_assert_int_eq(ht_grade_find(&g, 2)->status, HT_GRADE_NOT_ATTEMPTED);
	ck_assert_int_eq(ht_grade_exit_code(&g), 1);
	ht_grade_done(&g);
	ht_run_done(&run);

	/* No lesson at all passes nothing. */
	ht_run_init(&run, "unit");
	grade(&g, &run, lessons, 0);
	ck_assert(!ht_grade_all_passed(&g));
	ck_assert_int_eq(ht_grade_exit_code(&g), 4);
	ht_grade_done(&g);
	ht_run_done(&run);
}
END_TEST

static Suite *grade_suite(void)
{
	Suite *s = suite_create("grade");
	TCase *tc = tcase_create("scoring");

	tcase_add_test(tc, test_columns_and_score);
	tcase_add_test(tc, test_json_score);
	tcase_add_test(tc, test_not_attempted_rule);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_native);
	tcase_add_test(tc, test_exit_code);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(grade_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
