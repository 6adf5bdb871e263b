// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The network suite's sandbox (see nt.h): the lab host, the upstream
 * namespace, our own netlink steps, UDP echo traffic and snapshots.
 *
 * Everything here runs in the test's own process or in children it forks,
 * inside the lab or namespaces made in it; the root network namespace is
 * never entered. Moving between namespaces uses setns(2) on a network
 * namespace fd, which changes only the calling thread, and a netlink socket
 * stays bound to the namespace it was opened in (network_namespaces(7)), so
 * each helper opens its socket after entering and comes back before
 * returning.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "config.h"
#include "nt.h"

#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif

/* What a message quotes of a long text (a result record is at most PIPE_BUF). */
#define QUOTE_MAX 1200

/* ---- cleanup helpers for libnl objects --------------------------------- */

static void sock_freep(struct nl_sock **p)
{
	if (*p)
		nl_socket_free(*p);
}

static void link_putp(struct rtnl_link **p)
{
	if (*p)
		rtnl_link_put(*p);
}

static void cache_freep(struct nl_cache **p)
{
	if (*p)
		nl_cache_free(*p);
}

static void nladdr_putp(struct nl_addr **p)
{
	if (*p)
		nl_addr_put(*p);
}

static void addr_putp(struct rtnl_addr **p)
{
	if (*p)
		rtnl_addr_put(*p);
}

static void route_putp(struct rtnl_route **p)
{
	if (*p)
		rtnl_route_put(*p);
}

#define _cleanup_sock_	 _cleanup_(sock_freep)
#define _cleanup_link_	 _cleanup_(link_putp)
#define _cleanup_cache_	 _cleanup_(cache_freep)
#define _cleanup_nladdr_ _cleanup_(nladdr_putp)
#define _cleanup_addr_	 _cleanup_(addr_putp)
#define _cleanup_route_	 _cleanup_(route_putp)

/* ---- moving between namespaces ------------------------------------------ */

/* Enter ns_fd (-1: stay); returns the fd to come back through (or -1). */
static int ns_enter(struct ht_ctx *t, int ns_fd)
{
	int back;

	if (ns_fd < 0)
		return -1;
	back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (back < 0)
		ht_broken(t, "open /proc/self/ns/net: %m");
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		ht_broken(t, "setns into a network namespace: %m");
	return back;
}

static void ns_leave(struct ht_ctx *t, int back)
{
	if (back < 0)
		return;
	if (setns(back, CLONE_NEWNET) < 0)
		ht_broken(t, "setns back into the lab: %m");
	close(back);
}

static struct nl_sock *rtnl_open(struct ht_ctx *t)
{
	struct nl_sock *sk = nl_socket_alloc();
	int e;

	if (!sk)
		ht_broken(t, "nl_socket_alloc failed");
	e = nl_connect(sk, NETLINK_ROUTE);
	if (e < 0)
		ht_broken(t, "connect rtnetlink: %s", nl_geterror(e));
	return sk;
}

static struct rtnl_link *link_get(struct ht_ctx *t, struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *l = NULL;
	int e = rtnl_link_get_kernel(sk, 0, ifname, &l);

	if (e < 0)
		ht_broken(t, "look up link %s: %s", ifname, nl_geterror(e));
	return l;
}

/* ---- the lab ------------------------------------------------------------- */

