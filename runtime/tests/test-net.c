// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel-free part of contain's networking: IPv4 and CIDR parsing, the
 * namespace and interface name checks, the names of veth host ends, and the
 * logic of `contain net diagnose` on synthetic link tables.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain-cli.h"
#include "ctr-net-addr.h"
#include "ctr-net-diagnose.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* ---- addresses ---------------------------------------------------------- */

START_TEST(cidr_parses_good_input)
{
	struct ctr_error e = { 0 };
	struct ctr_cidr c;
	char buf[CTR_CIDR_STRLEN];

	ck_assert_int_eq(ctr_cidr_parse("10.1.0.2/24", "--addr", false, &c, &e), 0);
	ck_assert_uint_eq(c.addr, IP(10, 1, 0, 2));
	ck_assert_uint_eq(c.prefix, 24);
	ck_assert_str_eq(ctr_cidr_format(&c, true, buf), "10.1.0.2/24");
	ck_assert_str_eq(ctr_cidr_format(&c, false, buf), "10.1.0.2");
	ck_assert_uint_eq(ctr_cidr_network(&c), IP(10, 1, 0, 0));

	ck_assert_int_eq(ctr_cidr_parse("0.0.0.0/0", "--subnet", true, &c, &e), 0);
	ck_assert_uint_eq(c.addr, 0);
	ck_assert_uint_eq(c.prefix, 0);
	ck_assert_int_eq(ctr_cidr_parse("255.255.255.255/32", "--addr", true, &c, &e), 0);
	ck_assert_str_eq(ctr_cidr_format(&c, true, buf), "255.255.255.255/32");
	ck_assert_uint_eq(strlen(buf) + 1, CTR_CIDR_STRLEN);
	ck_assert_int_eq(ctr_cidr_parse("10.0.0.0/8", "--subnet", true, &c, &e), 0);
	ck_assert_int_eq(ctr_cidr_parse("0.1.2.3/31", "--addr", false, &c, &e), 0);
}
END_TEST

static void expect_bad_cidr(const char *s, bool host_bits_zero, const char *needle)
{
	struct ctr_error e = { 0 };
	struct ctr_cidr c = { 0xdeadbeef, 7 };

	ck_assert_msg(ctr_cidr_parse(s, "--addr", host_bits_zero, &c, &e) == -EINVAL,
		      "\"%s\" was accepted", s);
	ck_assert_int_eq(e.kind, CTR_ERROR_USAGE);
	ck_assert_msg(strstr(e.msg, "--addr"), "message does not name the option: %s", e.msg);
	ck_assert_msg(strstr(e.msg, needle), "\"%s\": message \"%s\" lacks \"%s\"", s, e.msg,
		      needle);
	/* An output parameter stays untouched on failure. */
	ck_assert_uint_eq(c.addr, 0xdeadbeef);
	ck_assert_uint_eq(c.prefix, 7);
}

START_TEST(cidr_rejects_bad_input)
{
	expect_bad_cidr("10.0.0.1/33", false, "prefix length");
	expect_bad_cidr("10.0.0.256/24", false, "octet 4");
	expect_bad_cidr("01.2.3.4/8", false, "leading zeros");
	expect_bad_cidr("10.0.0.1", false, "missing /PREFIX");
	expect_bad_cidr("10.0.0.1/24x", false, "unexpected \"x\"");
	expect_bad_cidr("::1/64", false, "IPv6 is not supported");
	expect_bad_cidr("", false, "empty");
	expect_bad_cidr("10.0.0/24", false, "4 dotted octets");
	expect_bad_cidr("10.0.0.0.1/24", false, "/PREFIX");
	expect_bad_cidr("10.0.0.1/", false, "prefix length");
	expect_bad_cidr("10.0.0.1/024", false, "prefix length");
	expect_bad_cidr("10.0.0.1/-1", false, "prefix length");
	expect_bad_cidr(" 10.0.0.1/24", false, "octet 1");
	expect_bad_cidr("10.0.0.1/24 ", false, "unexpected");
	expect_bad_cidr("10..0.1/24", false, "octet 2");
	expect_bad_cidr("+10.0.0.1/24", false, "octet 1");
	expect_bad_cidr("1000.0.0.1/24", false, "octet 1");
	expect_bad_cidr("0x0a.0.0.1/24", false, "4 dotted octets");
	expect_bad_cidr("10.1.0.1/24", true, "host bits are set (the network is 10.1.0.0/24)");
	expect_bad_cidr("10.1.0.129/25", true, "host bits");
	expect_bad_cidr("0.0.0.1/0", true, "host bits");
}
END_TEST

