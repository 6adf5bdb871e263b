/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Container networking, the kernel side of `contain net`: named network
 * namespaces (bind mounts of nsfs files, as iproute2's `ip netns` makes
 * them), bridges, veth cables into a namespace, addresses and the default
 * route, all through rtnetlink with libnl-route-3; and NAT through
 * libnftables (ctr-net-nat.c). Nothing here runs `ip`, `nft` or `iptables`.
 *
 * "Host" is the network namespace the caller runs in, whatever it is: the
 * test suites run contain inside a sandbox namespace of their own. Work
 * inside a named namespace goes through a netlink socket opened after
 * setns(2) into it: a netlink socket stays bound to the namespace it was
 * created in (network_namespaces(7)), so the caller switches back at once
 * and uses both sockets side by side. setns(2) moves only the calling
 * thread, so callers must be single-threaded.
 *
 * Every object is written to the harness journal (ctr-journal.h) before
 * it is made, and a multi-step call that fails removes what it made.
 */
#ifndef CTR_NET_H
#define CTR_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr-error.h"
#include "ctr-net-addr.h"

/* Where named namespaces are bind-mounted; /run/netns is where `ip netns` looks. */
#define CTR_NETNS_DIR_ENV     "CONTAIN_NETNS_DIR"
#define CTR_NETNS_DIR_DEFAULT "/run/netns"
/* contain's own state: net/forward-BR holds the ip_forward value `nat BR` found. */
#define CTR_STATE_DIR_ENV     "CONTAIN_STATE_DIR"
#define CTR_STATE_DIR_DEFAULT "/run/contain"
/* The nftables tables contain owns: "isolab-nat-" + the bridge name, family ip. */
#define CTR_NAT_TABLE_PREFIX "isolab-nat-"

/* $CONTAIN_NETNS_DIR or /run/netns, and $CONTAIN_STATE_DIR or /run/contain. */
const char *ctr_netns_dir(void);
const char *ctr_state_dir(void);

/* The errno closest to a libnl NLE_* code (positive or negative); EIO when none is. */
int ctr_nle_errno(int nle);

/*
 * Fill err from a libnl error: "what: strerror (ENAME)" when the code maps
 * to an errno, else "what: libnl's text". Returns the negative errno.
 */
