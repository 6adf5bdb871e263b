// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 3, from the lab host: a named network namespace (`net create`),
 * a point-to-point veth into it (`net veth`), and commands run inside it
 * (`net exec`). What the namespace holds is read back with our own
 * netlink code, and reachability is UDP traffic of our own that must
 * really arrive (network_namespaces(7), veth(4)).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "ht-host.h"
#include "nt.h"

/*
 * `net create` bind-mounts a new network namespace: its inode is neither
 * the lab's nor the initial one's, and it holds only lo, which is down.
 */
static void netns_create_only_lo_down(struct ht_ctx *t)
{
	struct nt_lab lab;
	_cleanup_free_ char *path = NULL, *links = NULL;
	_cleanup_close_ int fd = -1;
	unsigned long long ino;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "create", "net1");
	path = nt_ns_path(&lab, "net1");
	fd = nt_ns_open(t, &lab, "net1");
	HT_EXPECT(t, ht_is_mount_point(0, path));
	ino = nt_ns_inode(&lab, "net1");
	HT_EXPECT_NE(t, ino, 0);
	HT_EXPECT_NE(t, ino, ht_ns_inode(0, "net"));
	HT_EXPECT_NE(t, ino, ht_ns_inode(1, "net"));
	links = nt_links(t, fd);
	HT_EXPECT_STREQ(t, links, "lo - master=- down\n");
}
HT_TEST(netns_create_only_lo_down, .area = HT_AREA_NETWORK, .lesson = 3, .timeout_s = 30,
	.needs = HT_NEEDS(NT_NEEDS_LAB), .tags = "man:network_namespaces(7) man:ip-netns(8)");

/*
 * Before a cable exists the namespace has no route at all (ENETUNREACH);
 * after `net veth` it reaches its peer address in the lab, and the lab
 * reaches it, each side seeing the other's address as the source.
 */
static void netns_veth_reaches_peer(struct ht_ctx *t)
{
	struct nt_lab lab;
	struct nt_echo lab_end, ns_end;
	struct nt_reach r;
	_cleanup_close_ int fd = -1;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "create", "net1");
	fd = nt_ns_open(t, &lab, "net1");

	r = nt_udp(t, &lab, "net1", "10.3.0.1", 7, 1);
	HT_ASSERT(t, r.entered);
	HT_EXPECT(t, !r.reached);
	if (r.err != ENETUNREACH)
		ht_fail(t,
			"before the veth, sending to 10.3.0.1 from net1 gave %s, want ENETUNREACH",
			r.err ? ht_errno_name(r.err) : "no error");

	NT_CONTAIN_OK(t, "net", "veth", "net1", "--addr", "10.3.0.2/24", "--peer-addr",
		      "10.3.0.1/24");
	nt_echo_start(t, &lab_end, -1, "10.3.0.1");
	NT_EXPECT_REACH(t, &lab, "net1", &lab_end, "10.3.0.2");
	nt_echo_start(t, &ns_end, fd, "10.3.0.2");
	NT_EXPECT_REACH(t, &lab, NULL, &ns_end, "10.3.0.1");
	nt_echo_stop(&ns_end);
	nt_echo_stop(&lab_end);
}
HT_TEST(netns_veth_reaches_peer, .area = HT_AREA_NETWORK, .lesson = 3, .timeout_s = 30,
	.needs = HT_NEEDS(NT_NEEDS_LAB), .tags = "man:veth(4)");

/*
 * `net exec NAME -- CMD` runs CMD inside NAME (the probe's view of its
 * network namespace is the bind mount's inode) and relays its status.
 */
static void netns_exec_relays_status(struct ht_ctx *t)
{
	static const struct {
		const char *cmd;
		int want;
	} cases[] = {
		{ "true", 0 },
		{ "false", 1 },
		{ "exit 7", 7 },
	};
	struct nt_lab lab;
	struct ht_proc p;
	json_t *j;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "create", "net1");
	for (size_t i = 0; i < HT_ARRAY_SIZE(cases); i++) {
		nt_contain(t, &p,
			   HT_ARGS("net", "exec", "net1", "--", "/bin/sh", "-c", cases[i].cmd));
		HT_EXPECT_EXIT(t, &p, cases[i].want);
		ht_proc_free(&p);
	}
	nt_contain(t, &p, HT_ARGS("net", "exec", "net1", "--", "/nonexistent/isolab-cmd"));
	HT_EXPECT_EXIT(t, &p, 127);
	ht_proc_free(&p);

	nt_contain(t, &p,
		   HT_ARGS("net", "exec", "net1", "--", ht_probe_host_path(), ht_nonce(t), "ns"));
	HT_ASSERT_EXIT(t, &p, 0);
	j = ht_probe_json(t, &p);
	HT_ASSERT(t, j != NULL);
	HT_EXPECT_EQ(t, json_integer_value(json_object_get(json_object_get(j, "ns"), "net")),
		     nt_ns_inode(&lab, "net1"));
	json_decref(j);
	ht_proc_free(&p);
}
HT_TEST(netns_exec_relays_status, .area = HT_AREA_NETWORK, .lesson = 3, .timeout_s = 30,
	.needs = HT_NEEDS(NT_NEEDS_LAB), .tags = "man:setns(2)");
