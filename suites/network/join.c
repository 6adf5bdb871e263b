// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 11, containers on a prepared network: `run --net NAME` and
 * `ns container --net NAME` join the namespace bind-mounted at NAME
 * (setns(2)) instead of making a new one. The in-container probe reports
 * the inode of its /proc/self/ns/net, bound to the test's nonce, and it
 * must be the bind mount's. An unknown NAME is refused before anything
 * runs.
 */
#include <string.h>

#include "ht-host.h"
#include "nt.h"

#define PROBE_IN_ROOTFS "/probe"

/* Run args; the probe's net namespace inode, or 0 after a FAIL. */
static unsigned long long probe_net_inode(struct ht_ctx *t, const char *const *args)
{
	_cleanup_free_ char *cmd = nt_args_str(args);
	unsigned long long ino = 0;
	struct ht_proc p;
	json_t *j;

	nt_contain(t, &p, args);
	if (p.exit_code != 0) {
		ht_fail(t, "`%s` exited %d, want 0; stderr: \"%.400s\"", cmd, p.exit_code, p.err);
		ht_proc_free(&p);
		return 0;
	}
	j = ht_probe_json(t, &p);
	if (j)
		ino = (unsigned long long)json_integer_value(
			json_object_get(json_object_get(j, "ns"), "net"));
	json_decref(j);
	ht_proc_free(&p);
	return ino;
}

static void join_prepared_netns(struct ht_ctx *t)
{
	const char *nonce = ht_nonce(t);
	struct nt_lab lab;
	unsigned long long want, fresh;
	struct ht_proc p;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "create", "net1");
	want = nt_ns_inode(&lab, "net1");
	HT_ASSERT_NE(t, want, 0);

	HT_EXPECT_EQ(t,
		     probe_net_inode(t, HT_ARGS("run", "--net", "net1", ht_rootfs(), "--",
						PROBE_IN_ROOTFS, nonce, "ns")),
		     want);
	HT_EXPECT_EQ(t,
		     probe_net_inode(t, HT_ARGS("run", "--net=net1", ht_rootfs(), "--",
						PROBE_IN_ROOTFS, nonce, "ns")),
		     want);
	HT_EXPECT_EQ(t,
		     probe_net_inode(t, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--net",
						"net1", "--", PROBE_IN_ROOTFS, nonce, "ns")),
		     want);

	/* A bare --net still means a new, empty namespace. */
	fresh = probe_net_inode(t, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--net",
					   "--", PROBE_IN_ROOTFS, nonce, "ns"));
	HT_EXPECT_NE(t, fresh, 0);
	HT_EXPECT_NE(t, fresh, want);
	HT_EXPECT_NE(t, fresh, ht_ns_inode(0, "net"));

	/* Unknown NAME: 125, and the probe never printed its nonce. */
	nt_contain(
		t, &p,
		HT_ARGS("run", "--net", "nosuch", ht_rootfs(), "--", PROBE_IN_ROOTFS, nonce, "ns"));
	HT_EXPECT_EXIT(t, &p, 125);
	HT_EXPECT(t, strstr(p.out, nonce) == NULL);
	ht_proc_free(&p);
}
HT_TEST(join_prepared_netns, .area = HT_AREA_NETWORK, .lesson = 11, .timeout_s = 40,
	.needs = HT_NEEDS(NT_NEEDS_LAB, "ns.pid", "pivot_root"), .tags = "man:setns(2)");
