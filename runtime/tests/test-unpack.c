// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Layer application: digest strings, path cleaning, whiteouts and opaque
 * directories (image-spec layer.md#whiteouts), and a symlink made by an
 * earlier layer that must not lead a later write out of the root. Layers
 * are written with libarchive into a temporary directory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr-digest.h"
#include "ctr-unpack.h"
#include "ctr-util.h"

/* One entry of a test layer: type 'f' file, 'd' dir, 'l' symlink, 'h' hardlink. */
struct ent {
	char type;
	const char *name;
	const char *data; /* content, or link target */
};

static char tmpdir[] = "/tmp/test-unpack-XXXXXX";
static int tmpfd = -1;

static void setup(void)
{
	strcpy(tmpdir, "/tmp/test-unpack-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	tmpfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(tmpfd, 0);
	ck_assert_int_eq(mkdirat(tmpfd, "root", 0755), 0);
}

static void teardown(void)
{
	struct ctr_error err = { 0 };
	int parent = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ctr_remove_tree_at(parent, tmpdir + strlen("/tmp/"), &err);
	close(parent);
	close(tmpfd);
}

/* Write entries as a gzip'd tar into an unnamed file; return its fd. */
static int layer(const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	int fd = openat(tmpfd, ".", O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	ck_assert_int_eq(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = ents[i].data ? strlen(ents[i].data) : 0;

		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_mtime(e, 1000000000, 0);
		switch (ents[i].type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			len = 0;
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, ents[i].data);
			len = 0;
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, ents[i].data);
			len = 0;
			break;
		}
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			ck_assert_int_eq(archive_write_data(a, ents[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return fd;
}

/* Apply layers in order; return the first error (0 when all applied). */
static int apply(const struct ent *const *layers, const size_t *counts, size_t n,
		 struct ctr_error *err)
{
	struct ctr_unpack_opts o;
	struct ctr_unpack *u = NULL;
	_cleanup_close_ int root = openat(tmpfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	ctr_unpack_opts_default(&o);
	ck_assert_int_eq(ctr_unpack_new(root, &o, &u, err), 0);
	for (size_t i = 0; i < n && r >= 0; i++) {
		int fd = layer(layers[i], counts[i]);

		r = ctr_unpack_layer(u, fd, "layer", err);
		close(fd);
	}
	ctr_unpack_free(u);
	return r;
}

static bool exists(const char *path)
{
	struct stat st;
	char p[512];

	snprintf(p, sizeof(p), "root/%s", path);
	return fstatat(tmpfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

#define APPLY(err, ...)                                               \
	({                                                            \
		const struct ent *const ls_[] = { __VA_ARGS__ };      \
		size_t cs_[CTR_ARRAY_SIZE(ls_)];                      \
		for (size_t i_ = 0; i_ < CTR_ARRAY_SIZE(ls_); i_++) { \
			size_t c_ = 0;                                \
			while (ls_[i_][c_].type)                      \
				c_++;                                 \
			cs_[i_] = c_;                                 \
		}                                                     \
		apply(ls_, cs_, CTR_ARRAY_SIZE(ls_), err);            \
	})

START_TEST(digest_strings_are_strict)
{
	struct ctr_error err = { 0 };
	char hex[CTR_DIGEST_HEX_LEN + 1];
	const char *good =
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	ck_assert(ctr_digest_valid(good));
	ck_assert_int_eq(ctr_digest_parse(good, hex, &err), 0);
	ck_assert_str_eq(hex, good + 7);
	ck_assert(!ctr_digest_valid("sha256:../../x"));
	ck_assert_int_eq(ctr_digest_parse("sha256:../../x", hex, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "sha256:../../x"));
	ck_assert(
		!ctr_digest_valid("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B"
				  "7852B855"));
	ck_assert(
		!ctr_digest_valid("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
				  "7852b855"));
	ck_assert(
		!ctr_digest_valid("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
				  "7852b85"));
	ck_assert(
		!ctr_digest_valid("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
				  "7852b8550"));
	ck_assert(!ctr_digest_valid(NULL));
}
END_TEST

START_TEST(digest_of_a_file)
{
	struct ctr_error err = { 0 };
	char got[CTR_DIGEST_STR_MAX];
	uint64_t size = 1;
	int fd = openat(tmpfd, ".", O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

	ck_assert_int_eq(ctr_digest_fd(fd, got, &size, &err), 0);
	ck_assert_str_eq(got,
			 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_int_eq(size, 0);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	ck_assert_int_eq(ctr_digest_verify_fd(fd, "blob",
					      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a3"
					      "96177a9cb410ff61f20015ad",
					      3, &err),
			 0);
	ck_assert_int_eq(ctr_digest_verify_fd(fd, "blob", got, -1, &err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match"));
	close(fd);
}
END_TEST

START_TEST(paths_are_cleaned_or_refused)
{
	struct ctr_unpack_limits l = { .max_depth = 3, .max_name = 8 };
	struct ctr_error err = { 0 };
	char *p = NULL;

	ck_assert_int_eq(ctr_unpack_path_clean("./a//b/./", &l, &p, &err), 0);
	ck_assert_str_eq(p, "a/b");
	free(p);
	ck_assert_int_eq(ctr_unpack_path_clean("./", &l, &p, &err), 0);
	ck_assert_str_eq(p, "");
	free(p);
	ck_assert_int_lt(ctr_unpack_path_clean("../x", &l, &p, &err), 0);
	ck_assert_int_lt(ctr_unpack_path_clean("a/../b", &l, &p, &err), 0);
	ck_assert_int_lt(ctr_unpack_path_clean("a/..", &l, &p, &err), 0);
	ck_assert_int_lt(ctr_unpack_path_clean("/etc/passwd", &l, &p, &err), 0);
	ck_assert_int_lt(ctr_unpack_path_clean("", &l, &p, &err), 0);
	ck_assert_int_lt(ctr_unpack_path_clean("a/b/c/d", &l, &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "--max-depth"));
	ck_assert_int_lt(ctr_unpack_path_clean("123456789", &l, &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "--max-name"));
	/* "..." and "..a" are ordinary names. */
	ck_assert_int_eq(ctr_unpack_path_clean(".../..a", &l, &p, &err), 0);
	ck_assert_str_eq(p, ".../..a");
	free(p);
}
END_TEST

START_TEST(whiteouts_remove_lower_entries)
{
	static const struct ent l1[] = {
		{ 'd', "a/" }, { 'f', "a/x", "1" }, { 'f', "a/y", "2" },
		{ 'd', "b/" }, { 'f', "b/z", "3" }, { 0 },
	};
	static const struct ent l2[] = {
		{ 'f', "a/.wh.x", "" },
		{ 'f', ".wh.b", "" },
		{ 'f', ".wh.missing", "" },
		{ 'f', "c/.wh.none", "" },
		{ 0 },
	};
	struct ctr_error err = { 0 };

	ck_assert_msg(APPLY(&err, l1, l2) == 0, "%s", err.msg);
	ck_assert(!exists("a/x"));
	ck_assert(exists("a/y"));
	ck_assert(!exists("b"));
	ck_assert(!exists("a/.wh.x"));
	ck_assert(!exists(".wh.b"));
	ck_assert(!exists("c"));
}
END_TEST

START_TEST(opaque_dir_applies_before_its_siblings)
{
	static const struct ent l1[] = {
		{ 'd', "d/" },	      { 'f', "d/old", "1" },
		{ 'd', "d/sub/" },    { 'f', "d/sub/old2", "2" },
		{ 'f', "keep", "3" }, { 0 },
	};
	/* The marker comes after a sibling of the same layer: it must not remove it. */
	static const struct ent l2[] = {
		{ 'f', "d/new", "4" },
		{ 'f', "d/sub/new2", "5" },
		{ 'f', "d/.wh..wh..opq", "" },
		{ 0 },
	};
	struct ctr_error err = { 0 };

	ck_assert_msg(APPLY(&err, l1, l2) == 0, "%s", err.msg);
	ck_assert(exists("d/new"));
	ck_assert(exists("d/sub/new2"));
	ck_assert(!exists("d/old"));
	ck_assert(!exists("d/sub/old2"));
	ck_assert(!exists("d/.wh..wh..opq"));
	ck_assert(exists("keep"));
}
END_TEST

START_TEST(bare_and_escaping_whiteouts_are_refused)
{
	static const struct ent bare[] = { { 'f', "d/.wh.", "" }, { 0 } };
	static const struct ent up[] = { { 'f', "../.wh.x", "" }, { 0 } };
	struct ctr_error err = { 0 };

	ck_assert_int_lt(APPLY(&err, bare), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "without a name"));
	ck_assert_int_lt(APPLY(&err, up), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"..\""));
}
END_TEST

START_TEST(symlinks_of_earlier_layers_stay_inside)
{
	static const struct ent l1[] = { { 'l', "up", "../../../.." }, { 'l', "abs", "/" }, { 0 } };
	static const struct ent l2[] = { { 'f', "up/escaped", "x" },
					 { 'f', "abs/escaped2", "y" },
					 { 0 } };
	struct ctr_error err = { 0 };
	struct stat st;

	ck_assert_msg(APPLY(&err, l1, l2) == 0, "%s", err.msg);
	/* Both resolve to the root itself (openat2 RESOLVE_IN_ROOT). */
	ck_assert(exists("escaped"));
	ck_assert(exists("escaped2"));
	ck_assert_int_lt(fstatat(tmpfd, "escaped", &st, 0), 0);
}
END_TEST

START_TEST(hardlinks_resolve_inside)
{
	static const struct ent l1[] = { { 'f', "f", "data" }, { 'h', "g", "f" }, { 0 } };
	static const struct ent out[] = { { 'h', "h", "../../etc/passwd" }, { 0 } };
	struct ctr_error err = { 0 };
	struct stat a, b;

	ck_assert_msg(APPLY(&err, l1) == 0, "%s", err.msg);
	ck_assert_int_eq(fstatat(tmpfd, "root/f", &a, 0), 0);
	ck_assert_int_eq(fstatat(tmpfd, "root/g", &b, 0), 0);
	ck_assert_int_eq(a.st_ino, b.st_ino);
	ck_assert_int_lt(APPLY(&err, out), 0);
	ck_assert(!exists("h"));
}
END_TEST

START_TEST(later_layer_replaces_dir_with_symlink)
{
	static const struct ent l1[] = { { 'd', "d/" }, { 'f', "d/f", "1" }, { 'd', "e/" }, { 0 } };
	static const struct ent l2[] = {
		{ 'l', "d", "e" }, { 'f', "d/g", "2" }, { 'f', "x", "3" }, { 0 }
	};
	static const struct ent l3[] = { { 'd', "x/" }, { 'f', "x/y", "4" }, { 0 } };
	struct ctr_error err = { 0 };
	struct stat st;

	ck_assert_msg(APPLY(&err, l1, l2, l3) == 0, "%s", err.msg);
	ck_assert_int_eq(fstatat(tmpfd, "root/d", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert(exists("e/g"));
	ck_assert(!exists("e/f"));
	ck_assert_int_eq(fstatat(tmpfd, "root/x", &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert(exists("x/y"));
}
END_TEST

static Suite *unpack_suite(void)
{
	Suite *s = suite_create("unpack");
	TCase *tc = tcase_create("unpack");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, digest_strings_are_strict);
	tcase_add_test(tc, digest_of_a_file);
	tcase_add_test(tc, paths_are_cleaned_or_refused);
	tcase_add_test(tc, whiteouts_remove_lower_entries);
	tcase_add_test(tc, opaque_dir_applies_before_its_siblings);
	tcase_add_test(tc, bare_and_escaping_whiteouts_are_refused);
	tcase_add_test(tc, symlinks_of_earlier_layers_stay_inside);
	tcase_add_test(tc, hardlinks_resolve_inside);
	tcase_add_test(tc, later_layer_replaces_dir_with_symlink);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(unpack_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
