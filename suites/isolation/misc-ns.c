// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cgroup, time and network namespaces, and the namespace-inode matrix: for
 * every requested type the inode differs from the host's, for every other
 * type it is equal (namespaces(7), /proc/PID/ns).
 */
#include <fcntl.h>
#include <time.h>

#include "iso.h"

/* In a new cgroup namespace the process's own cgroup is the root: 0::/ (cgroup_namespaces(7)). */
static void cgroupns_root_is_slash(struct ht_ctx *t)
{
	_cleanup_free_ char *host = NULL;
	struct ht_proc r;
	json_t *j;

	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "cgroup", "--", ht_probe_host_path(), ht_nonce(t), "cgroup"),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	HT_ASSERT(t, j != NULL);
	HT_EXPECT_STREQ(t, json_string_value(iso_get(j, "unified")), "/");
	/* The runner puts each test in its own cgroup, so outside it is not "/". */
	HT_SETUP(t, ht_read_file(AT_FDCWD, "/proc/self/cgroup", &host));
	HT_EXPECT(t, strstr(host, "0::/\n") == NULL);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(cgroupns_root_is_slash, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.cgroup", "cgroup2.mount"), .tags = "man:cgroup_namespaces(7)");

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Time-namespace offsets are visible inside and not outside (time_namespaces(7)). */
static void timens_offsets_inside_only(struct ht_ctx *t)
{
	struct ht_proc r;
	json_t *j;
	double mono0 = now_s(CLOCK_MONOTONIC), boot0 = now_s(CLOCK_BOOTTIME);
	double mono1, boot1;

	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "time", "--monotonic-offset", "86400", "--boottime-offset",
			       "172800", "--", ht_probe_host_path(), ht_nonce(t), "time"),
		       NULL);
	mono1 = now_s(CLOCK_MONOTONIC);
	boot1 = now_s(CLOCK_BOOTTIME);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	HT_ASSERT(t, j != NULL);
	/* Inside: the host's reading during the run, plus the offset. */
	HT_EXPECT_GE(t, json_real_value(iso_get(j, "monotonic")), mono0 + 86400);
	HT_EXPECT_LT(t, json_real_value(iso_get(j, "monotonic")), mono1 + 86400 + 1);
	HT_EXPECT_GE(t, json_real_value(iso_get(j, "boottime")), boot0 + 172800);
	HT_EXPECT_LT(t, json_real_value(iso_get(j, "boottime")), boot1 + 172800 + 1);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(timens_offsets_inside_only, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.time"), .tags = "man:time_namespaces(7)");

/* A new network namespace has only lo, and lo is down (network_namespaces(7)). */
static void netns_only_lo_down(struct ht_ctx *t)
{
	struct ht_proc r;
	json_t *j, *ifc;
	size_t i;

	ht_runtime_run(t, &r, HT_ARGS("ns", "net", "--", ht_probe_host_path(), ht_nonce(t), "net"),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	HT_ASSERT(t, j != NULL);
	HT_EXPECT_EQ(t, json_array_size(iso_get(j, "interfaces")), 1);
	json_array_foreach(iso_get(j, "interfaces"), i, ifc) {
		HT_EXPECT_STREQ(t, json_string_value(iso_get(ifc, "name")), "lo");
		HT_EXPECT(t, json_is_false(iso_get(ifc, "up")));
	}
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(netns_only_lo_down, .area = HT_AREA_ISOLATION, .lesson = 3, .timeout_s = 20,
	.needs = HT_NEEDS("ns.net"), .tags = "man:network_namespaces(7)");

static void expect_inodes(struct ht_ctx *t, const char *what, json_t *ns, const char *const *fresh)
{
	for (size_t k = 0; k < HT_ARRAY_SIZE(ht_ns_types); k++) {
		const char *type = ht_ns_types[k];
		unsigned long long host = ht_ns_inode(0, type);
		unsigned long long in =
			(unsigned long long)json_integer_value(json_object_get(ns, type));
		bool want_new = false;

		for (const char *const *f = fresh; *f; f++)
			if (strcmp(*f, type) == 0)
				want_new = true;
		if (!host)
			continue;
		if (want_new && in == host)
			ht_fail(t, "%s: %s namespace inode %llu equals the host's", what, type, in);
		else if (!want_new && in != host)
			ht_fail(t, "%s: %s namespace inode %llu differs from the host's %llu", what,
				type, in, host);
		else
			ht_check_true(t, false, __FILE__, __LINE__, NULL);
	}
}

/* `ns TYPE` creates exactly that namespace: its inode differs, the other seven are the host's. */
static void nsinodes_only_requested_differ(struct ht_ctx *t)
{
	for (size_t k = 0; k < HT_ARRAY_SIZE(ht_ns_types); k++) {
		const char *type = ht_ns_types[k];
		/* The verb names the mount namespace "mount" (unshare(1) style). */
		const char *verb = strcmp(type, "mnt") == 0 ? "mount" : type;
		const char *fresh[] = { type, NULL };
		struct ht_proc r;
		json_t *j;

		ht_runtime_run(t, &r,
			       HT_ARGS("ns", verb, "--", iso_probe_copy(t), ht_nonce(t), "ns"),
			       NULL);
		if (!HT_EXPECT_EXIT(t, &r, 0)) {
			ht_proc_free(&r);
			continue;
		}
		j = ht_probe_json(t, &r);
		if (j)
			expect_inodes(t, verb, iso_get(j, "ns"), fresh);
		json_decref(j);
		ht_proc_free(&r);
	}
}
HT_TEST(nsinodes_only_requested_differ, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "ns.uts", "ns.ipc", "ns.user", "ns.cgroup", "ns.time",
			  "ns.net"));

/* `ns container` creates pid, mount, uts, ipc and cgroup namespaces, and shares net, user and time.
 */
static void nsinodes_container_set(struct ht_ctx *t)
{
	static const char *const fresh[] = { "pid", "mnt", "uts", "ipc", "cgroup", NULL };
	struct ht_proc r;
	json_t *j;

	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--", PROBE_IN_ROOTFS,
			       ht_nonce(t), "ns"),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j)
		expect_inodes(t, "container", iso_get(j, "ns"), fresh);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(nsinodes_container_set, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "ns.uts", "ns.ipc", "ns.cgroup", "pivot_root"));
