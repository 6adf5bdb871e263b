// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `contain net diagnose`: the facts (read from the kernel) and the verdict
 * (a pure function of the facts). See ctr-net-diagnose.h for the model.
 *
 * The checks follow the path of a packet leaving NAME: lo, the veth end
 * inside, its peer on the host (a veth's IFLA_LINK is the peer's ifindex, in
 * the namespace IFLA_LINK_NETNSID names; see veth(4) and rtnetlink(7)), the
 * bridge that peer is enslaved to (IFLA_MASTER), the gateway address on that
 * bridge, the namespace's default route, and, beyond the host, forwarding
 * (ip-sysctl.rst, ip_forward) and the masquerade rule of `contain net nat`.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "config.h"
#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>

#include "ctr-dlopen.h"
#endif

#include "ctr-net-diagnose.h"
#include "ctr-util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

#define NAT_TABLE_PREFIX "isolab-nat-"

/* ---- the facts ---------------------------------------------------------- */

void ctr_net_facts_init(struct ctr_net_facts *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	f->ip_forward = -1;
}

void ctr_net_facts_free(struct ctr_net_facts *f)
{
	char name[sizeof(f->name)];

	if (!f)
		return;
	free(f->links[CTR_NET_NS]);
	free(f->links[CTR_NET_HOST]);
	free(f->routes);
	free(f->nats);
	memcpy(name, f->name, sizeof(name));
	ctr_net_facts_init(f, name);
}

/* Grow *arr by one zeroed element of size sz. */
static void *append(void **arr, size_t *n, size_t sz)
{
	char *p = realloc(*arr, (*n + 1) * sz);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

struct ctr_net_link *ctr_net_facts_add_link(struct ctr_net_facts *f, enum ctr_net_side side)
{
	return append((void **)&f->links[side], &f->n_links[side], sizeof(struct ctr_net_link));
}

struct ctr_net_route *ctr_net_facts_add_route(struct ctr_net_facts *f)
{
	return append((void **)&f->routes, &f->n_routes, sizeof(struct ctr_net_route));
}

struct ctr_net_nat *ctr_net_facts_add_nat(struct ctr_net_facts *f)
{
	return append((void **)&f->nats, &f->n_nats, sizeof(struct ctr_net_nat));
}

int ctr_net_link_add_addr(struct ctr_net_link *l, const struct ctr_cidr *addr)
{
	if (l->n_addrs >= CTR_NET_LINK_ADDRS_MAX)
		return -ENOSPC;
	l->addrs[l->n_addrs++] = *addr;
	return 0;
}

/* ---- reading the kernel ------------------------------------------------- */

static void nl_sock_freep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}

static void nl_cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}

#define _cleanup_nl_sock_  _cleanup_(nl_sock_freep)
#define _cleanup_nl_cache_ _cleanup_(nl_cache_freep)

static int nl_fail(struct ctr_error *err, int nlerr, const char *what)
{
	return ctr_error_set(err, EIO, "%s: %s", what, nl_geterror(nlerr));
}

/* An IPv4 nl_addr in host byte order; false for anything else. */
static bool nl_addr_ipv4(struct nl_addr *a, uint32_t *ret)
{
	uint32_t be;

	if (!a || nl_addr_get_family(a) != AF_INET)
		return false;
	if (nl_addr_get_len(a) == 0) {
		*ret = 0; /* the default route's dst */
		return true;
	}
	if (nl_addr_get_len(a) != sizeof(be))
		return false;
	memcpy(&be, nl_addr_get_binary_addr(a), sizeof(be));
	*ret = ntohl(be);
	return true;
}

static struct ctr_net_link *find_link(const struct ctr_net_facts *f, enum ctr_net_side side,
				      int ifindex)
{
	for (size_t i = 0; i < f->n_links[side]; i++)
		if (f->links[side][i].ifindex == ifindex)
			return &f->links[side][i];
	return NULL;
}