/* snprintf into a PATH_MAX buffer; BROKEN if it does not fit. */
#define nt_path(t, buf, ...)                                      \
	do {                                                      \
		int n_ = snprintf(buf, sizeof(buf), __VA_ARGS__); \
		if (n_ < 0 || (size_t)n_ >= sizeof(buf))          \
			ht_broken(t, "path too long: " #buf);     \
	} while (0)

void nt_lab_enter(struct ht_ctx *t, struct nt_lab *lab)
{
	_cleanup_close_ int fd = -1;
	int r;

	*lab = (struct nt_lab){ .lab_fd = -1, .upstream_fd = -1 };
	/* Mounts below stay in this namespace (mount_namespaces(7), MS_PRIVATE). */
	HT_SETUP(t, unshare(CLONE_NEWNS));
	HT_SETUP(t, mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	nt_path(t, lab->dir, "%s/lab", ht_scratch_dir(t));
	HT_SETUP(t, mkdir(lab->dir, 0700));
	HT_SETUP(t, mount("isolab-lab", lab->dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0700,size=1m"));

	HT_SETUP(t, unshare(CLONE_NEWNET));
	lab->lab_fd = HT_SETUP(t, open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
	/*
	 * A name for the lab, so that the runtime can journal its links "in
	 * that namespace" (ht-journal.h) rather than not at all.
	 */
	nt_path(t, lab->lab_path, "%s/lab.net", lab->dir);
	r = ht_journal_add(t, "netns", lab->lab_path, NULL, NULL);
	if (r < 0 && r != -EBADF)
		ht_broken(t, "journal netns %s: %s", lab->lab_path, strerror(-r));
	fd = HT_SETUP(t, open(lab->lab_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	HT_SETUP(t, mount("/proc/self/ns/net", lab->lab_path, "none", MS_BIND, NULL));

	nt_link_up(t, -1, "lo");
	/* Per namespace: /proc/sys/net is the opener's (proc(5), /proc/sys/net). */
	HT_SETUP(t, ht_write_file(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", "0"));

	nt_path(t, lab->netns_dir, "%s/netns", lab->dir);
	nt_path(t, lab->state_dir, "%s/state", lab->dir);
	HT_SETUP(t, mkdir(lab->netns_dir, 0755));
	HT_SETUP(t, mkdir(lab->state_dir, 0755));
	HT_SETUP(t, setenv("CONTAIN_NETNS_DIR", lab->netns_dir, 1));
	HT_SETUP(t, setenv("CONTAIN_STATE_DIR", lab->state_dir, 1));
}

void nt_upstream(struct ht_ctx *t, struct nt_lab *lab)
{
	char cidr[64];

	/* Make it from here, then come back: its fd keeps it alive. */
	HT_SETUP(t, unshare(CLONE_NEWNET));
	lab->upstream_fd = HT_SETUP(t, open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
	HT_SETUP(t, setns(lab->lab_fd, CLONE_NEWNET));

	nt_veth(t, lab, NT_UPLINK_IF, "eth0", lab->upstream_fd);
	snprintf(cidr, sizeof(cidr), "%s/%d", NT_UPLINK_LAB, NT_UPLINK_PLEN);
	nt_addr_add(t, -1, NT_UPLINK_IF, cidr);
	nt_link_up(t, -1, NT_UPLINK_IF);
	snprintf(cidr, sizeof(cidr), "%s/%d", NT_UPSTREAM, NT_UPLINK_PLEN);
	nt_link_up(t, lab->upstream_fd, "lo");
	nt_addr_add(t, lab->upstream_fd, "eth0", cidr);
	nt_link_up(t, lab->upstream_fd, "eth0");
}

char *nt_ns_path(const struct nt_lab *lab, const char *name)
{
	return ht_xasprintf("%s/%s", lab->netns_dir, name);
}

int nt_ns_open(struct ht_ctx *t, const struct nt_lab *lab, const char *name)
{
	_cleanup_free_ char *path = nt_ns_path(lab, name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0)
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__, "no namespace %s: open %s: %s", name,
			       path, ht_errno_name(errno));
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__,
			       "%s is not a namespace (no nsfs bind mount on it)", path);
	return TAKE_FD(fd);
}

unsigned long long nt_ns_inode(const struct nt_lab *lab, const char *name)
{
	_cleanup_free_ char *path = nt_ns_path(lab, name);
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) < 0 || sfs.f_type != NSFS_MAGIC || stat(path, &st) < 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

/* ---- the runtime ---------------------------------------------------------- */

void nt_contain(struct ht_ctx *t, struct ht_proc *p, const char *const *args)
{
	ht_runtime_run(t, p, args, NULL);
}

char *nt_args_str(const char *const *args)
{
	char *s = ht_xstrdup("");

	for (const char *const *a = args; *a; a++) {
		char *n = ht_xasprintf("%s%s%s", s, *s ? " " : "", *a);

		free(s);
		s = n;
	}
	return s;
}

void nt_contain_ok_at(struct ht_ctx *t, const char *file, int line, const char *const *args)
{
	struct ht_proc p;

	nt_contain(t, &p, args);
	if (p.exit_code != 0) {
		_cleanup_free_ char *cmd = nt_args_str(args);

		ht_report_exit(t, HT_FAIL, file, line,
			       "`%s` exited %d%s, want 0; stderr: \"%.400s\"", cmd, p.exit_code,
			       p.timed_out ? " (timed out)" : "", p.err);
	}
	ht_proc_free(&p);
}

/* ---- our own netlink ------------------------------------------------------- */

void nt_link_up(struct ht_ctx *t, int ns_fd, const char *ifname)
{
	int back = ns_enter(t, ns_fd);

	{
		_cleanup_sock_ struct nl_sock *sk = rtnl_open(t);
		_cleanup_link_ struct rtnl_link *orig = link_get(t, sk, ifname);
		_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
		int e;

		if (!change)
			ht_broken(t, "rtnl_link_alloc failed");
		rtnl_link_set_flags(change, IFF_UP);
		e = rtnl_link_change(sk, orig, change, 0);
		if (e < 0)
			ht_broken(t, "bring %s up: %s", ifname, nl_geterror(e));
	}
	ns_leave(t, back);
}

void nt_addr_add(struct ht_ctx *t, int ns_fd, const char *ifname, const char *cidr)
{
	int back = ns_enter(t, ns_fd);

	{
		_cleanup_sock_ struct nl_sock *sk = rtnl_open(t);
		_cleanup_link_ struct rtnl_link *l = link_get(t, sk, ifname);
		_cleanup_addr_ struct rtnl_addr *a = rtnl_addr_alloc();
		_cleanup_nladdr_ struct nl_addr *local = NULL;
		int e;

		if (!a)
			ht_broken(t, "rtnl_addr_alloc failed");
		e = nl_addr_parse(cidr, AF_INET, &local);
		if (e < 0)
			ht_broken(t, "parse %s: %s", cidr, nl_geterror(e));
		rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(l));
		/* Also sets the prefix length from the parsed address. */
		e = rtnl_addr_set_local(a, local);
		if (e == 0)
			e = rtnl_addr_add(sk, a, 0);
		if (e < 0)
			ht_broken(t, "add %s to %s: %s", cidr, ifname, nl_geterror(e));
	}
	ns_leave(t, back);
}

void nt_route_default(struct ht_ctx *t, int ns_fd, const char *gw)
{
	int back = ns_enter(t, ns_fd);

	{
		_cleanup_sock_ struct nl_sock *sk = rtnl_open(t);
		_cleanup_route_ struct rtnl_route *route = rtnl_route_alloc();
		_cleanup_nladdr_ struct nl_addr *dst = NULL, *via = NULL;
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
		int e;

		if (!route || !nh)
			ht_broken(t, "rtnl_route_alloc failed");
		if (nl_addr_parse("0.0.0.0/0", AF_INET, &dst) < 0 ||
		    nl_addr_parse(gw, AF_INET, &via) < 0)
			ht_broken(t, "parse the default route via %s", gw);
		rtnl_route_set_family(route, AF_INET);
		rtnl_route_set_dst(route, dst);
		rtnl_route_nh_set_gateway(nh, via);
		/* The route owns nh from here on. */
		rtnl_route_add_nexthop(route, nh);
		e = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
		if (e < 0)
			ht_broken(t, "add default route via %s: %s", gw, nl_geterror(e));
	}
	ns_leave(t, back);
}

void nt_veth(struct ht_ctx *t, struct nt_lab *lab, const char *host, const char *peer, int peer_fd)
{
	_cleanup_sock_ struct nl_sock *sk = rtnl_open(t);
	struct rtnl_link *l = rtnl_link_veth_alloc(), *p;
	int e;

	if (!l)
		ht_broken(t, "rtnl_link_veth_alloc failed");
	e = ht_journal_add(t, "link", lab->lab_path, host, NULL);
	if (e < 0 && e != -EBADF)
		ht_broken(t, "journal link %s: %s", host, strerror(-e));
	rtnl_link_set_name(l, host);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(p, peer);
	/* The peer is created right in its namespace (IFLA_NET_NS_FD, rtnetlink(7)). */
	rtnl_link_set_ns_fd(p, peer_fd);
	e = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(p);
	rtnl_link_veth_release(l);
	if (e < 0)
		ht_broken(t, "create veth %s <-> %s: %s", host, peer, nl_geterror(e));
}

void nt_enslave(struct ht_ctx *t, const char *port, const char *master)
{
	_cleanup_sock_ struct nl_sock *sk = rtnl_open(t);
	_cleanup_link_ struct rtnl_link *p = link_get(t, sk, port);
	_cleanup_link_ struct rtnl_link *m = link_get(t, sk, master);
	int e;

	e = rtnl_link_enslave_ifindex(sk, rtnl_link_get_ifindex(m), rtnl_link_get_ifindex(p));
	if (e < 0)
		ht_broken(t, "enslave %s to %s: %s", port, master, nl_geterror(e));
}

/* ---- reading a namespace back ---------------------------------------------- */

/* A growing list of lines, joined sorted at the end. */
struct lines {
	char **v;
	size_t n;
};

static void lines_add(struct lines *l, char *line)
{
	l->v = ht_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = line;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *lines_join(struct lines *l)
{
	size_t len = 1, at = 0;
	char *s;

	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = ht_xmalloc(len);
	for (size_t i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);

		memcpy(s + at, l->v[i], n);
		s[at + n] = '\n';
		at += n + 1;
		free(l->v[i]);
	}
	s[at] = '\0';
	free(l->v);
	*l = (struct lines){ 0 };
	return s;
}

static const char *ifname_of(struct nl_cache *links, int ifindex, char buf[IFNAMSIZ + 16])
{
	if (ifindex <= 0)
		return "-";
	if (!rtnl_link_i2name(links, ifindex, buf, IFNAMSIZ + 16))
		snprintf(buf, IFNAMSIZ + 16, "if%d", ifindex);
	return buf;
}

/* Links, IPv4 addresses and IPv4 routes of the current namespace, each line prefixed. */
static void read_links(struct ht_ctx *t, struct nl_sock *sk, struct nl_cache *links,
		       const char *prefix, struct lines *out)
{
	for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *kind = rtnl_link_get_type(l);
		char master[IFNAMSIZ + 16];

		lines_add(out, ht_xasprintf("%s%s %s master=%s %s", prefix, rtnl_link_get_name(l),
					    kind ? kind : "-",
					    ifname_of(links, rtnl_link_get_master(l), master),
					    rtnl_link_get_flags(l) & IFF_UP ? "up" : "down"));
	}
}

/*
 * IPv4 only: contain configures nothing else, and IPv6 link-local
 * addresses come and go with carrier by themselves (addrconf), which
 * would make a before/after comparison flap without anyone at fault.
 */
static void read_addrs(struct ht_ctx *t, struct nl_sock *sk, struct nl_cache *links,
		       const char *prefix, struct lines *out)
{
	_cleanup_cache_ struct nl_cache *addrs = NULL;
	int e = rtnl_addr_alloc_cache(sk, &addrs);

	if (e < 0)
		ht_broken(t, "dump addresses: %s", nl_geterror(e));
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		char ifn[IFNAMSIZ + 16], buf[128];

		if (rtnl_addr_get_family(a) != AF_INET)
			continue;
		lines_add(out, ht_xasprintf("%saddr %s %s", prefix,
					    ifname_of(links, rtnl_addr_get_ifindex(a), ifn),
					    nl_addr2str(rtnl_addr_get_local(a), buf, sizeof(buf))));
	}
}

static void read_routes(struct ht_ctx *t, struct nl_sock *sk, struct nl_cache *links,
			const char *prefix, struct lines *out)
{
	_cleanup_cache_ struct nl_cache *routes = NULL;
	int e = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);

	if (e < 0)
		ht_broken(t, "dump routes: %s", nl_geterror(e));
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		char table[32], type[32], dbuf[128];
		char *line;

		line = ht_xasprintf(
			"%sroute %s %s %s", prefix,
			rtnl_route_table2str((int)rtnl_route_get_table(r), table, sizeof(table)),
			nl_rtntype2str(rtnl_route_get_type(r), type, sizeof(type)),
			!dst || nl_addr_get_prefixlen(dst) == 0 ?
				"default" :
				nl_addr2str(dst, dbuf, sizeof(dbuf)));
		for (int i = 0; i < rtnl_route_get_nnexthops(r); i++) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
			struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
			char gbuf[128], ifn[IFNAMSIZ + 16];
			char *n =
				ht_xasprintf("%s via %s dev %s", line,
					     gw ? nl_addr2str(gw, gbuf, sizeof(gbuf)) : "-",
					     ifname_of(links, rtnl_route_nh_get_ifindex(nh), ifn));

			free(line);
			line = n;
		}
		lines_add(out, line);
	}
}

enum { READ_LINKS = 1, READ_ADDRS = 2, READ_ROUTES = 4 };

static void read_ns(struct ht_ctx *t, int ns_fd, unsigned what, const char *prefix,
		    struct lines *out)
{
	int back = ns_enter(t, ns_fd);

	{
		_cleanup_sock_ struct nl_sock *sk = rtnl_open(t);
		_cleanup_cache_ struct nl_cache *links = NULL;
		int e = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);

		if (e < 0)
			ht_broken(t, "dump links: %s", nl_geterror(e));
		if (what & READ_LINKS)
			read_links(t, sk, links, prefix, out);
		if (what & READ_ADDRS)
			read_addrs(t, sk, links, prefix, out);
		if (what & READ_ROUTES)
			read_routes(t, sk, links, prefix, out);
	}
	ns_leave(t, back);
}

char *nt_links(struct ht_ctx *t, int ns_fd)
{
	struct lines l = { 0 };

	read_ns(t, ns_fd, READ_LINKS, "", &l);
	return lines_join(&l);
}

char *nt_routes(struct ht_ctx *t, int ns_fd)
{
	struct lines l = { 0 };

	read_ns(t, ns_fd, READ_ROUTES, "", &l);
	return lines_join(&l);
}

bool nt_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *s = text; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (len == n && strncmp(s, line, n) == 0)
			return true;
		if (!nl)
			break;
		s = nl + 1;
	}
	return false;
}

