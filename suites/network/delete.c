// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 11, teardown: after namespaces, a bridge, attached and
 * point-to-point veths and NAT are built and then deleted with the
 * runtime, the lab is exactly as it was: no link, address, route, namespace
 * file, nsfs bind mount or nft table is left, and ip_forward is back.
 */
#include "nt.h"

/* The build really happened: the snapshot taken in between shows it. */
static void expect_built(struct ht_ctx *t, const char *mid)
{
	static const char *const lines[] = {
		"netns-dir net1",
		"netns-dir net2",
		"netns-dir net3",
		"nft table ip isolab-nat-br0",
		"sysctl net.ipv4.ip_forward=1",
		"[net1] eth0 veth master=- up",
		"[net3] eth0 veth master=- up",
	};

	for (size_t i = 0; i < HT_ARRAY_SIZE(lines); i++)
		if (!nt_has_line(mid, lines[i]))
			ht_fail(t, "after the build the lab has no \"%s\"", lines[i]);
		else
			ht_check_true(t, false, __FILE__, __LINE__, NULL);
}

static void delete_leaves_nothing(struct ht_ctx *t)
{
	struct nt_lab lab;
	_cleanup_free_ char *before = NULL, *mid = NULL, *after = NULL;

	nt_lab_enter(t, &lab);
	before = nt_snapshot(t, &lab);

	NT_CONTAIN_OK(t, "net", "create", "net1");
	NT_CONTAIN_OK(t, "net", "create", "net2");
	NT_CONTAIN_OK(t, "net", "create", "net3");
	NT_CONTAIN_OK(t, "net", "bridge", "br0", "--addr", "10.11.5.1/24");
	NT_CONTAIN_OK(t, "net", "attach", "net1", "br0", "--addr", "10.11.5.2/24", "--gateway",
		      "10.11.5.1");
	NT_CONTAIN_OK(t, "net", "attach", "net2", "br0", "--addr", "10.11.5.3/24", "--gateway",
		      "10.11.5.1");
	NT_CONTAIN_OK(t, "net", "veth", "net3", "--addr", "10.11.6.2/24", "--peer-addr",
		      "10.11.6.1/24");
	NT_CONTAIN_OK(t, "net", "nat", "br0", "--subnet", "10.11.5.0/24");
	mid = nt_snapshot(t, &lab);
	expect_built(t, mid);

	NT_CONTAIN_OK(t, "net", "delete", "net1");
	NT_CONTAIN_OK(t, "net", "delete", "net2");
	NT_CONTAIN_OK(t, "net", "delete", "net3");
	/* The bridge takes its NAT table with it, as `nat --delete` would. */
	NT_CONTAIN_OK(t, "net", "bridge", "--delete", "br0");
	after = nt_snapshot(t, &lab);
	nt_expect_same(t, before, after, "after deleting everything");
}
HT_TEST(delete_leaves_nothing, .area = HT_AREA_NETWORK, .lesson = 11, .timeout_s = 40,
	.needs = HT_NEEDS(NT_NEEDS_LAB, "net.bridge", "net.nft_nat"), .tags = "man:ip-netns(8)");