/* The links and IPv4 addresses of the current network namespace, and its routes if wanted. */
static int gather_side(struct ctr_net_facts *f, enum ctr_net_side side, bool routes,
		       struct ctr_error *err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_nl_cache_ struct nl_cache *lc = NULL, *ac = NULL, *rc = NULL;
	struct nl_object *o;
	int r;

	/* A netlink socket belongs to the namespace it was created in. */
	sk = nl_socket_alloc();
	if (!sk)
		return ctr_error_errno(err, ENOMEM, "allocate a netlink socket");
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0)
		return nl_fail(err, r, "connect to rtnetlink");

	r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &lc);
	if (r < 0)
		return nl_fail(err, r, "list links");
	for (o = nl_cache_get_first(lc); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *nl = (struct rtnl_link *)o;
		struct ctr_net_link *l = ctr_net_facts_add_link(f, side);
		const char *type = rtnl_link_get_type(nl);
		int32_t nsid;

		if (!l)
			return ctr_error_errno(err, ENOMEM, "list links");
		l->ifindex = rtnl_link_get_ifindex(nl);
		snprintf(l->name, sizeof(l->name), "%s",
			 rtnl_link_get_name(nl) ? rtnl_link_get_name(nl) : "?");
		l->up = rtnl_link_get_flags(nl) & IFF_UP;
		l->master = rtnl_link_get_master(nl);
		if (rtnl_link_get_flags(nl) & IFF_LOOPBACK)
			l->kind = CTR_NET_LINK_LOOPBACK;
		else if (type && !strcmp(type, "veth"))
			l->kind = CTR_NET_LINK_VETH;
		else if (type && !strcmp(type, "bridge"))
			l->kind = CTR_NET_LINK_BRIDGE;
		if (l->kind == CTR_NET_LINK_VETH) {
			l->peer = rtnl_link_get_link(nl);
			/* Set only when the peer lives in another namespace. */
			l->peer_elsewhere = rtnl_link_get_link_netnsid(nl, &nsid) == 0;
		}
	}

	r = rtnl_addr_alloc_cache(sk, &ac);
	if (r < 0)
		return nl_fail(err, r, "list addresses");
	for (o = nl_cache_get_first(ac); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct ctr_net_link *l;
		struct ctr_cidr c;

		if (rtnl_addr_get_family(a) != AF_INET ||
		    !nl_addr_ipv4(rtnl_addr_get_local(a), &c.addr))
			continue;
		l = find_link(f, side, rtnl_addr_get_ifindex(a));
		if (!l)
			continue;
		c.prefix = (unsigned)rtnl_addr_get_prefixlen(a);
		ctr_net_link_add_addr(l, &c);
	}

	if (!routes)
		return 0;
	r = rtnl_route_alloc_cache(sk, AF_INET, 0, &rc);
	if (r < 0)
		return nl_fail(err, r, "list routes");
	for (o = nl_cache_get_first(rc); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *nr = (struct rtnl_route *)o;
		struct ctr_net_route *rt;
		struct ctr_cidr dst;

		/* The local and broadcast routes of the local table carry no path out. */
		if (rtnl_route_get_table(nr) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(nr) != RTN_UNICAST ||
		    !nl_addr_ipv4(rtnl_route_get_dst(nr), &dst.addr))
			continue;
		dst.prefix = nl_addr_get_prefixlen(rtnl_route_get_dst(nr));
		rt = ctr_net_facts_add_route(f);
		if (!rt)
			return ctr_error_errno(err, ENOMEM, "list routes");
		rt->dst = dst;
		if (rtnl_route_get_nnexthops(nr) > 0) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(nr, 0);
			uint32_t gw;

			rt->oif = rtnl_route_nh_get_ifindex(nh);
			if (nl_addr_ipv4(rtnl_route_nh_get_gateway(nh), &gw))
				rt->gateway = gw;
		}
	}
	return 0;
}

static int read_ip_forward(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd = -1;
	ssize_t n;

	/* /proc/sys/net follows the network namespace of the opener. */
	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	return buf[0] == '0' ? 0 : buf[0] == '1' ? 1 : -1;
}

#if HAVE_LIBNFTABLES
/* libnftables is opened on first use: see ctr-dlopen.h. */
CTR_DLSYM_DEFINE(nft_ctx_new);
CTR_DLSYM_DEFINE(nft_ctx_free);
CTR_DLSYM_DEFINE(nft_ctx_buffer_output);
CTR_DLSYM_DEFINE(nft_ctx_buffer_error);
CTR_DLSYM_DEFINE(nft_ctx_get_output_buffer);
CTR_DLSYM_DEFINE(nft_run_cmd_from_buffer);
CTR_DLLIB_DEFINE(libnftables, CTR_SONAME_LIBNFTABLES, CTR_PACKAGE_LIBNFTABLES,
		 CTR_DLSYM(nft_ctx_new), CTR_DLSYM(nft_ctx_free), CTR_DLSYM(nft_ctx_buffer_output),
		 CTR_DLSYM(nft_ctx_buffer_error), CTR_DLSYM(nft_ctx_get_output_buffer),
		 CTR_DLSYM(nft_run_cmd_from_buffer));