int nt_ip_forward(void)
{
	_cleanup_free_ char *v = NULL;

	if (ht_read_file(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", &v) < 0)
		return -1;
	return atoi(v);
}

/* ---- traffic --------------------------------------------------------------- */

static __attribute__((noreturn)) void echo_serve(int ns_fd, const char *addr, int ready_w,
						 int report_w, uint64_t deadline_ns)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	int s;

	/* A server that outlives its test would hold the namespace. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWNET) < 0) {
		dprintf(ready_w, "E setns %s\n", ht_errno_name(errno));
		_exit(1);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(s, (struct sockaddr *)&sin, &slen) < 0) {
		dprintf(ready_w, "E bind %s: %s\n", addr, ht_errno_name(errno));
		_exit(1);
	}
	dprintf(ready_w, "%u\n", (unsigned)ntohs(sin.sin_port));
	close(ready_w);
	for (;;) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		char buf[256], reply[512], ip[INET_ADDRSTRLEN];
		ssize_t n;
		int left = ht_remaining_ms(deadline_ns);

		if (left == 0)
			_exit(0);
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recvfrom(s, buf, sizeof(buf) - 1, MSG_DONTWAIT, (struct sockaddr *)&peer,
			     &plen);
		if (n < 0)
			continue;
		buf[n] = '\0';
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
		/* Report before replying: once the client has its reply, the test can read this. */
		dprintf(report_w, "%s\n", ip);
		n = snprintf(reply, sizeof(reply), "%s from %s", buf, ip);
		/* Fails when this side has no route back (upstream without NAT): no reply. */
		(void)sendto(s, reply, (size_t)n, 0, (struct sockaddr *)&peer, plen);
	}
}

