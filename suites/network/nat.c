// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 11, NAT: a container on the lab's bridge reaches "the internet"
 * (the upstream namespace, 203.0.113.10) only after `net nat`, and what
 * upstream sees is the lab's uplink address, never the container's, since
 * upstream has no route back to the container subnet. `nat` turns the
 * lab's ip_forward on, and `nat --delete` puts it back
 * (nft(8) "NAT STATEMENTS", masquerade; ip-sysctl.rst ip_forward).
 */
#include <string.h>

#include "nt.h"

static void nat_masquerades_to_upstream(struct ht_ctx *t)
{
	struct nt_lab lab;
	struct nt_echo up, gw;

	nt_lab_enter(t, &lab);
	nt_upstream(t, &lab);
	NT_CONTAIN_OK(t, "net", "bridge", "br0", "--addr", "10.11.4.1/24");
	NT_CONTAIN_OK(t, "net", "create", "c1");
	NT_CONTAIN_OK(t, "net", "attach", "c1", "br0", "--addr", "10.11.4.2/24", "--gateway",
		      "10.11.4.1");

	/* The container is wired: it reaches its gateway. */
	nt_echo_start(t, &gw, -1, "10.11.4.1");
	NT_EXPECT_REACH(t, &lab, "c1", &gw, "10.11.4.2");
	nt_echo_stop(&gw);

	nt_echo_start(t, &up, lab.upstream_fd, NT_UPSTREAM);
	HT_EXPECT_EQ(t, nt_ip_forward(), 0);
	NT_EXPECT_NO_REACH(t, &lab, "c1", &up);

	NT_CONTAIN_OK(t, "net", "nat", "br0", "--subnet", "10.11.4.0/24");
	HT_EXPECT_EQ(t, nt_ip_forward(), 1);
	if (NT_EXPECT_REACH(t, &lab, "c1", &up, NT_UPLINK_LAB)) {
		/* Every datagram upstream got carried the uplink's address. */
		const char *seen = nt_echo_seen(&up);
		_cleanup_free_ char *want = ht_xasprintf("%s\n", NT_UPLINK_LAB);

		for (const char *s = seen; *s; s += strcspn(s, "\n") + 1)
			if (strncmp(s, want, strlen(want)) != 0)
				ht_fail(t, "upstream got a datagram from %.*s, want %s",
					(int)strcspn(s, "\n"), s, NT_UPLINK_LAB);
	}

	NT_CONTAIN_OK(t, "net", "nat", "--delete", "br0");
	HT_EXPECT_EQ(t, nt_ip_forward(), 0);
	NT_EXPECT_NO_REACH(t, &lab, "c1", &up);
	nt_echo_stop(&up);
}
HT_TEST(nat_masquerades_to_upstream, .area = HT_AREA_NETWORK, .lesson = 11, .timeout_s = 40,
	.needs = HT_NEEDS(NT_NEEDS_LAB, "net.bridge", "net.nft_nat"),
	.tags = "man:nft(8) rfc:5737");