START_TEST(bare_ip_parses)
{
	struct ctr_error e = { 0 };
	struct ctr_cidr c;

	ck_assert_int_eq(ctr_ip_parse("10.1.0.1", "--gateway", &c, &e), 0);
	ck_assert_uint_eq(c.addr, IP(10, 1, 0, 1));
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert_int_eq(ctr_ip_parse("10.1.0.1/24", "--gateway", &c, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "--gateway"));
	ck_assert_int_eq(ctr_ip_parse("10.1.0.01", "--to", &c, &e), -EINVAL);
	ck_assert_int_eq(ctr_ip_parse("", "--to", &c, &e), -EINVAL);
	ck_assert_int_eq(ctr_ip_parse("fe80::1", "--to", &c, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "IPv6"));
}
END_TEST

START_TEST(cidr_contains)
{
	struct ctr_cidr net = { IP(10, 1, 0, 7), 24 };
	struct ctr_cidr all = { IP(1, 2, 3, 4), 0 };
	struct ctr_cidr host = { IP(10, 1, 0, 7), 32 };

	ck_assert(ctr_cidr_contains(&net, IP(10, 1, 0, 0)));
	ck_assert(ctr_cidr_contains(&net, IP(10, 1, 0, 255)));
	ck_assert(!ctr_cidr_contains(&net, IP(10, 1, 1, 0)));
	ck_assert(ctr_cidr_contains(&all, IP(203, 0, 113, 10)));
	ck_assert(ctr_cidr_contains(&host, IP(10, 1, 0, 7)));
	ck_assert(!ctr_cidr_contains(&host, IP(10, 1, 0, 6)));
	ck_assert_uint_eq(ctr_cidr_network(&all), 0);
	ck_assert_uint_eq(ctr_cidr_network(&host), IP(10, 1, 0, 7));
}
END_TEST

/* ---- names -------------------------------------------------------------- */

