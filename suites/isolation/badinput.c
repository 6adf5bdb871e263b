// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad input (lesson 4): each mistake gets a message on stderr and a
 * non-zero exit, and leaves nothing behind: the host's mount table and
 * process list are as before.
 */
#include <sys/stat.h>

#include "iso.h"

/* Whether s contains one of the '|'-separated alternatives. */
static bool mentions(const char *s, const char *alternatives)
{
	_cleanup_free_ char *copy = ht_xstrdup(alternatives);
	char *save = NULL;

	for (char *a = strtok_r(copy, "|", &save); a; a = strtok_r(NULL, "|", &save))
		if (strstr(s, a))
			return true;
	return false;
}

/*
 * Run the runtime and check: exit code want (or any non-zero when want < 0),
 * a message mentioning each of `mention` (alternatives split by '|'), and no
 * leftovers: the host's mount table and process list are as before.
 */
static void expect_refused(struct ht_ctx *t, const char *const *args, int want,
			   const char *const *mention)
{
	_cleanup_free_ char *before = ht_mount_points(0), *after = NULL;
	_cleanup_free_ pid_t *left = NULL;
	struct ht_proc r;

	ht_runtime_run(t, &r, args, NULL);
	if (want >= 0)
		HT_EXPECT_EXIT(t, &r, want);
	else
		HT_EXPECT_NE(t, r.exit_code, 0);
	HT_EXPECT_GT(t, r.err_len, 0);
	for (const char *const *m = mention; m && *m; m++)
		if (!mentions(r.err, *m))
			ht_fail(t, "the message does not mention \"%s\": \"%.300s\"", *m, r.err);
	after = ht_mount_points(0);
	HT_EXPECT_STREQ(t, after, before);
	HT_EXPECT_EQ(t, ht_pids_with_arg(ht_nonce(t), &left), 0);
	ht_proc_free(&r);
}

/* A rootfs that does not exist: exit 125, the message names the path. */
static void badinput_missing_rootfs(struct ht_ctx *t)
{
	_cleanup_free_ char *missing = ht_xasprintf("%s/no-such-rootfs", ht_scratch_dir(t));

	expect_refused(
		t, HT_ARGS("ns", "container", "--rootfs", missing, "--", "/bin/true", ht_nonce(t)),
		125, HT_ARGS(missing, "No such file|ENOENT|does not exist"));
}
HT_TEST(badinput_missing_rootfs, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.mnt"));

/*
 * A rootfs whose /proc is a symlink is refused: mounting procfs through it
 * would land on a path the rootfs author chose, possibly outside (the class
 * of CVE-2019-16884 / CVE-2019-19921).
 */
static void badinput_proc_symlink_refused(struct ht_ctx *t)
{
	_cleanup_free_ char *root = ht_xasprintf("%s/evil-rootfs", ht_scratch_dir(t));
	_cleanup_free_ char *target = ht_xasprintf("%s/target", ht_scratch_dir(t));
	_cleanup_free_ char *proc = ht_xasprintf("%s/proc", root);
	_cleanup_free_ char *bin = ht_xasprintf("%s/bin", root);
	_cleanup_free_ char *busybox = ht_xasprintf("%s/bin/busybox", ht_rootfs());
	_cleanup_free_ char *sh = ht_xasprintf("%s/sh", bin);
	struct stat st;

	HT_SETUP(t, mkdir(root, 0755));
	HT_SETUP(t, mkdir(bin, 0755));
	HT_SETUP(t, mkdir(target, 0755));
	HT_SETUP(t, symlink(target, proc));
	HT_SETUP(t, link(busybox, sh) == 0 ? 0 : symlink(busybox, sh));
	expect_refused(t,
		       HT_ARGS("ns", "container", "--rootfs", root, "--", "/bin/sh", "-c", "true",
			       ht_nonce(t)),
		       125, HT_ARGS("/proc", "symlink"));
	/* Nothing was mounted on, or written into, the symlink's target. */
	HT_SETUP(t, stat(target, &st));
	HT_EXPECT(t, !ht_is_mount_point(0, target));
	HT_EXPECT_EQ(t, st.st_nlink, 2);
}
HT_TEST(badinput_proc_symlink_refused, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.mnt", "pivot_root"));

/* A command that does not exist: exit 127 and a message naming it. */
static void badinput_command_not_found(struct ht_ctx *t)
{
	_cleanup_free_ char *cmd = ht_xasprintf("no-such-command-%s", ht_nonce(t));

	expect_refused(t, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--", cmd), 127,
		       HT_ARGS(cmd));
}
HT_TEST(badinput_command_not_found, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/* An unknown flag: refused, named in the message, nothing run. */
static void badinput_unknown_flag(struct ht_ctx *t)
{
	expect_refused(t,
		       HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--frobnicate", "--",
			       PROBE_IN_ROOTFS, ht_nonce(t), "getpid"),
		       125, HT_ARGS("frobnicate"));
}
HT_TEST(badinput_unknown_flag, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20);

/*
 * Conflicting or missing flags, each 125 (CONTRACT.md): a flag given twice
 * with different values, `ns container` without --rootfs, an unknown
 * namespace type, and no `--` before the command.
 */
static void badinput_conflicting_flags(struct ht_ctx *t)
{
	expect_refused(t,
		       HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--hostname", "a",
			       "--hostname", "b", "--", "/bin/true", ht_nonce(t)),
		       125, HT_ARGS("hostname"));
	expect_refused(t, HT_ARGS("ns", "container", "--", "/bin/true", ht_nonce(t)), 125,
		       HT_ARGS("rootfs"));
	expect_refused(t, HT_ARGS("ns", "nosuchns", "--", "/bin/true", ht_nonce(t)), 125,
		       HT_ARGS("nosuchns"));
	expect_refused(t, HT_ARGS("ns", "pid", ht_nonce(t)), 125, NULL);
}
HT_TEST(badinput_conflicting_flags, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20);
