// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ctr_dlopen(): a missing library or function is an error that names it and
 * the package to install, a failed load fills no pointer, a good one fills
 * them all, and the SONAMEs contain was built for are the installed ones.
 * Check forks each test, so every test starts with nothing loaded.
 */
#include <archive.h>
#include <check.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "contain-trace-config.h"
#include "ctr-digest.h"
#include "ctr-dl-archive.h"
#include "ctr-dlopen.h"

#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif
#if CONTAIN_HAVE_TRACE
#include <bpf/libbpf.h>
#endif

/* Declared only for its type: no library defines it. */
int ctr_test_no_such_function(const char *s);

CTR_DLSYM_DEFINE(strlen);
CTR_DLSYM_DEFINE(strnlen);
CTR_DLSYM_DEFINE(ctr_test_no_such_function);

CTR_DLLIB_DEFINE(missing_lib, "libcontain-test-missing.so.0", "contain-test-pkg",
		 CTR_DLSYM(strnlen));
CTR_DLLIB_DEFINE(missing_sym, "libc.so.6", "libc6", CTR_DLSYM(strlen),
		 CTR_DLSYM(ctr_test_no_such_function));
CTR_DLLIB_DEFINE(libc, "libc.so.6", "libc6", CTR_DLSYM(strlen), CTR_DLSYM(strnlen));

START_TEST(missing_library_names_it_and_the_package)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_dlopen(&missing_lib, &e), -ELIBACC);
	ck_assert_int_eq(e.err, ELIBACC);
	ck_assert_int_eq(e.kind, CTR_ERROR_SETUP);
	ck_assert_str_eq(e.msg, "libcontain-test-missing.so.0: cannot open shared object file: "
				"No such file or directory; this verb needs "
				"libcontain-test-missing.so.0: install the Debian package "
				"contain-test-pkg");
	ck_assert_ptr_null(sym_strnlen);

	/* The failure is kept: the second call gives the same error without a retry. */
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(ctr_dlopen(&missing_lib, &e), -ELIBACC);
	ck_assert_ptr_nonnull(strstr(e.msg, "contain-test-pkg"));
}
END_TEST

START_TEST(missing_function_names_it_and_fills_nothing)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_dlopen(&missing_sym, &e), -ELIBBAD);
	ck_assert_int_eq(e.err, ELIBBAD);
	ck_assert_str_eq(e.msg, "libc.so.6: undefined symbol ctr_test_no_such_function; contain "
				"was built against a newer libc.so.6 than the installed one "
				"(Debian package libc6)");
	/* strlen was found before the missing one, and taken back. */
	ck_assert_ptr_null(sym_strlen);
	ck_assert_ptr_null(sym_ctr_test_no_such_function);
}
END_TEST

START_TEST(loaded_library_fills_every_pointer)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_dlopen(&libc, &e), 0);
	ck_assert_int_eq(e.err, 0);
	ck_assert_uint_eq(sym_strlen("abc"), 3);
	ck_assert_uint_eq(sym_strnlen("abcdef", 4), 4);
	ck_assert_int_eq(ctr_dlopen(&libc, &e), 0);
}
END_TEST

CTR_DLSYM_DEFINE(archive_version_number);
CTR_DLLIB_DEFINE(libarchive, CTR_SONAME_LIBARCHIVE, CTR_PACKAGE_LIBARCHIVE,
		 CTR_DLSYM(archive_version_number));
CTR_DLSYM_DEFINE(OpenSSL_version_num);
CTR_DLLIB_DEFINE(libcrypto, CTR_SONAME_LIBCRYPTO, CTR_PACKAGE_LIBCRYPTO,
		 CTR_DLSYM(OpenSSL_version_num));

START_TEST(built_for_sonames_are_installed)
{
	struct ctr_error e = { 0 };

	ck_assert_msg(ctr_dlopen(&libarchive, &e) == 0, "%s", e.msg);
	ck_assert_int_ge(sym_archive_version_number(), 3006000);
	ck_assert_msg(ctr_dlopen(&libcrypto, &e) == 0, "%s", e.msg);
	ck_assert_uint_ge(sym_OpenSSL_version_num() >> 28, 3);
}
END_TEST

/*
 * libcontain's own tables, every function of them: a name that is a macro in
 * the header rather than an export of the library fails here, not in the
 * middle of an unpack.
 */
START_TEST(oci_tables_resolve)
{
	struct ctr_error e = { 0 };
	struct ctr_sha256 *h = NULL;
	char got[CTR_DIGEST_STR_MAX];
	struct archive *a;

	ck_assert_msg(ctr_dlopen_archive(&e) == 0, "%s", e.msg);
	a = sym_archive_read_new();
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(sym_archive_read_support_format_tar(a), ARCHIVE_OK);
	sym_archive_read_free(a);

	ck_assert_msg(ctr_digest_dlopen(&e) == 0, "%s", e.msg);
	ck_assert_int_eq(ctr_sha256_new(&h, &e), 0);
	ck_assert_int_eq(ctr_sha256_update(h, "abc", 3, &e), 0);
	ck_assert_int_eq(ctr_sha256_final(h, got, &e), 0);
	/* FIPS 180-2, appendix B.1. */
	ck_assert_str_eq(got,
			 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ctr_sha256_free(h);
}
END_TEST

#if HAVE_LIBNFTABLES
CTR_DLSYM_DEFINE(nft_ctx_new);
CTR_DLSYM_DEFINE(nft_ctx_free);
CTR_DLLIB_DEFINE(libnftables, CTR_SONAME_LIBNFTABLES, CTR_PACKAGE_LIBNFTABLES,
		 CTR_DLSYM(nft_ctx_new), CTR_DLSYM(nft_ctx_free));

/* A context needs no privilege: nothing reaches the kernel until a command runs. */
START_TEST(libnftables_opens)
{
	struct ctr_error e = { 0 };
	struct nft_ctx *ctx;

	ck_assert_msg(ctr_dlopen(&libnftables, &e) == 0, "%s", e.msg);
	ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
	ck_assert_ptr_nonnull(ctx);
	sym_nft_ctx_free(ctx);
}
END_TEST
#endif

#if CONTAIN_HAVE_TRACE
CTR_DLSYM_DEFINE(libbpf_major_version);
CTR_DLLIB_DEFINE(libbpf, CTR_SONAME_LIBBPF, CTR_PACKAGE_LIBBPF, CTR_DLSYM(libbpf_major_version));

START_TEST(libbpf_opens)
{
	struct ctr_error e = { 0 };

	ck_assert_msg(ctr_dlopen(&libbpf, &e) == 0, "%s", e.msg);
	ck_assert_uint_ge(sym_libbpf_major_version(), 1);
}
END_TEST
#endif

int main(void)
{
	Suite *s = suite_create("runtime-dlopen");
	TCase *tc = tcase_create("dlopen");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, missing_library_names_it_and_the_package);
	tcase_add_test(tc, missing_function_names_it_and_fills_nothing);
	tcase_add_test(tc, loaded_library_fills_every_pointer);
	tcase_add_test(tc, built_for_sonames_are_installed);
	tcase_add_test(tc, oci_tables_resolve);
#if HAVE_LIBNFTABLES
	tcase_add_test(tc, libnftables_opens);
#endif
#if CONTAIN_HAVE_TRACE
	tcase_add_test(tc, libbpf_opens);
#endif
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