/*
 * One rule line of `nft list table`, e.g.
 *   ip saddr 10.1.0.0/24 oifname != "br0" masquerade
 * as contain net nat writes it (nft prints a /32 as a bare address).
 */
static void parse_nat_rule(const char *line, struct ctr_net_nat *n)
{
	struct ctr_error e = { 0 };
	const char *p;
	char tok[32];

	if (!strstr(line, "masquerade"))
		return;
	n->masquerade = true;
	p = strstr(line, "ip saddr ");
	if (p && sscanf(p + strlen("ip saddr "), "%31s", tok) == 1) {
		n->has_subnet = ctr_cidr_parse(tok, "saddr", false, &n->subnet, &e) == 0 ||
				ctr_ip_parse(tok, "saddr", &n->subnet, &e) == 0;
	}
	p = strstr(line, "oifname != \"");
	if (p) {
		p += strlen("oifname != \"");
		size_t len = strcspn(p, "\"");

		if (len < sizeof(n->oifname_not))
			snprintf(n->oifname_not, sizeof(n->oifname_not), "%.*s", (int)len, p);
	}
}

static void nft_ctx_freep(struct nft_ctx **c)
{
	if (*c)
		sym_nft_ctx_free(*c);
}

/* Runs cmd and returns a copy of what it printed, or NULL. */
static char *nft_list(struct nft_ctx *ctx, const char *cmd)
{
	const char *out;

	if (sym_nft_run_cmd_from_buffer(ctx, cmd) != 0)
		return NULL;
	out = sym_nft_ctx_get_output_buffer(ctx);
	return strdup(out ? out : "");
}

/*
 * The isolab NAT tables of the current namespace. Failing to list them
 * (no nf_tables in this kernel) leaves nat_known false, which makes the NAT
 * check n/a rather than failing the whole diagnosis.
 */