START_TEST(netns_names)
{
	struct ctr_error e = { 0 };
	char long63[64], long64[65];

	memset(long63, 'a', 63);
	long63[63] = '\0';
	memset(long64, 'a', 64);
	long64[64] = '\0';
	ck_assert_int_eq(ctr_netns_name_check("net3", &e), 0);
	ck_assert_int_eq(ctr_netns_name_check("a_b.c-D9", &e), 0);
	ck_assert_int_eq(ctr_netns_name_check(long63, &e), 0);
	ck_assert_int_eq(ctr_netns_name_check("0", &e), 0);

	ck_assert_int_eq(ctr_netns_name_check(long64, &e), -EINVAL);
	ck_assert_int_eq(e.kind, CTR_ERROR_USAGE);
	ck_assert_int_eq(ctr_netns_name_check("", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check(".", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check("..", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check(".hidden", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check("-x", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check("a/b", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check("a b", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check("a:b", &e), -EINVAL);
	ck_assert_int_eq(ctr_netns_name_check("n\xc3\xa9t", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "n\xc3\xa9t"));
}
END_TEST

START_TEST(ifnames_follow_dev_valid_name)
{
	struct ctr_error e = { 0 };

	ck_assert_int_eq(ctr_ifname_check("eth0", "BR", &e), 0);
	ck_assert_int_eq(ctr_ifname_check("abcdefghijklmno", "BR", &e), 0); /* 15 bytes */
	ck_assert_int_eq(ctr_ifname_check("a.b-c_d@e", "BR", &e), 0);
	ck_assert_int_eq(ctr_ifname_check("...", "BR", &e), 0);

	ck_assert_int_eq(ctr_ifname_check("abcdefghijklmnop", "BR", &e), -EINVAL); /* 16 */
	ck_assert_ptr_nonnull(strstr(e.msg, "BR"));
	ck_assert_int_eq(ctr_ifname_check("", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check(".", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check("..", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check("br/0", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check("br:0", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check("br 0", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check("br\t0", "BR", &e), -EINVAL);
	ck_assert_int_eq(ctr_ifname_check("br0\n", "BR", &e), -EINVAL);
}
END_TEST

START_TEST(veth_host_names)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	ctr_veth_host_name("net3", 0, a);
	ck_assert_str_eq(a, "ve-net3");
	ctr_veth_host_name("net3", 1, a);
	ck_assert_str_eq(a, "ve-net3-1");
	ctr_veth_host_name("abcdefghijkl", 0, a); /* exactly fits */
	ck_assert_str_eq(a, "ve-abcdefghijkl");

	/* Too long: a prefix and a hash of the whole name. */
	ctr_veth_host_name("abcdefghijklm", 0, a);
	ck_assert_uint_eq(strlen(a), IFNAMSIZ - 1);
	ck_assert_int_eq(strncmp(a, "ve-abcdefg-", 11), 0);
	ctr_veth_host_name("abcdefghijklm", 0, b);
	ck_assert_str_eq(a, b);

	/* The hash is FNV-1a, fixed: a name must not move between builds. */
	ctr_veth_host_name("container-0001", 0, a);
	ctr_veth_host_name("container-0002", 0, b);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a, "ve-contain-", 11), 0);
	ck_assert_str_eq(a, "ve-contain-ff93");

	/* Indexes of one namespace differ, long name or short. */
	ctr_veth_host_name("container-0001", 1, a);
	ctr_veth_host_name("container-0001", 2, b);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strlen(a), IFNAMSIZ - 1);
	ck_assert_str_eq(a + strlen(a) - 2, "-1");
	ctr_veth_host_name("abcdefghijkl", 1, a);
	ctr_veth_host_name("abcdefghijkl", 0, b);
	ck_assert_str_ne(a, b);
	ck_assert_uint_le(strlen(a), IFNAMSIZ - 1);

	/* A huge index still gives a valid name. */
	ctr_veth_host_name("abcdefghijkl", 4000000000u, a);
	ck_assert_uint_le(strlen(a), IFNAMSIZ - 1);
	ctr_veth_host_name("a", 4000000000u, a);
	ck_assert_str_eq(a, "ve-a-4000000000");
}
END_TEST

static int cmp_name(const void *x, const void *y)
{
	return strcmp(x, y);
}

/* Counts names equal to their predecessor in a sorted array of n names. */
static unsigned count_collisions(char (*names)[IFNAMSIZ], size_t n)
{
	unsigned dup = 0;

	qsort(names, n, IFNAMSIZ, cmp_name);
	for (size_t i = 1; i < n; i++)
		dup += !strcmp(names[i - 1], names[i]);
	return dup;
}

START_TEST(veth_host_names_brute_force)
{
	static const char charset[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";
	enum { N = 4000 };
	char(*names)[IFNAMSIZ] = calloc(N, IFNAMSIZ);
	struct ctr_error e = { 0 };
	uint32_t seed = 12345;
	unsigned dup;

	ck_assert_ptr_nonnull(names);

	/* Random valid namespace names of every length: every result is a valid ifname. */
	for (int i = 0; i < N; i++) {
		char ns[64];
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % 63;
		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			ns[j] = charset[(seed >> 16) % (sizeof(charset) - 1)];
		}
		ns[0] = 'n';
		ns[len] = '\0';
		ck_assert_int_eq(ctr_netns_name_check(ns, &e), 0);
		ctr_veth_host_name(ns, (unsigned)(i % 3), names[i]);
		ck_assert_msg(ctr_ifname_check(names[i], "host end", &e) == 0, "%s -> %s: %s", ns,
			      names[i], e.msg);
		ck_assert_int_eq(strncmp(names[i], "ve-", 3), 0);
	}

	/*
	 * Long names sharing a prefix, as a script numbering its containers
	 * makes them: only the 16-bit hash tells them apart, so a birthday
	 * collision is expected about n^2/2^17 times: 7.6 for 1000 names (this
	 * hash gives 12), 122 for 4000. Twice the expectation would mean a
	 * badly mixing hash.
	 */
	for (int i = 0; i < 1000; i++) {
		char ns[64];

		snprintf(ns, sizeof(ns), "container-%05d", i);
		ctr_veth_host_name(ns, 0, names[i]);
	}
	dup = count_collisions(names, 1000);
	ck_assert_msg(dup <= 16, "%u collisions among 1000 names", dup);
	for (int i = 0; i < N; i++) {
		char ns[64];

		snprintf(ns, sizeof(ns), "container-%05d", i);
		ctr_veth_host_name(ns, 0, names[i]);
	}
	dup = count_collisions(names, N);
	ck_assert_msg(dup <= 244, "%u collisions among %d names", dup, N);

	/* Short names never collide: they are kept whole. */
	for (int i = 0; i < N; i++) {
		char ns[64];

		snprintf(ns, sizeof(ns), "c%d", i);
		ctr_veth_host_name(ns, 0, names[i]);
	}
	ck_assert_uint_eq(count_collisions(names, N), 0);
	free(names);
}
END_TEST

/* ---- diagnose ----------------------------------------------------------- */

static struct ctr_net_link *add_link(struct ctr_net_facts *f, enum ctr_net_side side, int ifindex,
				     const char *name, enum ctr_net_link_kind kind, bool up)
{
	struct ctr_net_link *l = ctr_net_facts_add_link(f, side);

	ck_assert_ptr_nonnull(l);
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->kind = kind;
	l->up = up;
	return l;
}

static void add_addr(struct ctr_net_link *l, uint32_t addr, unsigned prefix)
{
	struct ctr_cidr c = { addr, prefix };

	ck_assert_int_eq(ctr_net_link_add_addr(l, &c), 0);
}

static void add_route(struct ctr_net_facts *f, uint32_t dst, unsigned prefix, uint32_t gw, int oif)
{
	struct ctr_net_route *r = ctr_net_facts_add_route(f);

	ck_assert_ptr_nonnull(r);
	r->dst.addr = dst;
	r->dst.prefix = prefix;
	r->gateway = gw;
	r->oif = oif;
}

static void add_nat(struct ctr_net_facts *f, const char *table, uint32_t net, unsigned prefix,
		    const char *oif)
{
	struct ctr_net_nat *n = ctr_net_facts_add_nat(f);

	ck_assert_ptr_nonnull(n);
	snprintf(n->table, sizeof(n->table), "%s", table);
	n->masquerade = true;
	n->has_subnet = true;
	n->subnet.addr = net;
	n->subnet.prefix = prefix;
	snprintf(n->oifname_not, sizeof(n->oifname_not), "%s", oif);
}

static struct ctr_net_link *link_named(struct ctr_net_facts *f, enum ctr_net_side side,
				       const char *name)
{
	for (size_t i = 0; i < f->n_links[side]; i++)
		if (!strcmp(f->links[side][i].name, name))
			return &f->links[side][i];
	ck_abort_msg("no link %s", name);
	return NULL;
}

/*
 * net3 on bridge br0 (10.1.0.1/24) through ve-net3/eth0, default route via
 * the bridge, forwarding on and NAT for 10.1.0.0/24: what `contain net
 * create`, `bridge`, `attach --gateway` and `nat` leave behind.
 */
static void healthy(struct ctr_net_facts *f)
{
	struct ctr_net_link *l;

	ctr_net_facts_init(f, "net3");
	f->mounted = true;
	add_link(f, CTR_NET_NS, 1, "lo", CTR_NET_LINK_LOOPBACK, true);
	l = add_link(f, CTR_NET_NS, 2, "eth0", CTR_NET_LINK_VETH, true);
	l->peer = 12;
	l->peer_elsewhere = true;
	add_addr(l, IP(10, 1, 0, 3), 24);
	add_route(f, IP(10, 1, 0, 0), 24, 0, 2);
	add_route(f, 0, 0, IP(10, 1, 0, 1), 2);

	add_link(f, CTR_NET_HOST, 1, "lo", CTR_NET_LINK_LOOPBACK, true);
	l = add_link(f, CTR_NET_HOST, 2, "up0", CTR_NET_LINK_VETH, true);
	l->peer = 2;
	l->peer_elsewhere = true;
	add_addr(l, IP(203, 0, 113, 1), 24);
	l = add_link(f, CTR_NET_HOST, 5, "br0", CTR_NET_LINK_BRIDGE, true);
	add_addr(l, IP(10, 1, 0, 1), 24);
	l = add_link(f, CTR_NET_HOST, 6, "br1", CTR_NET_LINK_BRIDGE, true);
	add_addr(l, IP(10, 2, 0, 1), 24);
	l = add_link(f, CTR_NET_HOST, 12, "ve-net3", CTR_NET_LINK_VETH, true);
	l->master = 5;
	l->peer = 2;
	l->peer_elsewhere = true;

	f->ip_forward = 1;
	f->nat_known = true;
	add_nat(f, "isolab-nat-br0", IP(10, 1, 0, 0), 24, "br0");
}

static const struct ctr_cidr upstream = { IP(203, 0, 113, 10), 32 };

/* Runs the diagnosis and checks that `first` is the first missing step, with msg. */
static void expect_first(const struct ctr_net_facts *f, const struct ctr_cidr *to,
			 enum ctr_net_check_id first, const char *msg)
{
	struct ctr_net_verdict v;
	int r = ctr_net_diagnose(f, to, &v);

	ck_assert_int_eq(r, 1);
	ck_assert_msg(v.first_missing == (int)first, "first missing is %d (%s: %s), want %d",
		      v.first_missing, v.first_missing >= 0 ? v.checks[v.first_missing].label : "",
		      v.first_missing >= 0 ? v.checks[v.first_missing].msg : "", first);
	ck_assert_int_eq(v.checks[first].state, CTR_NET_MISSING);
	ck_assert_str_eq(v.checks[first].msg, msg);
	for (int i = 0; i < (int)first; i++)
		ck_assert_msg(v.checks[i].state != CTR_NET_MISSING, "%s", v.checks[i].label);
}

static void expect_state(const struct ctr_net_verdict *v, enum ctr_net_check_id id,
			 enum ctr_net_check_state state)
{
	ck_assert_msg(v->checks[id].state == state, "%s is %s (%s), want %s", v->checks[id].label,
		      ctr_net_check_state_name(v->checks[id].state), v->checks[id].msg,
		      ctr_net_check_state_name(state));
}

START_TEST(diagnose_healthy_bridge)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	ck_assert_int_eq(ctr_net_diagnose(&f, NULL, &v), 0);
	ck_assert_int_eq(v.first_missing, -1);
	ck_assert_uint_eq(v.n, CTR_NET_CHECK_ROUTE_TO);
	for (size_t i = 0; i < v.n; i++) {
		ck_assert_int_eq(v.checks[i].id, (int)i);
		ck_assert_ptr_nonnull(v.checks[i].label);
		expect_state(&v, i, CTR_NET_OK);
	}
	ck_assert_str_eq(v.checks[CTR_NET_CHECK_ENSLAVED].msg,
			 "host end `ve-net3` is attached to bridge `br0`");
	ck_assert_str_eq(v.checks[CTR_NET_CHECK_GATEWAY_ADDR].msg,
			 "bridge `br0` has 10.1.0.1/24, the gateway of `net3`");

	ck_assert_int_eq(ctr_net_diagnose(&f, &upstream, &v), 0);
	ck_assert_uint_eq(v.n, CTR_NET_CHECK_COUNT);
	for (size_t i = 0; i < v.n; i++)
		expect_state(&v, i, CTR_NET_OK);
	ck_assert_str_eq(v.checks[CTR_NET_CHECK_NAT].msg,
			 "`isolab-nat-br0` masquerades 10.1.0.0/24");
	ck_assert_str_eq(ctr_net_check_state_name(CTR_NET_OK), "ok");
	ck_assert_str_eq(ctr_net_check_state_name(CTR_NET_MISSING), "MISSING");
	ck_assert_str_eq(ctr_net_check_state_name(CTR_NET_NA), "n/a");
	ctr_net_facts_free(&f);
	ctr_net_facts_free(&f);
	ctr_net_facts_free(NULL);
}
END_TEST

START_TEST(diagnose_not_mounted)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	f.mounted = false;
	expect_first(&f, &upstream, CTR_NET_CHECK_MOUNTED,
		     "namespace `net3` is not mounted (its file is not an nsfs bind mount)");
	ctr_net_diagnose(&f, &upstream, &v);
	for (size_t i = 1; i < v.n; i++)
		expect_state(&v, i, CTR_NET_NA);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_lo_down)
{
	struct ctr_net_facts f;

	healthy(&f);
	link_named(&f, CTR_NET_NS, "lo")->up = false;
	expect_first(&f, NULL, CTR_NET_CHECK_LO_UP, "`lo` is down in namespace `net3`");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_no_veth)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	f.n_links[CTR_NET_NS] = 1; /* lo only, as `contain net create` leaves it */
	f.n_routes = 0;
	expect_first(&f, &upstream, CTR_NET_CHECK_NS_VETH, "namespace `net3` has no veth end");
	ctr_net_diagnose(&f, &upstream, &v);
	for (size_t i = CTR_NET_CHECK_NS_VETH_UP; i < v.n; i++)
		expect_state(&v, i, CTR_NET_NA);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_ns_end_down)
{
	struct ctr_net_facts f;

	healthy(&f);
	link_named(&f, CTR_NET_NS, "eth0")->up = false;
	expect_first(&f, NULL, CTR_NET_CHECK_NS_VETH_UP, "`eth0` is down in namespace `net3`");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_no_address)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	link_named(&f, CTR_NET_NS, "eth0")->n_addrs = 0;
	f.n_routes = 0;
	expect_first(&f, NULL, CTR_NET_CHECK_NS_ADDR,
		     "`eth0` in namespace `net3` has no IPv4 address");
	ctr_net_diagnose(&f, NULL, &v);
	expect_state(&v, CTR_NET_CHECK_HOST_PEER, CTR_NET_OK);
	expect_state(&v, CTR_NET_CHECK_ENSLAVED, CTR_NET_OK);
	expect_state(&v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_NA);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_host_end_missing)
{
	struct ctr_net_facts f;

	healthy(&f);
	/* ifindex 12 now names a link that is not eth0's peer */
	link_named(&f, CTR_NET_HOST, "ve-net3")->peer = 99;
	expect_first(&f, NULL, CTR_NET_CHECK_HOST_PEER,
		     "the host end of `eth0` is not in the host namespace (it is in another "
		     "namespace)");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_host_end_down)
{
	struct ctr_net_facts f;

	healthy(&f);
	link_named(&f, CTR_NET_HOST, "ve-net3")->up = false;
	expect_first(&f, NULL, CTR_NET_CHECK_HOST_UP, "host end `ve-net3` is down");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_host_end_not_enslaved)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	link_named(&f, CTR_NET_HOST, "ve-net3")->master = 0;
	expect_first(&f, NULL, CTR_NET_CHECK_ENSLAVED,
		     "host end `ve-net3` is not attached to bridge `br0`");
	/* The bridge the subnet belongs to is still checked. */
	ctr_net_diagnose(&f, NULL, &v);
	expect_state(&v, CTR_NET_CHECK_BRIDGE_UP, CTR_NET_OK);
	expect_state(&v, CTR_NET_CHECK_GATEWAY_ADDR, CTR_NET_OK);
	expect_state(&v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_OK);

	/* The seed's broken net3: never enslaved nor brought up; attaching comes first. */
	link_named(&f, CTR_NET_HOST, "ve-net3")->up = false;
	expect_first(&f, NULL, CTR_NET_CHECK_ENSLAVED,
		     "host end `ve-net3` is not attached to bridge `br0`");
	ctr_net_diagnose(&f, NULL, &v);
	expect_state(&v, CTR_NET_CHECK_HOST_UP, CTR_NET_MISSING);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_host_end_on_wrong_bridge)
{
	struct ctr_net_facts f;

	healthy(&f);
	link_named(&f, CTR_NET_HOST, "ve-net3")->master = 6;
	expect_first(&f, NULL, CTR_NET_CHECK_ENSLAVED,
		     "host end `ve-net3` is attached to bridge `br1`, but the bridge with an "
		     "address in 10.1.0.0/24 is `br0`");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_bridge_down)
{
	struct ctr_net_facts f;

	healthy(&f);
	link_named(&f, CTR_NET_HOST, "br0")->up = false;
	expect_first(&f, NULL, CTR_NET_CHECK_BRIDGE_UP, "bridge `br0` is down");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_bridge_without_gateway)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	link_named(&f, CTR_NET_HOST, "br0")->n_addrs = 0;
	expect_first(&f, NULL, CTR_NET_CHECK_GATEWAY_ADDR,
		     "bridge `br0` has no address in 10.1.0.0/24 to serve as the gateway");
	ctr_net_diagnose(&f, NULL, &v);
	expect_state(&v, CTR_NET_CHECK_ENSLAVED, CTR_NET_OK);
	expect_state(&v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_NA);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_wrong_default_gateway)
{
	struct ctr_net_facts f;

	healthy(&f);
	f.routes[1].gateway = IP(10, 1, 0, 254);
	expect_first(&f, NULL, CTR_NET_CHECK_DEFAULT_ROUTE,
		     "the default route of namespace `net3` goes via 10.1.0.254, not the gateway "
		     "10.1.0.1");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_no_route_to_target)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	f.n_routes = 1; /* the subnet's route only: no --gateway */
	/* Without --to a missing default route is no fault... */
	ck_assert_int_eq(ctr_net_diagnose(&f, NULL, &v), 0);
	expect_state(&v, CTR_NET_CHECK_DEFAULT_ROUTE, CTR_NET_NA);
	/* ...with one beyond the host it is. */
	expect_first(&f, &upstream, CTR_NET_CHECK_ROUTE_TO,
		     "namespace `net3` has no default route to reach 203.0.113.10");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_forwarding_off)
{
	struct ctr_net_facts f;

	healthy(&f);
	f.ip_forward = 0;
	expect_first(&f, &upstream, CTR_NET_CHECK_IP_FORWARD,
		     "ip_forward is 0 in the host namespace");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_nat_missing)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	f.n_nats = 0;
	expect_first(&f, &upstream, CTR_NET_CHECK_NAT,
		     "no isolab NAT rule masquerades 10.1.0.0/24");

	/* Unknown (no libnftables) is not a fault. */
	f.nat_known = false;
	ck_assert_int_eq(ctr_net_diagnose(&f, &upstream, &v), 0);
	expect_state(&v, CTR_NET_CHECK_NAT, CTR_NET_NA);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_nat_for_another_subnet)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;

	healthy(&f);
	f.nats[0].subnet.addr = IP(10, 2, 0, 0);
	snprintf(f.nats[0].table, sizeof(f.nats[0].table), "isolab-nat-br1");
	expect_first(&f, &upstream, CTR_NET_CHECK_NAT,
		     "no isolab NAT rule masquerades 10.1.0.0/24; `isolab-nat-br1` masquerades "
		     "10.2.0.0/24");

	/* A wider subnet covers it; a narrower one does not. */
	f.nats[0].subnet.addr = IP(10, 0, 0, 0);
	f.nats[0].subnet.prefix = 8;
	ck_assert_int_eq(ctr_net_diagnose(&f, &upstream, &v), 0);
	f.nats[0].subnet.addr = IP(10, 1, 0, 0);
	f.nats[0].subnet.prefix = 25;
	ck_assert_int_eq(ctr_net_diagnose(&f, &upstream, &v), 1);
	ck_assert_int_eq(v.first_missing, CTR_NET_CHECK_NAT);
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(diagnose_target_on_the_host)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;
	struct ctr_cidr gw = { IP(10, 1, 0, 1), 32 }, peer = { IP(10, 1, 0, 9), 32 };

	healthy(&f);
	f.ip_forward = 0;
	f.n_nats = 0;
	/* The gateway and a neighbour need neither forwarding nor NAT. */
	ck_assert_int_eq(ctr_net_diagnose(&f, &gw, &v), 0);
	expect_state(&v, CTR_NET_CHECK_ROUTE_TO, CTR_NET_OK);
	expect_state(&v, CTR_NET_CHECK_IP_FORWARD, CTR_NET_NA);
	expect_state(&v, CTR_NET_CHECK_NAT, CTR_NET_NA);
	ck_assert_int_eq(ctr_net_diagnose(&f, &peer, &v), 0);
	ctr_net_facts_free(&f);
}
END_TEST