void nt_echo_start(struct ht_ctx *t, struct nt_echo *e, int ns_fd, const char *addr)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)ht_timeout_ms(t, 3600 * 1000) * 1000000u;
	int ready[2], report[2];
	char buf[128];
	size_t n;

	*e = (struct nt_echo){ .pid = -1, .report_fd = -1, .seen = ht_xstrdup("") };
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	HT_SETUP(t, pipe2(ready, O_CLOEXEC));
	HT_SETUP(t, pipe2(report, O_CLOEXEC | O_NONBLOCK));
	fflush(NULL);
	e->pid = HT_SETUP(t, fork());
	if (e->pid == 0) {
		close(ready[0]);
		close(report[0]);
		echo_serve(ns_fd, addr, ready[1], report[1], deadline);
	}
	close(ready[1]);
	close(report[1]);
	e->report_fd = report[0];
	{
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };

		if (poll(&pfd, 1, ht_timeout_ms(t, 5000)) <= 0) {
			close(ready[0]);
			ht_broken(t, "the echo server for %s did not start in time", addr);
		}
	}
	n = ht_read_bounded(ready[0], buf, sizeof(buf));
	close(ready[0]);
	buf[strcspn(buf, "\n")] = '\0';
	if (n == 0 || buf[0] == 'E')
		ht_broken(t, "echo server on %s: %s", addr, n ? buf + 2 : "exited");
	e->port = (unsigned)strtoul(buf, NULL, 10);
}