static int gather_nat(struct ctr_net_facts *f, struct ctr_error *err)
{
	_cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
	_cleanup_free_ char *tables = NULL;
	char *save = NULL;

	/* Without libnftables the NAT check is n/a, like without nf_tables. */
	if (ctr_dlopen(&libnftables, &(struct ctr_error){ 0 }) < 0)
		return 0;
	ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return 0;
	/* libcontain never prints: keep nft's output and errors in buffers. */
	if (sym_nft_ctx_buffer_output(ctx) || sym_nft_ctx_buffer_error(ctx))
		return 0;
	tables = nft_list(ctx, "list tables ip");
	if (!tables)
		return 0;

	for (char *line = strtok_r(tables, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *body = NULL;
		char name[64], cmd[128], *lsave = NULL;
		struct ctr_net_nat *n;

		if (sscanf(line, "table ip %63s", name) != 1 ||
		    strncmp(name, NAT_TABLE_PREFIX, strlen(NAT_TABLE_PREFIX)))
			continue;
		n = ctr_net_facts_add_nat(f);
		if (!n)
			return ctr_error_errno(err, ENOMEM, "list nft tables");
		snprintf(n->table, sizeof(n->table), "%s", name);
		snprintf(cmd, sizeof(cmd), "list table ip %s", name);
		body = nft_list(ctx, cmd);
		if (!body)
			continue;
		for (char *l = strtok_r(body, "\n", &lsave); l; l = strtok_r(NULL, "\n", &lsave)) {
			struct ctr_net_nat one = { 0 };

			/* The first masquerade rule with a source subnet speaks for the table. */
			parse_nat_rule(l, &one);
			if (one.masquerade && !(n->masquerade && n->has_subnet)) {
				memcpy(one.table, n->table, sizeof(one.table));
				*n = one;
			}
		}
	}
	f->nat_known = true;
	return 0;
}
#else
static int gather_nat(struct ctr_net_facts *f, struct ctr_error *err)
{
	return 0;
}
#endif

static void setns_backp(int *fd)
{
	if (*fd >= 0) {
		/* Best effort on the error path; the success path checks it. */
		(void)!setns(*fd, CLONE_NEWNET);
		ctr_closep(fd);
	}
}

static int gather(int netns_fd, struct ctr_net_facts *f, struct ctr_error *err)
{
	_cleanup_close_ int self = -1;
	struct statfs sfs;
	int r;

	f->ip_forward = read_ip_forward();
	r = gather_side(f, CTR_NET_HOST, false, err);
	if (r < 0)
		return ctr_error_prefix(err, "host namespace");
	r = gather_nat(f, err);
	if (r < 0)
		return r;

	/*
	 * A stale file left where the bind mount was (a crash before the
	 * mount, or an unmount by hand) is not a namespace: say so as a
	 * missing step instead of failing.
	 */
	if (fstatfs(netns_fd, &sfs) < 0)
		return ctr_error_errno(err, errno, "statfs namespace `%s`", f->name);
	f->mounted = sfs.f_type == NSFS_MAGIC;
	if (!f->mounted)
		return 0;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return ctr_error_errno(err, errno, "open /proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return ctr_error_errno(err, errno, "setns into namespace `%s`", f->name);
	{
		_cleanup_(setns_backp) int back = TAKE_FD(self);

		r = gather_side(f, CTR_NET_NS, true, err);
		if (r < 0)
			return ctr_error_prefix(err, "namespace `%s`", f->name);
		if (setns(back, CLONE_NEWNET) < 0)
			return ctr_error_errno(err, errno, "setns back to the host namespace");
		ctr_closep(&back);
	}
	return 0;
}

int ctr_net_facts_gather(int netns_fd, const char *name, struct ctr_net_facts *out,
			 struct ctr_error *err)
{
	int r;

	ctr_net_facts_init(out, name);
	r = gather(netns_fd, out, err);
	if (r < 0) {
		ctr_net_facts_free(out);
		return ctr_error_prefix(err, "diagnose `%s`", name);
	}
	return 0;
}

/* ---- the verdict -------------------------------------------------------- */

static const char *const labels[CTR_NET_CHECK_COUNT] = {
	[CTR_NET_CHECK_MOUNTED] = "namespace mounted",
	[CTR_NET_CHECK_LO_UP] = "lo up",
	[CTR_NET_CHECK_NS_VETH] = "veth end inside",
	[CTR_NET_CHECK_NS_VETH_UP] = "veth end up",
	[CTR_NET_CHECK_NS_ADDR] = "veth end address",
	[CTR_NET_CHECK_HOST_PEER] = "host end exists",
	[CTR_NET_CHECK_ENSLAVED] = "host end on bridge",
	[CTR_NET_CHECK_HOST_UP] = "host end up",
	[CTR_NET_CHECK_BRIDGE_UP] = "bridge up",
	[CTR_NET_CHECK_GATEWAY_ADDR] = "gateway address",
	[CTR_NET_CHECK_DEFAULT_ROUTE] = "default route",
	[CTR_NET_CHECK_ROUTE_TO] = "route to target",
	[CTR_NET_CHECK_IP_FORWARD] = "ip_forward",
	[CTR_NET_CHECK_NAT] = "NAT",
};

const char *ctr_net_check_state_name(enum ctr_net_check_state s)
{
	switch (s) {
	case CTR_NET_OK:
		return "ok";
	case CTR_NET_MISSING:
		return "MISSING";
	case CTR_NET_NA:
		break;
	}
	return "n/a";
}

__attribute__((format(printf, 4, 5))) static void set(struct ctr_net_verdict *v,
						      enum ctr_net_check_id id,
						      enum ctr_net_check_state state,
						      const char *fmt, ...)
{
	struct ctr_net_check *c = &v->checks[id];
	va_list ap;

	c->state = state;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

/* Marks checks [from, to) n/a because an earlier step is missing. */
static void skip(struct ctr_net_verdict *v, enum ctr_net_check_id from, enum ctr_net_check_id to,
		 const char *why)
{
	for (unsigned id = from; id < to && id < v->n; id++)
		set(v, id, CTR_NET_NA, "not checked: %s", why);
}

/* The first of l's addresses inside net, or NULL. */
static const struct ctr_cidr *addr_in(const struct ctr_net_link *l, const struct ctr_cidr *net)
{
	for (size_t i = 0; i < l->n_addrs; i++)
		if (ctr_cidr_contains(net, l->addrs[i].addr))
			return &l->addrs[i];
	return NULL;
}

static const struct ctr_net_route *default_route(const struct ctr_net_facts *f)
{
	for (size_t i = 0; i < f->n_routes; i++)
		if (f->routes[i].dst.prefix == 0)
			return &f->routes[i];
	return NULL;
}

/* The veth end that the checks follow: the default route's, else the first. */
static const struct ctr_net_link *pick_ns_veth(const struct ctr_net_facts *f)
{
	const struct ctr_net_route *def = default_route(f);
	const struct ctr_net_link *first = NULL;

	for (size_t i = 0; i < f->n_links[CTR_NET_NS]; i++) {
		const struct ctr_net_link *l = &f->links[CTR_NET_NS][i];

		if (l->kind != CTR_NET_LINK_VETH)
			continue;
		if (def && def->oif == l->ifindex)
			return l;
		if (!first || (!first->peer_elsewhere && l->peer_elsewhere))
			first = l;
	}
	return first;
}

/* The longest-prefix match for ip among NAME's routes (fib_lookup, roughly). */
static const struct ctr_net_route *route_to(const struct ctr_net_facts *f, uint32_t ip)
{
	const struct ctr_net_route *best = NULL;

	for (size_t i = 0; i < f->n_routes; i++) {
		const struct ctr_net_route *r = &f->routes[i];

		if (ctr_cidr_contains(&r->dst, ip) && (!best || r->dst.prefix > best->dst.prefix))
			best = r;
	}
	return best;
}

static bool is_host_address(const struct ctr_net_facts *f, uint32_t ip)
{
	for (size_t i = 0; i < f->n_links[CTR_NET_HOST]; i++) {
		const struct ctr_net_link *l = &f->links[CTR_NET_HOST][i];

		for (size_t j = 0; j < l->n_addrs; j++)
			if (l->addrs[j].addr == ip)
				return true;
	}
	return false;
}

/* What the bridge-side checks found, for the route and --to checks. */
struct chain {
	const struct ctr_net_link *veth; /* inside NAME */
	const struct ctr_cidr *addr;	 /* veth's first address */
	struct ctr_cidr subnet;		 /* its network */
	char subnet_s[CTR_CIDR_STRLEN];
	const struct ctr_net_link *host; /* the peer on the host */
	const struct ctr_net_link *bridge;
	bool p2p;
	const struct ctr_cidr *gateway; /* on the bridge or the p2p host end */
};

static void check_enslaved(const struct ctr_net_facts *f, struct chain *c,
			   struct ctr_net_verdict *v)
{
	const struct ctr_net_link *h = c->host, *master, *expected = NULL;
	const struct ctr_cidr *own;
	char a[CTR_CIDR_STRLEN];

	if (c->addr && (own = addr_in(h, &c->subnet))) {
		c->p2p = true;
		c->gateway = own;
		set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_NA,
		    "point-to-point veth: host end `%s` has %s itself, no bridge", h->name,
		    ctr_cidr_format(own, true, a));
		return;
	}
	for (size_t i = 0; c->addr && i < f->n_links[CTR_NET_HOST]; i++) {
		const struct ctr_net_link *l = &f->links[CTR_NET_HOST][i];

		if (l->kind == CTR_NET_LINK_BRIDGE && addr_in(l, &c->subnet)) {
			expected = l;
			break;
		}
	}
	master = h->master ? find_link(f, CTR_NET_HOST, h->master) : NULL;

	if (!h->master) {
		c->bridge = expected;
		if (expected)
			set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
			    "host end `%s` is not attached to bridge `%s`", h->name,
			    expected->name);
		else if (c->addr && h->n_addrs)
			set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
			    "host end `%s` is not attached to any bridge, and its address %s is "
			    "not in %s",
			    h->name, ctr_cidr_format(&h->addrs[0], true, a), c->subnet_s);
		else if (c->addr)
			set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
			    "host end `%s` is not attached to any bridge, and no bridge has an "
			    "address in %s",
			    h->name, c->subnet_s);
		else
			set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
			    "host end `%s` is not attached to any bridge", h->name);
		return;
	}
	if (!master || master->kind != CTR_NET_LINK_BRIDGE) {
		c->bridge = expected;
		if (master)
			set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
			    "host end `%s` is enslaved to `%s`, which is not a bridge", h->name,
			    master->name);
		else
			set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
			    "host end `%s` is enslaved to ifindex %d, not a bridge of this "
			    "namespace",
			    h->name, h->master);
		return;
	}
	c->bridge = master;
	if (expected && expected != master)
		set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_MISSING,
		    "host end `%s` is attached to bridge `%s`, but the bridge with an address in "
		    "%s is `%s`",
		    h->name, master->name, c->subnet_s, expected->name);
	else
		set(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_OK,
		    "host end `%s` is attached to bridge `%s`", h->name, master->name);
}