/* `contain net veth p2p --addr 10.9.0.2/30 --peer-addr 10.9.0.1/30`: no bridge. */
START_TEST(diagnose_point_to_point)
{
	struct ctr_net_facts f;
	struct ctr_net_verdict v;
	struct ctr_net_link *l;

	ctr_net_facts_init(&f, "p2p");
	f.mounted = true;
	add_link(&f, CTR_NET_NS, 1, "lo", CTR_NET_LINK_LOOPBACK, true);
	l = add_link(&f, CTR_NET_NS, 4, "eth0", CTR_NET_LINK_VETH, true);
	l->peer = 30;
	l->peer_elsewhere = true;
	add_addr(l, IP(10, 9, 0, 2), 30);
	add_route(&f, IP(10, 9, 0, 0), 30, 0, 4);
	add_route(&f, 0, 0, IP(10, 9, 0, 1), 4);
	add_link(&f, CTR_NET_HOST, 1, "lo", CTR_NET_LINK_LOOPBACK, true);
	l = add_link(&f, CTR_NET_HOST, 30, "ve-p2p", CTR_NET_LINK_VETH, true);
	l->peer = 4;
	l->peer_elsewhere = true;
	add_addr(l, IP(10, 9, 0, 1), 30);

	ck_assert_int_eq(ctr_net_diagnose(&f, NULL, &v), 0);
	for (size_t i = 0; i < v.n; i++)
		expect_state(&v, i,
			     i == CTR_NET_CHECK_ENSLAVED || i == CTR_NET_CHECK_BRIDGE_UP ?
				     CTR_NET_NA :
				     CTR_NET_OK);
	ck_assert_str_eq(v.checks[CTR_NET_CHECK_GATEWAY_ADDR].msg,
			 "host end `ve-p2p` has 10.9.0.1/30, the gateway of `p2p`");

	/* The host end down is still named. */
	l->up = false;
	expect_first(&f, NULL, CTR_NET_CHECK_HOST_UP, "host end `ve-p2p` is down");
	l->up = true;
	/* A host end with an address in another subnet is neither p2p nor bridged. */
	l->addrs[0].addr = IP(10, 8, 0, 1);
	expect_first(&f, NULL, CTR_NET_CHECK_ENSLAVED,
		     "host end `ve-p2p` is not attached to any bridge, and its address "
		     "10.8.0.1/30 is not in 10.9.0.0/30");
	ctr_net_facts_free(&f);
}
END_TEST

