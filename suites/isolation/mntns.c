// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Mount namespace and pivot_root (lesson 2): mounts do not propagate either
 * way (mount_namespaces(7), private propagation), and after pivot_root(2)
 * the old root is gone, so the classic chroot escape reaches nothing.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "iso.h"

/*
 * The test's own stand-in for the host: a private mount namespace (so
 * nothing here touches the real host's mounts) holding one *shared* mount
 * at `shared`. A runtime that forgets to make its new namespace private
 * (MS_REC|MS_PRIVATE, mount_namespaces(7) "Shared subtrees") stays a peer
 * of that mount, and mounts then propagate across; on a host without shared
 * mounts the mistake would go unseen.
 */
static void host_with_shared_mount(struct ht_ctx *t, const char *shared)
{
	/* mount(2) ignores the type for bind and propagation changes; valgrind wants one. */
	HT_SETUP(t, unshare(CLONE_NEWNS));
	HT_SETUP(t, mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	HT_SETUP(t, mkdir(shared, 0755));
	HT_SETUP(t, mount(shared, shared, "none", MS_BIND, NULL));
	HT_SETUP(t, mount("none", shared, "none", MS_SHARED, NULL));
}

/* A mount made inside a mount namespace is visible inside and does not propagate out. */
static void mntns_inside_mount_invisible(struct ht_ctx *t)
{
	struct ht_proc r;
	_cleanup_free_ char *shared = ht_xasprintf("%s/shared", ht_scratch_dir(t));
	_cleanup_free_ char *dir = ht_xasprintf("%s/m", shared);
	_cleanup_free_ char *script =
		ht_xasprintf("mount -t tmpfs isolab-%s %s && grep -c ' %s ' /proc/self/mountinfo",
			     ht_nonce(t), dir, dir);

	host_with_shared_mount(t, shared);
	HT_SETUP(t, mkdir(dir, 0755));
	ht_runtime_run(t, &r, HT_ARGS("ns", "mount", "--", "/bin/sh", "-c", script), NULL);
	HT_EXPECT_EXIT(t, &r, 0);
	HT_EXPECT_STREQ(t, r.out, "1\n");
	HT_EXPECT(t, !ht_is_mount_point(0, dir));
	ht_proc_free(&r);
}
HT_TEST(mntns_inside_mount_invisible, .area = HT_AREA_ISOLATION, .lesson = 2, .timeout_s = 20,
	.needs = HT_NEEDS("ns.mnt"), .tags = "man:mount_namespaces(7)");

/* A host mount made after the command started does not propagate into its namespace. */
static void mntns_host_mount_invisible_inside(struct ht_ctx *t)
{
	struct ht_proc r;
	_cleanup_free_ char *ready = NULL, *path = NULL, *info = NULL;
	_cleanup_free_ char *shared = ht_xasprintf("%s/shared", ht_scratch_dir(t));
	_cleanup_free_ char *dir = ht_xasprintf("%s/late", shared);
	json_t *j;
	pid_t pid;

	host_with_shared_mount(t, shared);
	HT_SETUP(t, mkdir(dir, 0755));
	ht_runtime_start(t, &r,
			 HT_ARGS("ns", "mount", "--", ht_probe_host_path(), ht_nonce(t), "pause"),
			 NULL);
	if (ht_proc_read_line(&r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_proc_free(&r);
		ht_fail(t, "the command never printed its ready line");
		return;
	}
	/*
	 * The process is the one the host finds in another mount namespace,
	 * not a pid the runtime names. No pid namespace here: the pid the
	 * probe reports is the host's, and must be that process.
	 */
	j = ht_probe_json_line(t, ready, strlen(ready));
	HT_ASSERT(t, j != NULL);
	pid = iso_host_pid_in(t, "mnt");
	if (pid < 0) {
		json_decref(j);
		ht_proc_free(&r);
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__,
			       "the host sees no process of ours in another mount namespace");
	}
	HT_EXPECT_EQ(t, json_integer_value(iso_get(j, "pid")), pid);
	json_decref(j);
	HT_SETUP(t, mount("isolab-late", dir, "tmpfs", 0, NULL));
	HT_EXPECT(t, ht_is_mount_point(0, dir));
	HT_EXPECT(t, !ht_is_mount_point(pid, dir));
	/* Nor does it appear under any name: no tmpfs with our source inside. */
	path = ht_xasprintf("/proc/%d/mountinfo", (int)pid);
	HT_SETUP(t, ht_read_file(AT_FDCWD, path, &info));
	HT_EXPECT(t, strstr(info, "isolab-late") == NULL);
	ht_proc_free(&r);
}
HT_TEST(mntns_host_mount_invisible_inside, .area = HT_AREA_ISOLATION, .lesson = 2, .timeout_s = 20,
	.needs = HT_NEEDS("ns.mnt"));

/*
 * After pivot_root the container's mount table holds only its own layout:
 * no mount point of the host that the runtime did not put there.
 */
static bool container_mount_point(const char *mp)
{
	static const char *const exact[] = { "/", "/proc", "/sys", "/dev" };
	static const char *const under[] = { "/proc/", "/sys/", "/dev/" };

	for (size_t k = 0; k < HT_ARRAY_SIZE(exact); k++)
		if (strcmp(mp, exact[k]) == 0)
			return true;
	for (size_t k = 0; k < HT_ARRAY_SIZE(under); k++)
		if (strncmp(mp, under[k], strlen(under[k])) == 0)
			return true;
	return false;
}

/* Judge one mount table (sorted mount points, one a line): whose view it is in who. */
static void expect_container_table(struct ht_ctx *t, const char *table, const char *who)
{
	_cleanup_free_ char *copy = ht_xstrdup(table);
	int roots = 0;

	for (char *save = NULL, *mp = strtok_r(copy, "\n", &save); mp;
	     mp = strtok_r(NULL, "\n", &save)) {
		/* An old root left stacked under the new one would be a second "/". */
		if (strcmp(mp, "/") == 0)
			roots++;
		if (!container_mount_point(mp))
			ht_fail(t, "mount point left from the host inside the container (%s): %s",
				who, mp);
	}
	if (roots != 1)
		ht_fail(t, "%d mounts on \"/\" inside the container (%s), want 1", roots, who);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The probe reads its mount table and the container then holds, so the host
 * reads the same table from /proc/PID/mountinfo of the process it finds in
 * another mount namespace (mount points there are relative to that
 * process's root, proc(5)). Both views must be the container's own layout,
 * and the same.
 */
static void pivot_root_old_root_gone(struct ht_ctx *t)
{
	struct ht_proc r;
	_cleanup_free_ char *probe_table = ht_xstrdup(""), *host_table = NULL;
	_cleanup_free_ const char **mps = NULL;
	json_t *j, *m;
	size_t i, n = 0;
	pid_t pid;

	j = iso_probe_then_hold(t, &r, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--"),
				PROBE_IN_ROOTFS, "mounts", NULL);
	if (!j) {
		ht_proc_free(&r);
		return;
	}
	HT_EXPECT_GT(t, json_array_size(iso_get(j, "mounts")), 0);
	mps = ht_xcalloc(json_array_size(iso_get(j, "mounts")) + 1, sizeof(*mps));
	json_array_foreach(iso_get(j, "mounts"), i, m) {
		const char *mp = json_string_value(iso_get(m, "mount_point"));

		mps[n++] = mp ? mp : "?";
	}
	qsort(mps, n, sizeof(*mps), cmp_str);
	for (i = 0; i < n; i++) {
		char *next = ht_xasprintf("%s%s\n", probe_table, mps[i]);

		free(probe_table);
		probe_table = next;
	}
	expect_container_table(t, probe_table, "the probe's view");
	pid = iso_host_pid_in(t, "mnt");
	if (pid < 0) {
		ht_fail(t, "the host sees no process of ours in another mount namespace");
	} else {
		host_table = ht_mount_points(pid);
		expect_container_table(t, host_table, "the host's view");
		HT_EXPECT_STREQ(t, probe_table, host_table);
	}
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(pivot_root_old_root_gone, .area = HT_AREA_ISOLATION, .lesson = 2, .timeout_s = 20,
	.needs = HT_NEEDS("ns.mnt", "pivot_root"), .tags = "man:pivot_root(2)");

/*
 * The chroot escape (chroot into a subdirectory, chdir("..") repeatedly,
 * chroot(".")) cannot reach a host file after pivot_root and the detach of
 * the old root. With chroot(2) instead of pivot_root it would.
 */
static void pivot_root_breakout_blocked(struct ht_ctx *t)
{
	struct ht_proc r;
	_cleanup_free_ char *secret = ht_xasprintf("%s/secret", ht_scratch_dir(t));
	_cleanup_free_ char *root = NULL;
	_cleanup_close_ int fd = -1;
	const char *content;
	struct stat host_st, st;
	json_t *j;
	pid_t pid;

	fd = HT_SETUP(t, open(secret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	HT_SETUP(t, ht_write_all(fd, ht_nonce(t), strlen(ht_nonce(t))));
	j = iso_probe_then_hold(t, &r, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--"),
				PROBE_IN_ROOTFS, "breakout", secret);
	if (j) {
		content = json_string_value(iso_get(j, "content"));
		HT_EXPECT(t, !json_is_true(iso_get(j, "escaped")));
		HT_EXPECT(t, !content || !strstr(content, ht_nonce(t)));
	}
	json_decref(j);
	/*
	 * The escape was tried by a process of the container: the host finds
	 * it in another mount namespace, rooted elsewhere than the host (the
	 * /proc/PID/root link, proc(5)), where the secret's path leads nowhere.
	 */
	pid = iso_host_pid_in(t, "mnt");
	if (pid < 0) {
		ht_fail(t, "the host sees no process of ours in another mount namespace");
	} else {
		root = ht_xasprintf("/proc/%d/root", (int)pid);
		HT_SETUP(t, stat("/", &host_st));
		HT_SETUP(t, stat(root, &st));
		HT_EXPECT(t, st.st_dev != host_st.st_dev || st.st_ino != host_st.st_ino);
		free(root);
		root = ht_xasprintf("/proc/%d/root%s", (int)pid, secret);
		HT_EXPECT(t, access(root, F_OK) < 0);
	}
	ht_proc_free(&r);
}
HT_TEST(pivot_root_breakout_blocked, .area = HT_AREA_ISOLATION, .lesson = 2, .timeout_s = 20,
	.needs = HT_NEEDS("ns.mnt", "pivot_root"), .tags = "man:pivot_root(2) man:chroot(2)");