/* The bridge (or p2p host end) and the gateway address on it. */
static void check_gateway(const struct ctr_net_facts *f, struct chain *c, struct ctr_net_verdict *v)
{
	const struct ctr_cidr *gw;
	char a[CTR_CIDR_STRLEN];

	if (c->p2p) {
		set(v, CTR_NET_CHECK_BRIDGE_UP, CTR_NET_NA, "point-to-point veth, no bridge");
	} else if (!c->bridge) {
		set(v, CTR_NET_CHECK_BRIDGE_UP, CTR_NET_NA, "not checked: no bridge found");
	} else if (c->bridge->up) {
		set(v, CTR_NET_CHECK_BRIDGE_UP, CTR_NET_OK, "bridge `%s` is up", c->bridge->name);
	} else {
		set(v, CTR_NET_CHECK_BRIDGE_UP, CTR_NET_MISSING, "bridge `%s` is down",
		    c->bridge->name);
	}

	if (!c->addr) {
		set(v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_NA,
		    "not checked: `%s` has no IPv4 address", c->veth->name);
	} else if (c->p2p) {
		set(v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_OK,
		    "host end `%s` has %s, the gateway of `%s`", c->host->name,
		    ctr_cidr_format(c->gateway, true, a), f->name);
	} else if (!c->bridge) {
		set(v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_NA, "not checked: no bridge found");
	} else if ((gw = addr_in(c->bridge, &c->subnet))) {
		c->gateway = gw;
		set(v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_OK,
		    "bridge `%s` has %s, the gateway of `%s`", c->bridge->name,
		    ctr_cidr_format(gw, true, a), f->name);
	} else {
		set(v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_MISSING,
		    "bridge `%s` has no address in %s to serve as the gateway", c->bridge->name,
		    c->subnet_s);
	}
}

