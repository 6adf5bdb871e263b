/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `contain net diagnose NAME [--to IP]`: walks the chain a packet from a
 * named namespace takes (namespace, lo, veth end, its host end, bridge,
 * gateway address, default route, and with --to: route, ip_forward, NAT) and
 * names the first missing step in plain words.
 *
 * It comes in two halves so that the logic is unit-tested without a kernel:
 * ctr_net_facts_gather() reads plain data from the kernel (libnl-route-3 in
 * the host namespace and inside NAME, /proc/sys, libnftables), and
 * ctr_net_diagnose() is a pure function of that data. Tests build facts by
 * hand with the ctr_net_facts_add_*() helpers.
 */
#ifndef CTR_NET_DIAGNOSE_H
#define CTR_NET_DIAGNOSE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr-error.h"
#include "ctr-net-addr.h"

enum ctr_net_link_kind {
	CTR_NET_LINK_OTHER = 0,
	CTR_NET_LINK_LOOPBACK, /* IFF_LOOPBACK */
	CTR_NET_LINK_VETH,     /* IFLA_INFO_KIND "veth" */
	CTR_NET_LINK_BRIDGE,   /* IFLA_INFO_KIND "bridge" */
};

#define CTR_NET_LINK_ADDRS_MAX 8

/* One link of a namespace, as RTM_GETLINK and RTM_GETADDR describe it. */
struct ctr_net_link {
	int ifindex;
	char name[IFNAMSIZ];
	enum ctr_net_link_kind kind;
	bool up;    /* IFF_UP: administratively up */
	int master; /* IFLA_MASTER (the bridge it is enslaved to), 0 if none */
	/*
	 * A veth's IFLA_LINK: the peer's ifindex, in the namespace that
	 * IFLA_LINK_NETNSID names when peer_elsewhere, else in this one.
	 */
	int peer;
	bool peer_elsewhere;
	size_t n_addrs; /* IPv4 only; more than CTR_NET_LINK_ADDRS_MAX are dropped */
	struct ctr_cidr addrs[CTR_NET_LINK_ADDRS_MAX];
};

/* An IPv4 unicast route of the main table. */
struct ctr_net_route {
	struct ctr_cidr dst; /* 0.0.0.0/0 for the default route */
	uint32_t gateway;    /* host byte order; 0 when on-link */
	int oif;	     /* ifindex of the first nexthop, 0 if none */
};

/* A table `ip isolab-nat-*` of the host namespace, as `nft list table` prints it. */
struct ctr_net_nat {
	char table[64];
	bool masquerade;	    /* a rule ends in `masquerade` */
	bool has_subnet;	    /* that rule matches `ip saddr A.B.C.D/N` */
	struct ctr_cidr subnet;	    /* valid when has_subnet */
	char oifname_not[IFNAMSIZ]; /* `oifname != "X"`, "" if absent */
};

enum ctr_net_side {
	CTR_NET_NS = 0, /* inside NAME */
	CTR_NET_HOST,	/* the namespace contain runs in */
};

struct ctr_net_facts {
	char name[64];		       /* NAME */
	bool mounted;		       /* an nsfs file is mounted at NAME's path */
	struct ctr_net_link *links[2]; /* indexed by enum ctr_net_side */
	size_t n_links[2];
	struct ctr_net_route *routes; /* NAME's routes */
	size_t n_routes;
	int ip_forward; /* the host's net.ipv4.ip_forward; -1 if unreadable */
	/* false when NAT could not be listed (no libnftables): the NAT check is n/a */
	bool nat_known;
	struct ctr_net_nat *nats;
	size_t n_nats;
};

/* Zeroed facts for NAME with ip_forward unknown; free with ctr_net_facts_free(). */
void ctr_net_facts_init(struct ctr_net_facts *f, const char *name);

/* Frees the arrays and leaves f as ctr_net_facts_init() made it; NULL is a no-op. */
void ctr_net_facts_free(struct ctr_net_facts *f);

/* Append a zeroed entry. NULL on ENOMEM. */
struct ctr_net_link *ctr_net_facts_add_link(struct ctr_net_facts *f, enum ctr_net_side side);
struct ctr_net_route *ctr_net_facts_add_route(struct ctr_net_facts *f);
struct ctr_net_nat *ctr_net_facts_add_nat(struct ctr_net_facts *f);

/* Append an IPv4 address to a link. -ENOSPC when it already has the maximum. */
int ctr_net_link_add_addr(struct ctr_net_link *l, const struct ctr_cidr *addr);

/*
 * Fill *out (which the caller has not initialised) from the kernel:
 * netns_fd is NAME's bind-mount file, opened O_RDONLY. The host side is read
 * in the calling thread's current network namespace; NAME's side after
 * setns(2) into netns_fd, then back. A file that is not an nsfs mount gives
 * mounted = false and no links of NAME, not an error. On failure *out is
 * freed and left empty. Needs CAP_SYS_ADMIN for setns(2), and a
 * single-threaded caller (setns moves only the calling thread).
 */
int ctr_net_facts_gather(int netns_fd, const char *name, struct ctr_net_facts *out,
			 struct ctr_error *err);

enum ctr_net_check_id {
	CTR_NET_CHECK_MOUNTED = 0,
	CTR_NET_CHECK_LO_UP,
	CTR_NET_CHECK_NS_VETH,
	CTR_NET_CHECK_NS_VETH_UP,
	CTR_NET_CHECK_NS_ADDR,
	CTR_NET_CHECK_HOST_PEER,
	/* Attached before up: iproute2's order, and the seed's net3 missed both. */
	CTR_NET_CHECK_ENSLAVED,
	CTR_NET_CHECK_HOST_UP,
	CTR_NET_CHECK_BRIDGE_UP,
	CTR_NET_CHECK_GATEWAY_ADDR,
	CTR_NET_CHECK_DEFAULT_ROUTE,
	/* only with --to */
	CTR_NET_CHECK_ROUTE_TO,
	CTR_NET_CHECK_IP_FORWARD,
	CTR_NET_CHECK_NAT,
	CTR_NET_CHECK_COUNT,
};

enum ctr_net_check_state {
	CTR_NET_OK = 0,
	CTR_NET_MISSING,
	CTR_NET_NA, /* does not apply here, or cannot be checked because of an earlier step */
};

#define CTR_NET_CHECK_MSG_MAX 256

struct ctr_net_check {
	enum ctr_net_check_id id;
	const char *label; /* short, static: "host end up" */
	enum ctr_net_check_state state;
	/* plain words naming the objects, for every state: "host end `ve-net3` is down" */
	char msg[CTR_NET_CHECK_MSG_MAX];
};

struct ctr_net_verdict {
	size_t n; /* CTR_NET_CHECK_ROUTE_TO without --to, CTR_NET_CHECK_COUNT with */
	struct ctr_net_check checks[CTR_NET_CHECK_COUNT]; /* checks[i].id == i */
	int first_missing; /* index into checks, -1 when none is missing */
};

/*
 * The ordered checks of `contain net diagnose` on f; `to` is the --to
 * address (its prefix ignored) or NULL. Returns 1 when a step is missing
 * (first_missing >= 0), else 0: the exit status of the command.
 */
int ctr_net_diagnose(const struct ctr_net_facts *f, const struct ctr_cidr *to,
		     struct ctr_net_verdict *out);

/* "ok", "MISSING" or "n/a", as the command prints them. */
const char *ctr_net_check_state_name(enum ctr_net_check_state s);

#endif
