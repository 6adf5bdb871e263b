// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The container's filesystem layout (lesson 4), as the runtime contract
 * describes it: a fresh /proc, a read-only /sys, a /dev tmpfs holding the
 * usual devices, devpts, /dev/shm and the fd symlinks; and the optional
 * user and network namespaces of `ns container`. Checked with the probe's
 * view of mountinfo and lstat(2), bound to the test's nonce.
 */
#include "iso.h"

/* The probe's JSON lines, one per command of a script run in the container. */
static json_t *probe_lines(struct ht_ctx *t, const struct ht_proc *r)
{
	json_t *all = json_array();

	for (const char *line = r->out; *line;) {
		size_t len = strcspn(line, "\n");
		json_t *j = ht_probe_json_line(t, line, len);

		if (j)
			json_array_append_new(all, j);
		line += len + (line[len] == '\n');
	}
	return all;
}

static json_t *find(json_t *lines, const char *cmd, const char *path)
{
	json_t *j;
	size_t i;

	json_array_foreach(lines, i, j) {
		const char *c = json_string_value(iso_get(j, "cmd"));
		const char *p = json_string_value(iso_get(j, "path"));

		if (c && strcmp(c, cmd) == 0 && (!path || (p && strcmp(p, path) == 0)))
			return j;
	}
	return NULL;
}

static json_t *mount_at(json_t *mounts, const char *mp)
{
	json_t *m, *found = NULL;
	size_t i;

	/* The last one wins: it is the one on top. */
	json_array_foreach(mounts, i, m)
		if (strcmp(json_string_value(iso_get(m, "mount_point")), mp) == 0)
			found = m;
	return found;
}

static void expect_fstype(struct ht_ctx *t, json_t *mounts, const char *mp, const char *fstype,
			  bool readonly)
{
	json_t *m = mount_at(mounts, mp);
	const char *opts;

	if (!m) {
		ht_fail(t, "nothing is mounted on %s inside the container", mp);
		return;
	}
	HT_EXPECT_STREQ(t, json_string_value(iso_get(m, "fstype")), fstype);
	opts = json_string_value(iso_get(m, "options"));
	if (readonly && (!opts || strncmp(opts, "ro", 2) != 0 || (opts[2] && opts[2] != ',')))
		ht_fail(t, "%s is not mounted read-only: options \"%s\"", mp, opts ? opts : "?");
}

static void expect_type(struct ht_ctx *t, json_t *lines, const char *path, const char *type)
{
	json_t *st = find(lines, "stat", path);
	const char *got = st ? json_string_value(iso_get(st, "type")) : NULL;

	if (!got)
		ht_fail(t, "%s does not exist inside the container", path);
	else if (strcmp(got, type) != 0)
		ht_fail(t, "%s is a %s, want a %s", path, got, type);
	else
		ht_check_true(t, false, __FILE__, __LINE__, NULL);
}

/*
 * /proc, /sys (read-only), a /dev tmpfs with null, zero, full, random,
 * urandom and tty, devpts, /dev/shm and the /dev/fd and std* symlinks.
 */
static void rootfs_layout(struct ht_ctx *t)
{
	static const char *const chars[] = { "/dev/null",   "/dev/zero",    "/dev/full",
					     "/dev/random", "/dev/urandom", "/dev/tty" };
	static const char *const links[] = { "/dev/fd", "/dev/stdin", "/dev/stdout",
					     "/dev/stderr" };
	_cleanup_free_ char *script = NULL;
	struct ht_proc r;
	json_t *lines, *mounts;
	char *s = ht_xstrdup("");

	for (size_t i = 0; i < HT_ARRAY_SIZE(chars); i++) {
		char *n = ht_xasprintf("%s%s %s stat %s; ", s, PROBE_IN_ROOTFS, ht_nonce(t),
				       chars[i]);

		free(s);
		s = n;
	}
	for (size_t i = 0; i < HT_ARRAY_SIZE(links); i++) {
		char *n = ht_xasprintf("%s%s %s stat %s; ", s, PROBE_IN_ROOTFS, ht_nonce(t),
				       links[i]);

		free(s);
		s = n;
	}
	script = ht_xasprintf("%s%s %s mounts", s, PROBE_IN_ROOTFS, ht_nonce(t));
	free(s);
	ht_runtime_run(t, &r, HT_ARGS("run", ht_rootfs(), "--", "/bin/sh", "-c", script), NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	lines = probe_lines(t, &r);
	for (size_t i = 0; i < HT_ARRAY_SIZE(chars); i++)
		expect_type(t, lines, chars[i], "char");
	for (size_t i = 0; i < HT_ARRAY_SIZE(links); i++)
		expect_type(t, lines, links[i], "symlink");
	mounts = iso_get(find(lines, "mounts", NULL), "mounts");
	if (!mounts) {
		ht_fail(t, "no mount table from the probe");
	} else {
		expect_fstype(t, mounts, "/proc", "proc", false);
		expect_fstype(t, mounts, "/sys", "sysfs", true);
		expect_fstype(t, mounts, "/dev", "tmpfs", false);
		expect_fstype(t, mounts, "/dev/pts", "devpts", false);
		expect_fstype(t, mounts, "/dev/shm", "tmpfs", false);
	}
	json_decref(lines);
	ht_proc_free(&r);
}
HT_TEST(rootfs_layout, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"));

/*
 * `ns container --user --net` adds a user and a network namespace: their
 * inodes differ from the host's, root inside maps to an unprivileged uid
 * outside, and the network has only a downed lo.
 */
static void container_user_and_net(struct ht_ctx *t)
{
	_cleanup_free_ char *script =
		ht_xasprintf("%s %s ns; %s %s ids; %s %s net", PROBE_IN_ROOTFS, ht_nonce(t),
			     PROBE_IN_ROOTFS, ht_nonce(t), PROBE_IN_ROOTFS, ht_nonce(t));
	struct ht_proc r;
	json_t *lines, *ns, *ids, *net, *e;
	size_t i;

	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--user", "--net", "--",
			       "/bin/sh", "-c", script),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	lines = probe_lines(t, &r);
	ns = iso_get(find(lines, "ns", NULL), "ns");
	ids = find(lines, "ids", NULL);
	net = iso_get(find(lines, "net", NULL), "interfaces");
	HT_ASSERT(t, ns && ids && net);
	HT_EXPECT_NE(t, json_integer_value(iso_get(ns, "user")), ht_ns_inode(0, "user"));
	HT_EXPECT_NE(t, json_integer_value(iso_get(ns, "net")), ht_ns_inode(0, "net"));
	HT_EXPECT_EQ(t, json_integer_value(iso_get(ids, "uid")), 0);
	json_array_foreach(iso_get(ids, "uid_map"), i, e)
		if (json_integer_value(iso_get(e, "inside")) == 0)
			HT_EXPECT_GT(t, json_integer_value(iso_get(e, "outside")), 0);
	HT_EXPECT_EQ(t, json_array_size(iso_get(ids, "uid_map")), 1);
	HT_EXPECT_EQ(t, json_array_size(net), 1);
	json_decref(lines);
	ht_proc_free(&r);
}
HT_TEST(container_user_and_net, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "ns.user", "userns.map", "ns.net", "pivot_root"));
