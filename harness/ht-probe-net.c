// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Network probes: a veth pair, a bridge with a veth enslaved, and an nft
 * NAT masquerade rule, each built through the libraries the runtime uses
 * (libnl-route-3, libnftables) and read back from the kernel.
 *
 * Everything happens in an anonymous network namespace that the probe child
 * unshares first (network_namespaces(7)): it has no name in /run/netns, and
 * its links and tables vanish when the child exits. The root namespace's
 * links, routes and firewall are never touched, and no packet is sent.
 */
#include <net/if.h>
#include <sched.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include "config.h"
#include "ht-probe-internal.h"
#include "ht-util.h"

#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif

#define VETH_A "isolab-pv0"
#define VETH_B "isolab-pv1"
#define BRIDGE "isolab-pbr0"

/* libnl reports its own NLE_* codes; the skip reason wants an errno. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_EXIST:
		return EEXIST;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NODEV:
		return ENODEV;
	case NLE_INVAL:
		return EINVAL;
	case NLE_BUSY:
		return EBUSY;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_RANGE:
		return ERANGE;
	case NLE_AF_NOSUPPORT:
		return EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return EPROTONOSUPPORT;
	case NLE_MSGSIZE:
		return EMSGSIZE;
	default:
		return EIO;
	}
}

static int enter_scratch_netns(struct ht_probe_result *r)
{
	if (unshare(CLONE_NEWNET) < 0) {
		int err = errno;

		ht_probe_fail(r, HT_NO, err,
			      "unshare(CLONE_NEWNET) for a scratch network namespace failed");
		return -err;
	}
	ht_probe_note(r, "in an anonymous scratch network namespace");
	return 0;
}

static struct nl_sock *rtnl_open(struct ht_probe_result *r)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk) {
		ht_probe_fail(r, HT_UNKNOWN, ENOMEM, "nl_socket_alloc failed");
		return NULL;
	}
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, nle_errno(ret), "cannot open a rtnetlink socket: %s",
			      nl_geterror(ret));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static void rtnl_close(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}

static void link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}

#define _cleanup_nl_sock_ _cleanup_(rtnl_close)
#define _cleanup_link_	  _cleanup_(link_putp)

/* Explain a link type the kernel refused: the rtnetlink kind is missing. */
static void fail_link_add(struct ht_probe_result *r, int nle, const char *what, const char *symbol,
			  const char *module)
{
	_cleanup_free_ char *cfg = NULL;

	if (nle_errno(nle) == EOPNOTSUPP)
		cfg = ht_kconfig_explain(symbol, module);
	else if (nle_errno(nle) == EPERM)
		cfg = ht_xstrdup("needs CAP_NET_ADMIN");
	ht_probe_fail(r, HT_NO, nle_errno(nle), "creating a %s failed: %s%s%s", what,
		      nl_geterror(nle), cfg ? "; " : "", cfg ? cfg : "");
}

static int link_get(struct ht_probe_result *r, struct nl_sock *sk, const char *name,
		    struct rtnl_link **ret)
{
	int nle = rtnl_link_get_kernel(sk, 0, name, ret);

	if (nle < 0) {
		ht_probe_fail(r, HT_NO, nle_errno(nle), "reading link %s back failed: %s", name,
			      nl_geterror(nle));
		return -nle_errno(nle);
	}
	return 0;
}

static int link_up(struct ht_probe_result *r, struct nl_sock *sk, const char *name)
{
	_cleanup_link_ struct rtnl_link *orig = NULL, *change = NULL;
	int nle;

	if (link_get(r, sk, name, &orig) < 0)
		return -ENOENT;
	change = rtnl_link_alloc();
	if (!change) {
		ht_probe_fail(r, HT_UNKNOWN, ENOMEM, "rtnl_link_alloc failed");
		return -ENOMEM;
	}
	rtnl_link_set_flags(change, IFF_UP);
	nle = rtnl_link_change(sk, orig, change, 0);
	if (nle < 0) {
		ht_probe_fail(r, HT_NO, nle_errno(nle), "bringing %s up failed: %s", name,
			      nl_geterror(nle));
		return -nle_errno(nle);
	}
	return 0;
}