START_TEST(link_addresses_are_bounded)
{
	struct ctr_net_link l = { 0 };
	struct ctr_cidr c = { IP(10, 0, 0, 1), 8 };

	for (int i = 0; i < CTR_NET_LINK_ADDRS_MAX; i++)
		ck_assert_int_eq(ctr_net_link_add_addr(&l, &c), 0);
	ck_assert_int_eq(ctr_net_link_add_addr(&l, &c), -ENOSPC);
	ck_assert_uint_eq(l.n_addrs, CTR_NET_LINK_ADDRS_MAX);
}
END_TEST

/* ---- the `contain net` command line ---------------------------------------- */

static int net_parse(struct cli_net_opts *o, struct ctr_error *err, const char *const *args)
{
	char *argv[16];
	int argc = 0;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	return cmd_net_parse(argc, argv, o, err);
}

#define ARGS(...) ((const char *const[]){ "net", __VA_ARGS__, NULL })

START_TEST(cli_create_attach_in_one_call)
{
	struct cli_net_opts o;
	struct ctr_error err;

	ck_assert_int_eq(net_parse(&o, &err,
				   ARGS("create", "c1", "--attach", "br0", "--addr", "10.1.0.2/24",
					"--gateway", "10.1.0.1")),
			 CLI_PARSED);
	ck_assert_int_eq(o.cmd, CLI_NET_CREATE);
	ck_assert_str_eq(o.name, "c1");
	ck_assert_str_eq(o.bridge, "br0");
	ck_assert(o.has_addr && o.has_gateway);

	ck_assert_int_eq(net_parse(&o, &err, ARGS("create", "c1")), CLI_PARSED);
	ck_assert_ptr_null(o.bridge);
}
END_TEST