const char *nt_echo_seen(struct nt_echo *e)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(e->report_fd, buf, sizeof(buf) - 1)) > 0) {
		char *s;

		buf[n] = '\0';
		s = ht_xasprintf("%s%s", e->seen, buf);
		free(e->seen);
		e->seen = s;
	}
	return e->seen;
}

void nt_echo_stop(struct nt_echo *e)
{
	if (e->pid > 0) {
		kill(e->pid, SIGKILL);
		while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (e->report_fd >= 0)
		close(e->report_fd);
	free(e->seen);
	*e = (struct nt_echo){ .pid = -1, .report_fd = -1 };
}

/* What the client child tells the test. */
struct reach_msg {
	int entered, reached, err, sent;
	char seen[INET_ADDRSTRLEN];
};

static __attribute__((noreturn)) void udp_client(const char *ns_path, const char *nonce,
						 const char *addr, unsigned port, int tries,
						 int out_w)
{
	struct reach_msg m = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	_cleanup_close_ int s = -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ns_path) {
		_cleanup_close_ int fd = open(ns_path, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
			m.err = errno;
			goto out;
		}
	}
	m.entered = 1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		m.err = s < 0 ? errno : EINVAL;
		goto out;
	}
	/*
	 * Connected: no route fails right here (ENETUNREACH), and ICMP errors
	 * for later datagrams come back on recv (udp(7), "ERROR HANDLING").
	 */
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		m.err = errno;
		goto out;
	}
	for (int i = 0; i < tries && !m.reached; i++) {
		uint64_t end = ht_now_ns() + (uint64_t)NT_TRY_MS * 1000000u;
		char msg[64];
		int n = snprintf(msg, sizeof(msg), "%s-%d", nonce, i);

		if (send(s, msg, (size_t)n, 0) < 0)
			m.err = errno;
		else
			m.sent++;
		/* Wait out this datagram's interval for a reply to any of ours. */
		while (!m.reached && ht_remaining_ms(end) > 0) {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			char buf[512], *from;
			ssize_t got;

			if (poll(&pfd, 1, ht_remaining_ms(end)) <= 0)
				continue;
			got = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
			if (got < 0) {
				if (errno != EAGAIN && errno != EINTR)
					m.err = errno;
				continue;
			}
			buf[got] = '\0';
			from = strstr(buf, " from ");
			if (strncmp(buf, nonce, strlen(nonce)) != 0 || !from)
				continue;
			m.reached = 1;
			snprintf(m.seen, sizeof(m.seen), "%s", from + 6);
		}
	}