static int veth_create(struct ht_probe_result *r, struct nl_sock *sk)
{
	int nle;

	/* The peer's namespace is given by pid: ours, the scratch one. */
	nle = rtnl_link_veth_add(sk, VETH_A, VETH_B, getpid());
	if (nle < 0) {
		fail_link_add(r, nle, "veth pair", "VETH", "veth");
		return -nle_errno(nle);
	}
	ht_probe_note(r, "created veth %s <-> %s", VETH_A, VETH_B);
	return 0;
}

void ht_probe_net_veth(struct ht_probe_result *r)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *a = NULL, *b = NULL;

	if (enter_scratch_netns(r) < 0)
		return;
	sk = rtnl_open(r);
	if (!sk)
		return;
	if (veth_create(r, sk) < 0)
		return;
	if (link_up(r, sk, VETH_A) < 0 || link_up(r, sk, VETH_B) < 0)
		return;
	if (link_get(r, sk, VETH_A, &a) < 0 || link_get(r, sk, VETH_B, &b) < 0)
		return;
	if (!rtnl_link_is_veth(a) || !rtnl_link_is_veth(b)) {
		ht_probe_fail(r, HT_NO, EINVAL, "the links read back are not of type veth");
		return;
	}
	if (!(rtnl_link_get_flags(a) & IFF_UP) || !(rtnl_link_get_flags(b) & IFF_UP)) {
		ht_probe_fail(r, HT_NO, ENETDOWN,
			      "both veth ends were set up but one reads back down");
		return;
	}
	ht_probe_note(r, "read back: %s (ifindex %d) and %s (ifindex %d), type veth, both up",
		      VETH_A, rtnl_link_get_ifindex(a), VETH_B, rtnl_link_get_ifindex(b));
	ht_probe_yes(r);
}

void ht_probe_net_bridge(struct ht_probe_result *r)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *br = NULL, *port = NULL;
	int nle;

	if (enter_scratch_netns(r) < 0)
		return;
	sk = rtnl_open(r);
	if (!sk)
		return;
	nle = rtnl_link_bridge_add(sk, BRIDGE);
	if (nle < 0) {
		fail_link_add(r, nle, "bridge", "BRIDGE", "bridge");
		return;
	}
	ht_probe_note(r, "created bridge %s", BRIDGE);
	if (veth_create(r, sk) < 0)
		return;
	if (link_get(r, sk, BRIDGE, &br) < 0 || link_get(r, sk, VETH_A, &port) < 0)
		return;
	nle = rtnl_link_enslave_ifindex(sk, rtnl_link_get_ifindex(br), rtnl_link_get_ifindex(port));
	if (nle < 0) {
		ht_probe_fail(r, HT_NO, nle_errno(nle), "enslaving %s to %s failed: %s", VETH_A,
			      BRIDGE, nl_geterror(nle));
		return;
	}
	if (link_up(r, sk, BRIDGE) < 0 || link_up(r, sk, VETH_A) < 0)
		return;
	rtnl_link_put(TAKE_PTR(br));
	rtnl_link_put(TAKE_PTR(port));
	if (link_get(r, sk, BRIDGE, &br) < 0 || link_get(r, sk, VETH_A, &port) < 0)
		return;
	if (!rtnl_link_is_bridge(br)) {
		ht_probe_fail(r, HT_NO, EINVAL, "%s reads back as a non-bridge link", BRIDGE);
		return;
	}
	if (rtnl_link_get_master(port) != rtnl_link_get_ifindex(br)) {
		ht_probe_fail(r, HT_NO, EINVAL,
			      "%s reads back with master ifindex %d, not the bridge's %d", VETH_A,
			      rtnl_link_get_master(port), rtnl_link_get_ifindex(br));
		return;
	}
	if (!(rtnl_link_get_flags(br) & IFF_UP)) {
		ht_probe_fail(r, HT_NO, ENETDOWN, "the bridge was set up but reads back down");
		return;
	}
	ht_probe_note(r, "read back: %s is a bridge and up, %s has it as master", BRIDGE, VETH_A);
	ht_probe_yes(r);
}

