// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The error object: errno formatting, context prefixes, hints, errno names
 * and truncation of long messages.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-error.h"

START_TEST(errno_message_names_the_errno)
{
	struct ctr_error e = { 0 };
	int r = ctr_error_errno(&e, EPERM, "mount %s on %s", "proc", "/proc");

	ck_assert_int_eq(r, -EPERM);
	ck_assert_int_eq(e.err, EPERM);
	ck_assert_int_eq(e.kind, CTR_ERROR_SETUP);
	ck_assert_str_eq(e.msg, "mount proc on /proc: Operation not permitted (EPERM)");
}
END_TEST

START_TEST(negative_errno_is_accepted)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_error_errno(&e, -ENOENT, "rootfs %s", "/x"), -ENOENT);
	ck_assert_str_eq(e.msg, "rootfs /x: No such file or directory (ENOENT)");
}
END_TEST

START_TEST(context_is_prefixed_on_the_way_up)
{
	struct ctr_error e = { 0 };

	ctr_error_errno(&e, EPERM, "mount proc on /proc");
	ck_assert_int_eq(ctr_error_prefix(&e, "prepare rootfs"), -EPERM);
	ck_assert_str_eq(e.msg,
			 "prepare rootfs: mount proc on /proc: Operation not permitted (EPERM)");
	ctr_error_prefix(&e, "%s %d", "step", 2);
	ck_assert_str_eq(e.msg, "step 2: prepare rootfs: mount proc on /proc: Operation not "
				"permitted (EPERM)");
}
END_TEST

START_TEST(hint_follows_the_cause)
{
	struct ctr_error e = { 0 };

	ctr_error_errno(&e, EINVAL, "pivot_root");
	ck_assert_int_eq(ctr_error_hint(&e, "new root must be a mount point"), -EINVAL);
	ck_assert_str_eq(e.msg,
			 "pivot_root: Invalid argument (EINVAL); new root must be a mount point");
}
END_TEST

START_TEST(set_keeps_a_custom_cause)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(
		ctr_error_set(&e, ELOOP, "%s is a symlink: refusing to mount over it", "/proc"),
		-ELOOP);
	ctr_error_prefix(&e, "prepare rootfs");
	ck_assert_str_eq(e.msg, "prepare rootfs: /proc is a symlink: refusing to mount over it");
	ck_assert_int_eq(e.err, ELOOP);
}
END_TEST

START_TEST(usage_errors_are_marked)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_error_usage(&e, "unknown option \"%s\"", "--x"), -EINVAL);
	ck_assert_int_eq(e.kind, CTR_ERROR_USAGE);
	ck_assert_str_eq(e.msg, "unknown option \"--x\"");
}
END_TEST

START_TEST(zero_errno_becomes_eio)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_error_set(&e, 0, "something"), -EIO);
	ck_assert_int_eq(e.err, EIO);
}
END_TEST

START_TEST(errno_names)
{
	ck_assert_str_eq(ctr_errno_name(EPERM), "EPERM");
	ck_assert_str_eq(ctr_errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(ctr_errno_name(-EINVAL), "EINVAL");
	ck_assert_str_eq(ctr_errno_name(ELOOP), "ELOOP");
	ck_assert_ptr_null(ctr_errno_name(0));
	ck_assert_ptr_null(ctr_errno_name(4000));
}
END_TEST

START_TEST(unknown_errno_is_numbered)
{
	struct ctr_error e = { 0 };

	ctr_error_errno(&e, 4000, "x");
	ck_assert_ptr_nonnull(strstr(e.msg, "(errno 4000)"));
}
END_TEST

START_TEST(long_messages_are_truncated_not_overflowed)
{
	struct ctr_error e = { 0 };
	char big[3 * CTR_ERROR_MSG_MAX];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ctr_error_errno(&e, EPERM, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), CTR_ERROR_MSG_MAX - 1);
	ctr_error_prefix(&e, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), CTR_ERROR_MSG_MAX - 1);
	ctr_error_hint(&e, "hint");
	ck_assert_uint_eq(strlen(e.msg), CTR_ERROR_MSG_MAX - 1);

	ctr_error_set(&e, EPERM, "short");
	ctr_error_prefix(&e, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), CTR_ERROR_MSG_MAX - 1);
	ck_assert(strncmp(e.msg, "aaaa", 4) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-error");
	TCase *tc = tcase_create("error");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, errno_message_names_the_errno);
	tcase_add_test(tc, negative_errno_is_accepted);
	tcase_add_test(tc, context_is_prefixed_on_the_way_up);
	tcase_add_test(tc, hint_follows_the_cause);
	tcase_add_test(tc, set_keeps_a_custom_cause);
	tcase_add_test(tc, usage_errors_are_marked);
	tcase_add_test(tc, zero_errno_becomes_eio);
	tcase_add_test(tc, errno_names);
	tcase_add_test(tc, unknown_errno_is_numbered);
	tcase_add_test(tc, long_messages_are_truncated_not_overflowed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