out:
	(void)!write(out_w, &m, sizeof(m));
	_exit(0);
}

struct nt_reach nt_udp(struct ht_ctx *t, const struct nt_lab *lab, const char *name,
		       const char *addr, unsigned port, int tries)
{
	/* On the stack: the client child below _exit()s without freeing. */
	char path[PATH_MAX];
	const char *nonce = ht_nonce(t);
	struct nt_reach r = { 0 };
	struct reach_msg m = { 0 };
	_cleanup_close_ int rd = -1;
	int p[2], wait_ms;
	struct pollfd pfd;
	pid_t pid;

	if (name)
		nt_path(t, path, "%s/%s", lab->netns_dir, name);
	HT_SETUP(t, pipe2(p, O_CLOEXEC));
	fflush(NULL);
	pid = HT_SETUP(t, fork());
	if (pid == 0) {
		close(p[0]);
		udp_client(name ? path : NULL, nonce, addr, port, tries, p[1]);
	}
	close(p[1]);
	rd = p[0];
	/* The client's own bound plus slack, never past the test's deadline. */
	wait_ms = ht_timeout_ms(t, tries * NT_TRY_MS + 2000);
	pfd = (struct pollfd){ .fd = rd, .events = POLLIN };
	if (poll(&pfd, 1, wait_ms) <= 0 || read(rd, &m, sizeof(m)) != (ssize_t)sizeof(m)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ht_broken(t, "the UDP client in %s said nothing within %d ms",
			  name ? name : "the lab", wait_ms);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	r.entered = m.entered;
	r.reached = m.reached;
	r.err = m.err;
	r.sent = m.sent;
	memcpy(r.seen, m.seen, sizeof(r.seen));
	r.seen[sizeof(r.seen) - 1] = '\0';
	return r;
}

/* "10.0.0.2 x25, 10.0.0.3 x1" for the lines of seen (malloc'd; "nothing" when empty). */
static char *seen_summary(const char *seen)
{
	_cleanup_free_ char *copy = ht_xstrdup(seen), *sorted = NULL;
	struct lines l = { 0 };
	char *out = ht_xstrdup(""), *save = NULL, *prev = NULL;
	unsigned count = 0;

	for (char *w = strtok_r(copy, "\n", &save); w; w = strtok_r(NULL, "\n", &save))
		lines_add(&l, ht_xstrdup(w));
	sorted = lines_join(&l);
	/* Count the runs of equal lines; the pass with w == NULL adds the last run. */
	save = NULL;
	for (char *w = strtok_r(sorted, "\n", &save);; w = strtok_r(NULL, "\n", &save)) {
		if (prev && (!w || strcmp(w, prev) != 0)) {
			char *n = ht_xasprintf("%s%s%s x%u", out, *out ? ", " : "", prev, count);

			free(out);
			out = n;
			count = 0;
		}
		if (!w)
			break;
		prev = w;
		count++;
	}
	if (!*out) {
		free(out);
		out = ht_xstrdup("nothing");
	}
	return out;
}

bool nt_expect_reach_at(struct ht_ctx *t, const char *file, int line, const struct nt_lab *lab,
			const char *name, struct nt_echo *e, const char *want_src)
{
	const char *who = name ? name : "the lab";
	int tries = ht_timeout_ms(t, 5000) / NT_TRY_MS;
	struct nt_reach r = nt_udp(t, lab, name, e->addr, e->port, tries > 0 ? tries : 1);

	if (!r.entered) {
		ht_report(t, HT_FAIL, file, line, "cannot enter namespace %s: %s", who,
			  ht_errno_name(r.err));
		return false;
	}
	if (!r.reached) {
		_cleanup_free_ char *seen = seen_summary(nt_echo_seen(e));

		ht_fail(t,
			"%s does not reach %s:%u: no reply to %d datagram(s) in %d ms (last "
			"error: %s); the server got datagrams from: %s",
			who, e->addr, e->port, r.sent, tries * NT_TRY_MS,
			r.err ? ht_errno_name(r.err) : "none", seen);
		return false;
	}
	if (want_src && strcmp(r.seen, want_src) != 0) {
		ht_report(t, HT_FAIL, file, line, "%s reaches %s, which sees it as %s, want %s",
			  who, e->addr, r.seen, want_src);
		return false;
	}
	return ht_check_true(t, false, file, line, NULL);
}

bool nt_expect_no_reach_at(struct ht_ctx *t, const char *file, int line, const struct nt_lab *lab,
			   const char *name, struct nt_echo *e)
{
	const char *who = name ? name : "the lab";
	size_t before = strlen(nt_echo_seen(e));
	struct nt_reach r = nt_udp(t, lab, name, e->addr, e->port, 5);
	const char *seen = nt_echo_seen(e) + before;

	/* "Nothing came back" proves nothing unless something was really tried. */
	if (!r.entered) {
		ht_report(t, HT_FAIL, file, line, "cannot enter namespace %s: %s", who,
			  ht_errno_name(r.err));
		return false;
	}
	if (r.sent == 0 && r.err == 0) {
		ht_report(t, HT_FAIL, file, line, "%s sent nothing to %s, and no error said why",
			  who, e->addr);
		return false;
	}
	if (*seen || r.reached) {
		_cleanup_free_ char *from = seen_summary(seen);

		ht_fail(t,
			"%s reaches %s:%u, which it must not: the server got datagrams from %s%s",
			who, e->addr, e->port, from, r.reached ? " and replied" : "");
		return false;
	}
	return ht_check_true(t, false, file, line, NULL);
}

/* ---- snapshots -------------------------------------------------------------- */

static void read_nft(struct ht_ctx *t, struct lines *out)
{
#if HAVE_LIBNFTABLES
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *text;

	if (!ctx)
		ht_broken(t, "nft_ctx_new failed");
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
		ht_broken(t, "cannot buffer libnftables output");
	if (nft_run_cmd_from_buffer(ctx, "list tables") != 0) {
		const char *err = nft_ctx_get_error_buffer(ctx);

		ht_broken(t, "nft list tables: %.*s", (int)strcspn(err ? err : "", "\n"),
			  err ? err : "");
	}
	text = nft_ctx_get_output_buffer(ctx);
	for (const char *s = text ? text : ""; *s;) {
		size_t len = strcspn(s, "\n");

		if (len)
			lines_add(out, ht_xasprintf("nft %.*s", (int)len, s));
		s += len + (s[len] == '\n');
	}
	nft_ctx_free(ctx);
#else
	lines_add(out, ht_xstrdup("nft (isolab built without libnftables)"));
#endif
}

/* The nsfs mounts of our mount namespace: "nsfs MOUNT-POINT ROOT" (proc(5), mountinfo). */
static void read_nsfs_mounts(struct ht_ctx *t, struct lines *out)
{
	_cleanup_free_ char *text = NULL;

	HT_SETUP(t, ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &text));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *sep = strstr(line, " - "), *f[5] = { 0 }, *save = NULL;
		size_t i = 0;

		if (!sep || strncmp(sep, " - nsfs ", 8) != 0)
			continue;
		*sep = '\0';
		for (char *w = strtok_r(line, " ", &save); w && i < 5;
		     w = strtok_r(NULL, " ", &save))
			f[i++] = w;
		if (i < 5)
			continue;
		ht_mountinfo_unescape(f[4]);
		lines_add(out, ht_xasprintf("nsfs %s %s", f[4], f[3]));
	}
}