#if HAVE_LIBNFTABLES
/* libnftables reports errors as text; find the strerror(3) it quotes. */
static int nft_errno(const char *text)
{
	size_t best_len = 0;
	int best = EIO;

	for (int e = 1; e < 134; e++) {
		const char *s = strerror(e);
		size_t n = strlen(s);

		if (n > best_len && strstr(text, s)) {
			best = e;
			best_len = n;
		}
	}
	return best;
}

static void nft_freep(struct nft_ctx **ctx)
{
	if (*ctx)
		nft_ctx_free(*ctx);
}

static char *first_line(const char *text)
{
	const char *p = text ? text : "";

	while (*p == '\n')
		p++;
	return ht_xasprintf("%.*s", (int)strcspn(p, "\n"), p);
}
#endif

void ht_probe_net_nft_nat(struct ht_probe_result *r)
{
#if HAVE_LIBNFTABLES
	/* netfilter nat hooks: a masquerade rule needs nft_nat, nft_masq and nf_nat. */
	static const char add[] =
		"add table ip isolab_probe\n"
		"add chain ip isolab_probe postrouting "
		"{ type nat hook postrouting priority 100; policy accept; }\n"
		"add rule ip isolab_probe postrouting oifname \"" VETH_A "\" masquerade\n";
	_cleanup_(nft_freep) struct nft_ctx *ctx = NULL;
	_cleanup_free_ char *err_line = NULL;
	const char *out;

	if (enter_scratch_netns(r) < 0)
		return;
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		ht_probe_fail(r, HT_UNKNOWN, ENOMEM, "nft_ctx_new failed");
		return;
	}
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ENOMEM, "cannot buffer libnftables output");
		return;
	}
	if (nft_run_cmd_from_buffer(ctx, add) != 0) {
		const char *text = nft_ctx_get_error_buffer(ctx);
		int err = nft_errno(text ? text : "");
		_cleanup_free_ char *c1 = NULL, *c2 = NULL, *c3 = NULL;

		err_line = first_line(text);
		if (err == ENOENT || err == EOPNOTSUPP) {
			c1 = ht_kconfig_explain("NF_TABLES", "nf_tables");
			c2 = ht_kconfig_explain("NFT_NAT", "nft_nat");
			c3 = ht_kconfig_explain("NFT_MASQ", "nft_masq");
		}
		ht_probe_fail(r, HT_NO, err,
			      "adding an ip nat table with a masquerade rule "
			      "failed: %s%s%s%s%s%s%s",
			      err_line, c1 ? "; " : "", c1 ? c1 : "", c2 ? ", " : "", c2 ? c2 : "",
			      c3 ? ", " : "", c3 ? c3 : "");
		return;
	}
	ht_probe_note(r, "added table ip isolab_probe, a nat postrouting chain and a masquerade "
			 "rule");
	if (nft_run_cmd_from_buffer(ctx, "list table ip isolab_probe") != 0) {
		const char *text = nft_ctx_get_error_buffer(ctx);

		err_line = first_line(text);
		ht_probe_fail(r, HT_NO, nft_errno(text ? text : ""),
			      "listing the table back failed: %s", err_line);
		return;
	}
	out = nft_ctx_get_output_buffer(ctx);
	if (!out || !strstr(out, "masquerade") || !strstr(out, "hook postrouting")) {
		ht_probe_fail(r, HT_NO, ENOENT,
			      "the listed table has no masquerade rule in a postrouting chain");
		return;
	}
	ht_probe_note(r, "listed it back with its masquerade rule");
	ht_probe_yes(r);
#else
	ht_probe_fail(r, HT_UNKNOWN, ENOSYS,
		      "isolab was built without libnftables, so it cannot try an nft NAT rule");
#endif
}
