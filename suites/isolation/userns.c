// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * User namespace (lesson 12): root inside is an unprivileged uid outside
 * (user_namespaces(7), "User and group ID mappings"). Checked from the host:
 * file ownership as stat(2) sees it, and refused privileged acts.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "iso.h"

/* The outside id that inside id 0 maps to, from the probe's parsed map. */
static long long outside_root(json_t *map)
{
	json_t *e;
	size_t i;

	json_array_foreach(map, i, e)
		if (json_integer_value(json_object_get(e, "inside")) == 0)
			return json_integer_value(json_object_get(e, "outside"));
	return -1;
}

/* A file created by root inside a user namespace is owned, on the host, by the mapped uid. */
static void userns_root_owns_files_as_mapped_uid(struct ht_ctx *t)
{
	_cleanup_free_ char *dir = ht_xasprintf("%s/shared", ht_scratch_dir(t));
	_cleanup_free_ char *file = ht_xasprintf("%s/marker", dir);
	_cleanup_free_ char *script =
		ht_xasprintf("%s %s ids && %s %s write-marker %s", iso_probe_copy(t), ht_nonce(t),
			     iso_probe_copy(t), ht_nonce(t), file);
	struct ht_proc r;
	struct stat st;
	json_t *ids;
	const char *nl;
	long long uid_out, gid_out;

	/* World-writable so the unprivileged mapped uid may create the file. */
	HT_SETUP(t, mkdir(dir, 0777));
	HT_SETUP(t, chmod(dir, 0777));
	ht_runtime_run(t, &r, HT_ARGS("ns", "user", "--", "/bin/sh", "-c", script), NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	nl = strchr(r.out, '\n');
	HT_ASSERT(t, nl != NULL);
	ids = ht_probe_json_line(t, r.out, (size_t)(nl - r.out));
	HT_ASSERT(t, ids != NULL);
	HT_EXPECT_EQ(t, json_integer_value(iso_get(ids, "uid")), 0);
	/* setgroups(2) must be denied before an unprivileged gid_map (user_namespaces(7)). */
	HT_EXPECT_STREQ(t, json_string_value(iso_get(ids, "setgroups")), "deny");
	uid_out = outside_root(iso_get(ids, "uid_map"));
	gid_out = outside_root(iso_get(ids, "gid_map"));
	HT_EXPECT_GT(t, uid_out, 0);
	HT_SETUP(t, stat(file, &st));
	HT_EXPECT_EQ(t, st.st_uid, uid_out);
	HT_EXPECT_EQ(t, st.st_gid, gid_out);
	json_decref(ids);
	ht_proc_free(&r);
}
HT_TEST(userns_root_owns_files_as_mapped_uid, .area = HT_AREA_ISOLATION, .lesson = 12,
	.timeout_s = 20, .needs = HT_NEEDS("ns.user", "userns.map"),
	.tags = "man:user_namespaces(7)");

/* A file owned by a uid outside the map shows as the overflow uid 65534 inside. */
static void userns_unmapped_uid_is_overflow(struct ht_ctx *t)
{
	_cleanup_free_ char *file = ht_xasprintf("%s/unmapped", ht_scratch_dir(t));
	_cleanup_close_ int fd = -1;
	struct ht_proc r;
	json_t *j;

	fd = HT_SETUP(t, open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	/* uid 4321 is below the default 100000-based range: not mapped. */
	HT_SETUP(t, fchown(fd, 4321, 4321));
	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "user", "--", iso_probe_copy(t), ht_nonce(t), "stat", file),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j) {
		HT_EXPECT_EQ(t, json_integer_value(iso_get(j, "uid")), 65534);
		HT_EXPECT_EQ(t, json_integer_value(iso_get(j, "gid")), 65534);
	}
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(userns_unmapped_uid_is_overflow, .area = HT_AREA_ISOLATION, .lesson = 12, .timeout_s = 20,
	.needs = HT_NEEDS("ns.user", "userns.map"));

/*
 * Root inside a user namespace has no privilege over the host: signalling a
 * host root process fails with EPERM, and the host hostname cannot change.
 * Signal 0 makes the same permission check (kill(2)) without harming the
 * test if the runtime is broken.
 */
static void userns_privileged_outside_refused(struct ht_ctx *t)
{
	char self[16];
	struct utsname before, after;
	struct ht_proc r;
	json_t *j;
	_cleanup_free_ char *script = NULL;

	snprintf(self, sizeof(self), "%d", (int)getpid());
	HT_SETUP(t, uname(&before));
	script = ht_xasprintf("hostname evil-%.8s 2>/dev/null; %s %s signal-host %s 0", ht_nonce(t),
			      iso_probe_copy(t), ht_nonce(t), self);
	ht_runtime_run(t, &r, HT_ARGS("ns", "user", "--", "/bin/sh", "-c", script), NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j) {
		HT_EXPECT(t, json_is_false(iso_get(j, "ok")));
		HT_EXPECT_STREQ(t, json_string_value(iso_get(j, "errno_name")), "EPERM");
	}
	HT_SETUP(t, uname(&after));
	HT_EXPECT_STREQ(t, after.nodename, before.nodename);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(userns_privileged_outside_refused, .area = HT_AREA_ISOLATION, .lesson = 12, .timeout_s = 20,
	.needs = HT_NEEDS("ns.user", "userns.map"));