int ctr_error_nl(struct ctr_error *err, int nle, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- named network namespaces ------------------------------------------ */

/* $CONTAIN_NETNS_DIR/NAME, made absolute; NAME is checked (a usage error). */
int ctr_netns_path(const char *name, char *buf, size_t size, struct ctr_error *err);

/*
 * A new network namespace bind-mounted at $CONTAIN_NETNS_DIR/NAME. The
 * directory is created if needed and, as iproute2 does, made a shared bind
 * mount of itself, so that the namespace file propagates to other mount
 * namespaces. The new namespace has only `lo`, down. The caller stays in
 * its own namespace. An existing NAME is EEXIST.
 */
int ctr_netns_create(const char *name, struct ctr_error *err);

/*
 * Open NAME's namespace file (O_RDONLY, O_CLOEXEC) into *ret_fd, after
 * checking that it is an nsfs mount of a network namespace. A missing file
 * is ENOENT, a file that is no such mount is EINVAL, each with a message
 * naming NAME and the path.
 */
int ctr_netns_open(const char *name, int *ret_fd, struct ctr_error *err);

/*
 * Delete NAME: the host ends of its veth pairs (which takes their ends in
 * NAME with them), then the bind mount and its file. Processes still in
 * NAME keep the namespace alive, but it has no name any more. An empty
 * file without a mount (left by a create that died) is removed too.
 */
int ctr_netns_delete(const char *name, struct ctr_error *err);

/*
 * Enter the network namespace nsfd; *ret_saved is a descriptor of the one
 * the caller was in, for ctr_netns_restore().
 */
int ctr_netns_enter(int nsfd, int *ret_saved, struct ctr_error *err);

/* Go back to *saved and close it; -1 is a no-op. */
int ctr_netns_restore(int *saved, struct ctr_error *err);

/* Cleanup form of ctr_netns_restore(), for error paths. */
void ctr_netns_restorep(int *saved);

/*
 * The ifindexes, in the caller's namespace, of the veths whose peers are in
 * the namespace nsfd: the host ends of its cables. At most max are stored;
 * *ret_n is how many there are.
 */
int ctr_netns_host_peers(int nsfd, int *ret_ifindex, size_t max, size_t *ret_n,
			 struct ctr_error *err);

/*
 * setns(2) into NAME, then execvp(3) argv. Returns only on failure: a
 * setup error, or err->kind CTR_ERROR_EXEC when execvp failed.
 */
int ctr_netns_exec(const char *name, char **argv, struct ctr_error *err);

/* ---- rtnetlink sockets ---------------------------------------------------- */

struct nl_sock;

/* A connected NETLINK_ROUTE socket in the caller's namespace. */
int ctr_rtnl_open(struct nl_sock **ret, struct ctr_error *err);

/* The same, in the namespace nsfd (entered and left around the socket(2) call). */
int ctr_rtnl_open_in(int nsfd, struct nl_sock **ret, struct ctr_error *err);

void ctr_rtnl_closep(struct nl_sock **sk);
#define _cleanup_rtnl_ __attribute__((cleanup(ctr_rtnl_closep)))

/* ---- bridges and cables --------------------------------------------------- */

/*
 * Bridge BR with the address addr (the gateway of its subnet), up. An
 * existing link named BR is EEXIST.
 */
int ctr_net_bridge_create(const char *br, const struct ctr_cidr *addr, struct ctr_error *err);

/*
 * Delete bridge BR, and its NAT table if there is one (as
 * ctr_net_nat_delete() does). A missing BR is ENODEV, a link that is not a
 * bridge EINVAL.
 */
int ctr_net_bridge_delete(const char *br, struct ctr_error *err);

/* A veth cable from the host into a named namespace. */
struct ctr_net_cable {
	const char *ns_name;  /* NAME */
	const char *bridge;   /* attach: the host end is enslaved to it; NULL for a plain veth */
	struct ctr_cidr addr; /* on the end inside NAME */
	bool has_gateway;     /* a default route inside NAME via gateway */
	uint32_t gateway;     /* host byte order */
	bool has_peer_addr;   /* an address on the host end (point-to-point) */
	struct ctr_cidr peer_addr;
};

/*
 * Make the cable: a veth pair whose host end is ctr_veth_host_name(NAME,
 * i) for the first free i and whose other end, in NAME, is the first free
 * ethN; host end enslaved (with a bridge) or given peer_addr, and up; in
 * NAME, lo up, the end up with addr, and the default route. The names are
 * returned in ret_host and ret_inside (may be NULL). On failure the pair is
 * deleted and lo is set down again if it was down.
 */
int ctr_net_cable_add(const struct ctr_net_cable *c, char ret_host[IFNAMSIZ],
		      char ret_inside[IFNAMSIZ], struct ctr_error *err);

/* ---- forwarding and NAT -------------------------------------------------- */

/* net.ipv4.ip_forward of the caller's namespace, as the file holds it ("0"). */
int ctr_net_forward_read(char *buf, size_t size, struct ctr_error *err);
int ctr_net_forward_write(const char *value, struct ctr_error *err);

/* Whether contain was built with libnftables (`nat` works). */
bool ctr_net_have_nat(void);

/*
 * `contain net nat BR --subnet CIDR`: net.ipv4.ip_forward = 1 in the
 * caller's namespace (the value found is saved in
 * $CONTAIN_STATE_DIR/net/forward-BR first, and journaled) and the table
 * `ip isolab-nat-BR`: chain postrouting (type nat hook postrouting priority
 * srcnat) with the rule `ip saddr CIDR oifname != "BR" masquerade`. The
 * link BR must exist; an existing table is EEXIST. Without libnftables:
 * EOPNOTSUPP.
 */
int ctr_net_nat_add(const char *br, const struct ctr_cidr *subnet, struct ctr_error *err);

/*
 * Delete the table `ip isolab-nat-BR`, and when no other isolab-nat-*
 * table remains, restore ip_forward to the value saved by
 * ctr_net_nat_add(). A missing table is ENOENT, or 0 with missing_ok.
 * Returns 1 when a table was deleted.
 */
int ctr_net_nat_delete(const char *br, bool missing_ok, struct ctr_error *err);

/* ---- internal, shared by ctr-net.c and ctr-net-nat.c ---------------------- */

/* Whether BR can be pasted into an nft table name and a quoted string. */
int ctr_net_nat_name_check(const char *br, struct ctr_error *err);

/* $CONTAIN_STATE_DIR/net/forward-BR into buf. */
int ctr_net_forward_state_path(const char *br, char *buf, size_t size, struct ctr_error *err);

/* Whether a link named ifname exists in the caller's namespace (1), or not (0). */
int ctr_net_link_exists(const char *ifname, struct ctr_error *err);

#endif
