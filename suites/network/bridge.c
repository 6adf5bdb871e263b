// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 11, the bridge: two namespaces attached to one bridge (the lab's
 * "docker0") talk to each other both ways, each through its own veth; a
 * third one on another bridge, in another subnet, reaches its own gateway
 * but neither of them, since the lab does not forward (ip_forward=0).
 */
#include "nt.h"

static void expect_default_route(struct ht_ctx *t, struct nt_lab *lab, const char *name,
				 const char *gw)
{
	_cleanup_close_ int fd = nt_ns_open(t, lab, name);
	_cleanup_free_ char *routes = nt_routes(t, fd);
	_cleanup_free_ char *want = ht_xasprintf("route main unicast default via %s dev eth0", gw);

	if (!nt_has_line(routes, want))
		ht_fail(t, "%s has no default route via %s (--gateway); its routes: \"%.600s\"",
			name, gw, routes);
	else
		ht_check_true(t, false, __FILE__, __LINE__, NULL);
}

static void bridge_two_ns_talk(struct ht_ctx *t)
{
	struct nt_lab lab;
	struct nt_echo at1, at2, at_far, far_gw;
	_cleanup_close_ int fd1 = -1, fd2 = -1, fdf = -1;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "bridge", "br0", "--addr", "10.11.1.1/24");
	NT_CONTAIN_OK(t, "net", "bridge", "br1", "--addr", "10.11.2.1/24");
	NT_CONTAIN_OK(t, "net", "create", "net1");
	NT_CONTAIN_OK(t, "net", "create", "net2");
	NT_CONTAIN_OK(t, "net", "attach", "net1", "br0", "--addr", "10.11.1.2/24", "--gateway",
		      "10.11.1.1");
	NT_CONTAIN_OK(t, "net", "attach", "net2", "br0", "--addr", "10.11.1.3/24", "--gateway",
		      "10.11.1.1");
	/* The one-call form: create and attach together. */
	NT_CONTAIN_OK(t, "net", "create", "far", "--attach", "br1", "--addr", "10.11.2.2/24",
		      "--gateway", "10.11.2.1");
	fd1 = nt_ns_open(t, &lab, "net1");
	fd2 = nt_ns_open(t, &lab, "net2");
	fdf = nt_ns_open(t, &lab, "far");
	expect_default_route(t, &lab, "net1", "10.11.1.1");
	expect_default_route(t, &lab, "net2", "10.11.1.1");
	expect_default_route(t, &lab, "far", "10.11.2.1");

	/* Same bridge: both ways, each seeing the other's own address. */
	nt_echo_start(t, &at1, fd1, "10.11.1.2");
	nt_echo_start(t, &at2, fd2, "10.11.1.3");
	NT_EXPECT_REACH(t, &lab, "net1", &at2, "10.11.1.2");
	NT_EXPECT_REACH(t, &lab, "net2", &at1, "10.11.1.3");

	/* The other bridge: far is wired (it reaches its gateway) but cut off from br0. */
	nt_echo_start(t, &far_gw, -1, "10.11.2.1");
	nt_echo_start(t, &at_far, fdf, "10.11.2.2");
	NT_EXPECT_REACH(t, &lab, "far", &far_gw, "10.11.2.2");
	NT_EXPECT_NO_REACH(t, &lab, "far", &at1);
	NT_EXPECT_NO_REACH(t, &lab, "net1", &at_far);

	nt_echo_stop(&at_far);
	nt_echo_stop(&far_gw);
	nt_echo_stop(&at2);
	nt_echo_stop(&at1);
}
HT_TEST(bridge_two_ns_talk, .area = HT_AREA_NETWORK, .lesson = 11, .timeout_s = 40,
	.needs = HT_NEEDS(NT_NEEDS_LAB, "net.bridge"), .tags = "man:bridge(8) man:veth(4)");