static void check_default_route(const struct ctr_net_facts *f, const struct chain *c,
				struct ctr_net_verdict *v)
{
	const struct ctr_net_route *def = default_route(f);
	char a[CTR_CIDR_STRLEN], b[CTR_CIDR_STRLEN];
	struct ctr_cidr g = { 0, 32 };

	if (!def) {
		set(v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_NA,
		    "namespace `%s` has no default route (needed only beyond its subnet)", f->name);
		return;
	}
	if (!c->gateway) {
		set(v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_NA,
		    "not checked: no gateway address found");
		return;
	}
	g.addr = def->gateway;
	ctr_cidr_format(c->gateway, false, a);
	if (!def->gateway)
		set(v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_MISSING,
		    "the default route of namespace `%s` names no gateway; expected via %s",
		    f->name, a);
	else if (def->gateway != c->gateway->addr)
		set(v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_MISSING,
		    "the default route of namespace `%s` goes via %s, not the gateway %s", f->name,
		    ctr_cidr_format(&g, false, b), a);
	else
		set(v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_OK,
		    "the default route of namespace `%s` goes via the gateway %s", f->name, a);
}

static void check_beyond(const struct ctr_net_facts *f, const struct chain *c,
			 const struct ctr_cidr *to, struct ctr_net_verdict *v)
{
	const struct ctr_net_route *rt = route_to(f, to->addr);
	const struct ctr_net_link *oif;
	char t[CTR_CIDR_STRLEN], a[CTR_CIDR_STRLEN];
	const char *local = NULL;
	struct ctr_cidr g = { 0, 32 };
	unsigned shown = 0;
	char *msg;

	ctr_cidr_format(to, false, t);
	if (!rt) {
		set(v, CTR_NET_CHECK_ROUTE_TO, CTR_NET_MISSING,
		    "namespace `%s` has no default route to reach %s", f->name, t);
	} else if (rt->gateway) {
		char d[CTR_CIDR_STRLEN];

		g.addr = rt->gateway;
		ctr_cidr_format(&g, false, a);
		if (rt->dst.prefix)
			set(v, CTR_NET_CHECK_ROUTE_TO, CTR_NET_OK,
			    "%s is reached via %s (route to %s)", t, a,
			    ctr_cidr_format(&rt->dst, true, d));
		else
			set(v, CTR_NET_CHECK_ROUTE_TO, CTR_NET_OK,
			    "%s is reached via %s (the default route)", t, a);
	} else {
		oif = find_link(f, CTR_NET_NS, rt->oif);
		set(v, CTR_NET_CHECK_ROUTE_TO, CTR_NET_OK, "%s is on the link of `%s`", t,
		    oif ? oif->name : "?");
	}

	/* Forwarding and NAT matter only for packets that leave the host. */
	if (c->addr && ctr_cidr_contains(&c->subnet, to->addr))
		local = "is on the namespace's own subnet";
	else if (is_host_address(f, to->addr))
		local = "is an address of the host itself";
	if (local) {
		set(v, CTR_NET_CHECK_IP_FORWARD, CTR_NET_NA, "%s %s: no forwarding needed", t,
		    local);
		set(v, CTR_NET_CHECK_NAT, CTR_NET_NA, "%s %s: no NAT needed", t, local);
		return;
	}

	if (f->ip_forward < 0)
		set(v, CTR_NET_CHECK_IP_FORWARD, CTR_NET_NA,
		    "not checked: net.ipv4.ip_forward could not be read");
	else if (f->ip_forward == 1)
		set(v, CTR_NET_CHECK_IP_FORWARD, CTR_NET_OK,
		    "ip_forward is 1 in the host namespace");
	else
		set(v, CTR_NET_CHECK_IP_FORWARD, CTR_NET_MISSING,
		    "ip_forward is %d in the host namespace", f->ip_forward);

	if (!c->addr) {
		set(v, CTR_NET_CHECK_NAT, CTR_NET_NA, "not checked: `%s` has no IPv4 address",
		    c->veth ? c->veth->name : "the veth end");
		return;
	}
	if (!f->nat_known) {
		set(v, CTR_NET_CHECK_NAT, CTR_NET_NA,
		    "not checked: the nft tables could not be listed");
		return;
	}
	for (size_t i = 0; i < f->n_nats; i++) {
		const struct ctr_net_nat *n = &f->nats[i];

		if (n->masquerade && n->has_subnet && n->subnet.prefix <= c->subnet.prefix &&
		    ctr_cidr_contains(&n->subnet, c->subnet.addr)) {
			set(v, CTR_NET_CHECK_NAT, CTR_NET_OK, "`%s` masquerades %s", n->table,
			    ctr_cidr_format(&n->subnet, true, a));
			return;
		}
	}
	set(v, CTR_NET_CHECK_NAT, CTR_NET_MISSING, "no isolab NAT rule masquerades %s",
	    c->subnet_s);
	/* Name the tables that exist, the usual mistake being a --subnet typo. */
	msg = v->checks[CTR_NET_CHECK_NAT].msg;
	for (size_t i = 0; i < f->n_nats; i++) {
		const struct ctr_net_nat *n = &f->nats[i];
		size_t off = strlen(msg);

		if (!n->masquerade || !n->has_subnet)
			continue;
		snprintf(msg + off, CTR_NET_CHECK_MSG_MAX - off, "%s`%s` masquerades %s",
			 shown++ ? ", " : "; ", n->table, ctr_cidr_format(&n->subnet, true, a));
	}
}

