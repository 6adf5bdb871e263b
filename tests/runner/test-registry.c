// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests (libcheck) of the registry and selection filters, and of the
 * outcome and area names the reports use.
 */
#include <check.h>
#include <stdlib.h>

#include "ht-registry.h"
#include "ht-result.h"

static void t_noop(struct ht_ctx *t)
{
}

HT_TEST(t_noop, .area = HT_AREA_ISOLATION, .lesson = 1);

static void t_net(struct ht_ctx *t)
{
}

HT_TEST(t_net, .area = HT_AREA_NETWORK, .lesson = 3, .needs = HT_NEEDS("ns.net"));

static void t_limits(struct ht_ctx *t)
{
}

HT_TEST(t_limits, .area = HT_AREA_LIMITS, .lesson = 6, .timeout_s = 60);

static void t_fixture(struct ht_ctx *t)
{
}

HT_TEST(t_fixture, .area = HT_AREA_HARNESS, .selftest = true);

static size_t count(struct ht_filter *f)
{
	const struct ht_test **sel;
	size_t n = ht_registry_select(f, &sel);

	free(sel);
	return n;
}

START_TEST(registry_sorted_with_defaults)
{
	size_t n;
	const struct ht_test *const *all = ht_registry_all(&n);

	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(all[0]->name, "t_fixture");
	ck_assert_str_eq(all[1]->name, "t_noop");
	ck_assert_str_eq(all[2]->name, "t_limits");
	ck_assert_str_eq(all[3]->name, "t_net");
	ck_assert_uint_eq(all[1]->timeout_s, 30);
	ck_assert_uint_eq(all[2]->timeout_s, 60);
	ck_assert_ptr_null(ht_registry_duplicate());
}
END_TEST

START_TEST(filter_by_area_and_lesson)
{
	struct ht_filter f = { 0 };

	ck_assert_uint_eq(count(&f), 3); /* the selftest fixture is hidden */
	ck_assert_int_eq(ht_filter_add_areas(&f, "network,limits"), 0);
	ck_assert_uint_eq(count(&f), 2);
	ck_assert_int_eq(ht_filter_add_lessons(&f, "3"), 0);
	ck_assert_uint_eq(count(&f), 1);
	ht_filter_done(&f);

	ck_assert_int_eq(ht_filter_add_lessons(&f, "1-3,6"), 0);
	ck_assert_uint_eq(count(&f), 3);
	ht_filter_done(&f);

	ck_assert_int_eq(ht_filter_add_areas(&f, "nosuch"), -EINVAL);
	ck_assert_int_eq(ht_filter_add_lessons(&f, "0"), -EINVAL);
	ck_assert_int_eq(ht_filter_add_lessons(&f, "5-2"), -EINVAL);
	ck_assert_int_eq(ht_filter_add_lessons(&f, "64"), -EINVAL);
	ck_assert_int_eq(ht_filter_add_lessons(&f, "x"), -EINVAL);
	ht_filter_done(&f);
}
END_TEST

START_TEST(filter_by_glob_and_selftest)
{
	struct ht_filter f = { 0 };

	ht_filter_add_glob(&f, "t_n*");
	ck_assert_uint_eq(count(&f), 2);
	ht_filter_done(&f);

	ht_filter_add_glob(&f, "network/*");
	ck_assert_uint_eq(count(&f), 1);
	ht_filter_done(&f);

	/* Fixtures need both --selftest and a glob naming them. */
	ht_filter_add_glob(&f, "t_fixture");
	ck_assert_uint_eq(count(&f), 0);
	f.selftest = true;
	ck_assert_uint_eq(count(&f), 1);
	ht_filter_done(&f);
}
END_TEST

START_TEST(outcome_and_area_names)
{
	enum ht_outcome o;
	enum ht_area a;

	for (int i = 0; i < HT_OUTCOME_MAX; i++) {
		ck_assert_int_eq(ht_outcome_parse(ht_outcome_name((enum ht_outcome)i), &o), 0);
		ck_assert_int_eq(o, i);
	}
	for (int i = 0; i < HT_AREA_MAX; i++) {
		ck_assert_int_eq(ht_area_parse(ht_area_name((enum ht_area)i), &a), 0);
		ck_assert_int_eq(a, i);
	}
	ck_assert_int_eq(ht_outcome_parse("MAYBE", &o), -EINVAL);
	ck_assert(ht_outcome_is_failure(HT_FAIL));
	ck_assert(ht_outcome_is_failure(HT_TIMEOUT));
	ck_assert(ht_outcome_is_failure(HT_BROKEN));
	ck_assert(!ht_outcome_is_failure(HT_SKIP));
	ck_assert(!ht_outcome_is_failure(HT_XFAIL));
	ck_assert(!ht_outcome_is_failure(HT_WARN));
	/* Precedence when a test reports several outcomes. */
	ck_assert(HT_BROKEN > HT_TIMEOUT && HT_TIMEOUT > HT_FAIL && HT_FAIL > HT_WARN);
	ck_assert(HT_WARN > HT_XFAIL && HT_SKIP > HT_PASS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, registry_sorted_with_defaults);
	tcase_add_test(tc, filter_by_area_and_lesson);
	tcase_add_test(tc, filter_by_glob_and_selftest);
	tcase_add_test(tc, outcome_and_area_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