char *nt_snapshot(struct ht_ctx *t, struct nt_lab *lab)
{
	struct lines l = { 0 };
	struct dirent **names = NULL;
	int n;

	read_ns(t, -1, READ_LINKS | READ_ADDRS | READ_ROUTES, "", &l);
	read_nft(t, &l);
	lines_add(&l, ht_xasprintf("sysctl net.ipv4.ip_forward=%d", nt_ip_forward()));
	read_nsfs_mounts(t, &l);
	n = scandir(lab->netns_dir, &names, NULL, alphasort);
	if (n < 0)
		ht_broken(t, "list %s: %m", lab->netns_dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			_cleanup_free_ char *path = nt_ns_path(lab, name);
			_cleanup_free_ char *prefix = ht_xasprintf("[%s] ", name);
			_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
			struct statfs sfs;

			lines_add(&l, ht_xasprintf("netns-dir %s", name));
			if (fd >= 0 && fstatfs(fd, &sfs) == 0 && sfs.f_type == NSFS_MAGIC)
				read_ns(t, fd, READ_LINKS | READ_ADDRS | READ_ROUTES, prefix, &l);
			else
				lines_add(&l, ht_xasprintf("%snot a namespace", prefix));
		}
		free(names[i]);
	}
	free(names);
	return lines_join(&l);
}

/* Append to *msg the lines of a that are not in b, each prefixed with sign. */
static void diff_into(char **msg, const char *a, const char *b, char sign)
{
	for (const char *s = a; *s;) {
		size_t len = strcspn(s, "\n");
		_cleanup_free_ char *line = ht_xasprintf("%.*s", (int)len, s);

		if (!nt_has_line(b, line)) {
			char *n = ht_xasprintf("%s %c%s;", *msg, sign, line);

			free(*msg);
			*msg = n;
		}
		s += len + (s[len] == '\n');
	}
}

bool nt_expect_same(struct ht_ctx *t, const char *before, const char *after, const char *what)
{
	_cleanup_free_ char *msg = ht_xstrdup("");

	if (strcmp(before, after) == 0)
		return ht_check_true(t, false, __FILE__, __LINE__, NULL);
	diff_into(&msg, before, after, '-');
	diff_into(&msg, after, before, '+');
	ht_fail(t, "the lab changed %s (- gone, + new):%.*s", what, QUOTE_MAX, msg);
	return false;
}