int ctr_net_diagnose(const struct ctr_net_facts *f, const struct ctr_cidr *to,
		     struct ctr_net_verdict *out)
{
	struct ctr_net_verdict *v = out;
	struct chain c = { 0 };
	const struct ctr_net_link *lo = NULL;
	char why[CTR_NET_CHECK_MSG_MAX], a[CTR_CIDR_STRLEN];

	memset(v, 0, sizeof(*v));
	v->n = to ? CTR_NET_CHECK_COUNT : CTR_NET_CHECK_ROUTE_TO;
	v->first_missing = -1;
	for (unsigned id = 0; id < CTR_NET_CHECK_COUNT; id++) {
		v->checks[id].id = id;
		v->checks[id].label = labels[id];
		v->checks[id].state = CTR_NET_NA;
	}

	if (!f->mounted) {
		set(v, CTR_NET_CHECK_MOUNTED, CTR_NET_MISSING,
		    "namespace `%s` is not mounted (its file is not an nsfs bind mount)", f->name);
		snprintf(why, sizeof(why), "namespace `%s` is not mounted", f->name);
		skip(v, CTR_NET_CHECK_LO_UP, CTR_NET_CHECK_COUNT, why);
		goto done;
	}
	set(v, CTR_NET_CHECK_MOUNTED, CTR_NET_OK, "namespace `%s` is mounted", f->name);