START_TEST(cli_refuses_what_does_not_fit)
{
	const struct {
		const char *const *args;
		const char *msg;
	} cases[] = {
		{ ARGS("create", "c1", "--addr", "10.1.0.2/24"), "need --attach BR" },
		{ ARGS("create", "c1", "--attach", "br0"), "missing --addr CIDR" },
		{ ARGS("create", "c1", "--attach", "br0", "--addr", "10.1.0.2/24", "--gateway",
		       "10.2.0.1"),
		  "is not inside --addr" },
		{ ARGS("attach", "c1", "--addr", "10.1.0.2/24"), "missing BR" },
		{ ARGS("attach", "c1", "br0", "--addr", "10.1.0.2/24", "--gateway", "10.1.0.2"),
		  "own address" },
		{ ARGS("veth", "c1", "--addr", "10.1.0.2/24", "--peer-addr", "10.9.0.1/24"),
		  "not in one subnet" },
		{ ARGS("nat", "br0", "--subnet", "10.1.0.1/24"), "--subnet" },
		{ ARGS("bridge", "br0", "--to", "10.1.0.1"), "does not apply to net bridge" },
		{ ARGS("create", "c1", "--attach", "br0", "--attach", "br1", "--addr",
		       "10.1.0.2/24"),
		  "given twice" },
		{ ARGS("create", "../x"), "namespace name" },
		{ ARGS("frobnicate", "x"), "unknown net subcommand" },
	};
	struct cli_net_opts o;
	struct ctr_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_lt(net_parse(&o, &err, cases[i].args), 0);
		ck_assert_int_eq(err.kind, CTR_ERROR_USAGE);
		ck_assert_msg(strstr(err.msg, cases[i].msg), "case %zu: \"%s\" lacks \"%s\"", i,
			      err.msg, cases[i].msg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-net");
	TCase *ta = tcase_create("addr");
	TCase *tn = tcase_create("names");
	TCase *td = tcase_create("diagnose");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_add_test(ta, cidr_parses_good_input);
	tcase_add_test(ta, cidr_rejects_bad_input);
	tcase_add_test(ta, bare_ip_parses);
	tcase_add_test(ta, cidr_contains);
	tcase_add_test(tn, netns_names);
	tcase_add_test(tn, ifnames_follow_dev_valid_name);
	tcase_add_test(tn, veth_host_names);
	tcase_add_test(tn, veth_host_names_brute_force);
	tcase_add_test(td, diagnose_healthy_bridge);
	tcase_add_test(td, diagnose_not_mounted);
	tcase_add_test(td, diagnose_lo_down);
	tcase_add_test(td, diagnose_no_veth);
	tcase_add_test(td, diagnose_ns_end_down);
	tcase_add_test(td, diagnose_no_address);
	tcase_add_test(td, diagnose_host_end_missing);
	tcase_add_test(td, diagnose_host_end_down);
	tcase_add_test(td, diagnose_host_end_not_enslaved);
	tcase_add_test(td, diagnose_host_end_on_wrong_bridge);
	tcase_add_test(td, diagnose_bridge_down);
	tcase_add_test(td, diagnose_bridge_without_gateway);
	tcase_add_test(td, diagnose_wrong_default_gateway);
	tcase_add_test(td, diagnose_no_route_to_target);
	tcase_add_test(td, diagnose_forwarding_off);
	tcase_add_test(td, diagnose_nat_missing);
	tcase_add_test(td, diagnose_nat_for_another_subnet);
	tcase_add_test(td, diagnose_target_on_the_host);
	tcase_add_test(td, diagnose_point_to_point);
	tcase_add_test(td, link_addresses_are_bounded);
	suite_add_tcase(s, ta);
	suite_add_tcase(s, tn);
	suite_add_tcase(s, td);
	tcase_add_test(tc, cli_create_attach_in_one_call);
	tcase_add_test(tc, cli_refuses_what_does_not_fit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