	for (size_t i = 0; i < f->n_links[CTR_NET_NS] && !lo; i++)
		if (f->links[CTR_NET_NS][i].kind == CTR_NET_LINK_LOOPBACK ||
		    !strcmp(f->links[CTR_NET_NS][i].name, "lo"))
			lo = &f->links[CTR_NET_NS][i];
	if (!lo)
		set(v, CTR_NET_CHECK_LO_UP, CTR_NET_MISSING, "namespace `%s` has no `lo`", f->name);
	else if (!lo->up)
		set(v, CTR_NET_CHECK_LO_UP, CTR_NET_MISSING, "`%s` is down in namespace `%s`",
		    lo->name, f->name);
	else
		set(v, CTR_NET_CHECK_LO_UP, CTR_NET_OK, "`%s` is up in namespace `%s`", lo->name,
		    f->name);

	c.veth = pick_ns_veth(f);
	if (!c.veth) {
		set(v, CTR_NET_CHECK_NS_VETH, CTR_NET_MISSING, "namespace `%s` has no veth end",
		    f->name);
		snprintf(why, sizeof(why), "namespace `%s` has no veth end", f->name);
		skip(v, CTR_NET_CHECK_NS_VETH_UP, CTR_NET_CHECK_COUNT, why);
		goto done;
	}
	set(v, CTR_NET_CHECK_NS_VETH, CTR_NET_OK, "`%s` is a veth end in namespace `%s`",
	    c.veth->name, f->name);
	if (c.veth->up)
		set(v, CTR_NET_CHECK_NS_VETH_UP, CTR_NET_OK, "`%s` is up in namespace `%s`",
		    c.veth->name, f->name);
	else
		set(v, CTR_NET_CHECK_NS_VETH_UP, CTR_NET_MISSING, "`%s` is down in namespace `%s`",
		    c.veth->name, f->name);
	if (c.veth->n_addrs) {
		c.addr = &c.veth->addrs[0];
		c.subnet.addr = ctr_cidr_network(c.addr);
		c.subnet.prefix = c.addr->prefix;
		ctr_cidr_format(&c.subnet, true, c.subnet_s);
		set(v, CTR_NET_CHECK_NS_ADDR, CTR_NET_OK, "`%s` has %s", c.veth->name,
		    ctr_cidr_format(c.addr, true, a));
	} else {
		set(v, CTR_NET_CHECK_NS_ADDR, CTR_NET_MISSING,
		    "`%s` in namespace `%s` has no IPv4 address", c.veth->name, f->name);
	}

	/* Both ends name each other: a stale ifindex could belong to another link by now. */
	c.host = c.veth->peer_elsewhere ? find_link(f, CTR_NET_HOST, c.veth->peer) : NULL;
	if (c.host && (c.host->kind != CTR_NET_LINK_VETH || c.host->peer != c.veth->ifindex ||
		       !c.host->peer_elsewhere))
		c.host = NULL;
	if (!c.host) {
		if (!c.veth->peer_elsewhere)
			set(v, CTR_NET_CHECK_HOST_PEER, CTR_NET_MISSING,
			    "the peer of `%s` is inside namespace `%s` too, not on the host",
			    c.veth->name, f->name);
		else
			set(v, CTR_NET_CHECK_HOST_PEER, CTR_NET_MISSING,
			    "the host end of `%s` is not in the host namespace (it is in another "
			    "namespace)",
			    c.veth->name);
		snprintf(why, sizeof(why), "`%s` has no host end", c.veth->name);
		skip(v, CTR_NET_CHECK_ENSLAVED, CTR_NET_CHECK_ROUTE_TO, why);
	} else {
		set(v, CTR_NET_CHECK_HOST_PEER, CTR_NET_OK, "host end `%s` is the peer of `%s`",
		    c.host->name, c.veth->name);
		if (c.host->up)
			set(v, CTR_NET_CHECK_HOST_UP, CTR_NET_OK, "host end `%s` is up",
			    c.host->name);
		else
			set(v, CTR_NET_CHECK_HOST_UP, CTR_NET_MISSING, "host end `%s` is down",
			    c.host->name);
		check_enslaved(f, &c, v);
		check_gateway(f, &c, v);
		check_default_route(f, &c, v);
	}
	if (to)
		check_beyond(f, &c, to, v);

done:
	for (size_t i = 0; i < v->n; i++) {
		if (v->checks[i].state == CTR_NET_MISSING) {
			v->first_missing = (int)i;
			return 1;
		}
	}
	return 0;
}
