// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Named network namespaces, bridges and veth cables through rtnetlink
 * (libnl-route-3): see ctr-net.h. NAT is in ctr-net-nat.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "ctr-journal.h"
#include "ctr-mutant.h"
#include "ctr-net.h"
#include "ctr-util.h"

#define FORWARD_PATH "/proc/sys/net/ipv4/ip_forward"
/* The first free ethN or ve-NAME-N is looked for among this many. */
#define MAX_CABLES 100

static const char *env_or(const char *env, const char *def)
{
	const char *v = getenv(env);

	return v && v[0] ? v : def;
}

const char *ctr_netns_dir(void)
{
	return env_or(CTR_NETNS_DIR_ENV, CTR_NETNS_DIR_DEFAULT);
}

const char *ctr_state_dir(void)
{
	return env_or(CTR_STATE_DIR_ENV, CTR_STATE_DIR_DEFAULT);
}

int ctr_nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
	case NLE_DUMP_INTR:
		return EINTR;
	case NLE_BAD_SOCK:
		return EBADF;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_EXIST:
		return EEXIST;
	case NLE_INVAL:
	case NLE_MISSING_ATTR:
		return EINVAL;
	case NLE_RANGE:
		return ERANGE;
	case NLE_MSGSIZE:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
		return EMSGSIZE;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
	case NLE_AF_MISMATCH:
		return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NOATTR:
		return ENODATA;
	case NLE_PROTO_MISMATCH:
		return EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_PERM:
		return EPERM;
	case NLE_BUSY:
		return EBUSY;
	case NLE_NODEV:
		return ENODEV;
	case NLE_NOADDR:
		return EADDRNOTAVAIL;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_OVERFLOW:
		return EPROTO;
	case NLE_IMMUTABLE:
		return EROFS;
	default:
		return EIO;
	}
}

int ctr_error_nl(struct ctr_error *err, int nle, const char *fmt, ...)
{
	int e = ctr_nle_errno(nle);
	char what[CTR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (e != EIO)
		return ctr_error_errno(err, e, "%s", what);
	/* NLE_FAILURE and friends say more in libnl's words than EIO would. */
	return ctr_error_set(err, EIO, "%s: %s", what, nl_geterror(nle));
}

/* ---- rtnetlink sockets ---------------------------------------------------- */

void ctr_rtnl_closep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
	*sk = NULL;
}

int ctr_rtnl_open(struct nl_sock **ret, struct ctr_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int nle;

	if (!sk)
		return ctr_error_errno(err, ENOMEM, "allocate a netlink socket");
	nle = nl_connect(sk, NETLINK_ROUTE);
	if (nle < 0) {
		nl_socket_free(sk);
		return ctr_error_nl(err, nle, "connect to rtnetlink");
	}
	*ret = sk;
	return 0;
}

int ctr_rtnl_open_in(int nsfd, struct nl_sock **ret, struct ctr_error *err)
{
	_cleanup_(ctr_netns_restorep) int saved = -1;
	int r;

	r = ctr_netns_enter(nsfd, &saved, err);
	if (r < 0)
		return r;
	r = ctr_rtnl_open(ret, err);
	if (r < 0)
		return r;
	r = ctr_netns_restore(&saved, err);
	if (r < 0) {
		ctr_rtnl_closep(ret);
		return r;
	}
	return 0;
}

static void link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
	*l = NULL;
}
#define _cleanup_link_ __attribute__((cleanup(link_putp)))

/* The link ifname (or ifindex when ifname is NULL): 1 and *ret, or 0 when there is none. */
static int link_get(struct nl_sock *sk, int ifindex, const char *ifname, struct rtnl_link **ret,
		    struct ctr_error *err)
{
	int nle = rtnl_link_get_kernel(sk, ifindex, ifname, ret);

	if (nle == -NLE_OBJ_NOTFOUND || nle == -NLE_NODEV)
		return 0;
	if (nle < 0) {
		if (ifname)
			return ctr_error_nl(err, nle, "look up link %s", ifname);
		return ctr_error_nl(err, nle, "look up link %d", ifindex);
	}
	return 1;
}

int ctr_net_link_exists(const char *ifname, struct ctr_error *err)
{
	_cleanup_rtnl_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r;

	r = ctr_rtnl_open(&sk, err);
	if (r < 0)
		return r;
	return link_get(sk, 0, ifname, &l, err);
}

static int link_set_up(struct nl_sock *sk, struct rtnl_link *orig, bool up, struct ctr_error *err)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
	int nle;

	if (!change)
		return ctr_error_errno(err, ENOMEM, "allocate a link");
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	nle = rtnl_link_change(sk, orig, change, 0);
	if (nle < 0)
		return ctr_error_nl(err, nle, "set %s %s", rtnl_link_get_name(orig),
				    up ? "up" : "down");
	return 0;
}

/* Delete a link by name; deleting one end of a veth pair deletes its peer too. */
static int link_delete(struct nl_sock *sk, const char *ifname, struct ctr_error *err)
{
	_cleanup_link_ struct rtnl_link *l = rtnl_link_alloc();
	int nle;

	if (!l)
		return ctr_error_errno(err, ENOMEM, "allocate a link");
	rtnl_link_set_name(l, ifname);
	nle = rtnl_link_delete(sk, l);
	if (nle < 0)
		return ctr_error_nl(err, nle, "delete link %s", ifname);
	return 0;
}

static struct nl_addr *ipv4_addr(uint32_t addr, unsigned prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

static void nl_addr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
	*a = NULL;
}

static int addr_add(struct nl_sock *sk, struct rtnl_link *link, const struct ctr_cidr *c,
		    struct ctr_error *err)
{
	__attribute__((cleanup(nl_addr_putp))) struct nl_addr *local = NULL;
	struct rtnl_addr *a = rtnl_addr_alloc();
	char buf[CTR_CIDR_STRLEN];
	int nle;

	local = ipv4_addr(c->addr, c->prefix);
	if (!a || !local) {
		if (a)
			rtnl_addr_put(a);
		return ctr_error_errno(err, ENOMEM, "allocate an address");
	}
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
	rtnl_addr_set_family(a, AF_INET);
	nle = rtnl_addr_set_local(a, local);
	if (nle >= 0) {
		rtnl_addr_set_prefixlen(a, (int)c->prefix);
		nle = rtnl_addr_add(sk, a, NLM_F_EXCL);
	}
	rtnl_addr_put(a);
	if (nle < 0)
		return ctr_error_nl(err, nle, "add address %s to %s", ctr_cidr_format(c, true, buf),
				    rtnl_link_get_name(link));
	return 0;
}

/* `ip route add default via GW dev LINK` in the main table. */
static int route_add_default(struct nl_sock *sk, struct rtnl_link *link, uint32_t gw,
			     struct ctr_error *err)
{
	__attribute__((cleanup(nl_addr_putp))) struct nl_addr *dst = ipv4_addr(0, 0);
	__attribute__((cleanup(nl_addr_putp))) struct nl_addr *via = ipv4_addr(gw, 32);
	struct ctr_cidr gwc = { .addr = gw, .prefix = 32 };
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	char buf[CTR_CIDR_STRLEN];
	int nle;

	if (!rt || !nh || !dst || !via) {
		if (rt)
			rtnl_route_put(rt);
		if (nh)
			rtnl_route_nh_free(nh);
		return ctr_error_errno(err, ENOMEM, "allocate a route");
	}
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	/* What `ip route add` sets: a static route, of the administrator's. */
	rtnl_route_set_protocol(rt, RTPROT_BOOT);
	rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(rt, RTN_UNICAST);
	nle = rtnl_route_set_dst(rt, dst);
	if (nle >= 0) {
		rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(link));
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(rt, nh); /* rt owns nh from here */
		nh = NULL;
		nle = rtnl_route_add(sk, rt, NLM_F_EXCL);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(rt);
	if (nle == -NLE_EXIST)
		return ctr_error_set(err, EEXIST, "add default route via %s: there is one already",
				     ctr_cidr_format(&gwc, false, buf));
	if (nle < 0)
		return ctr_error_nl(err, nle, "add default route via %s dev %s",
				    ctr_cidr_format(&gwc, false, buf), rtnl_link_get_name(link));
	return 0;
}

/* ---- named network namespaces ------------------------------------------ */

int ctr_netns_enter(int nsfd, int *ret_saved, struct ctr_error *err)
{
	_cleanup_close_ int saved = -1;

	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return ctr_error_errno(err, errno, "open /proc/thread-self/ns/net");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return ctr_error_errno(err, errno, "enter network namespace (setns)");
	*ret_saved = TAKE_FD(saved);
	return 0;
}

int ctr_netns_restore(int *saved, struct ctr_error *err)
{
	int r = 0;

	if (*saved < 0)
		return 0;
	if (setns(*saved, CLONE_NEWNET) < 0)
		r = ctr_error_errno(err, errno, "return to the original network namespace");
	ctr_closep(saved);
	return r;
}

void ctr_netns_restorep(int *saved)
{
	struct ctr_error ignored;

	ctr_netns_restore(saved, &ignored);
}

/* DIR/NAME with DIR made absolute (the journal takes absolute paths only). */
int ctr_netns_path(const char *name, char *buf, size_t size, struct ctr_error *err)
{
	const char *dir = ctr_netns_dir();
	char cwd[PATH_MAX];
	int n, r;

	r = ctr_netns_name_check(name, err);
	if (r < 0)
		return r;
	if (dir[0] == '/') {
		n = snprintf(buf, size, "%s/%s", dir, name);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return ctr_error_errno(err, errno, "getcwd");
		n = snprintf(buf, size, "%s/%s/%s", cwd, dir, name);
	}
	if (n < 0 || (size_t)n >= size)
		return ctr_error_set(err, ENAMETOOLONG,
				     "path of network namespace \"%s\" is too long", name);
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (char *c = p + 1;; c++) {
		if (*c == '/' || *c == '\0') {
			char saved = *c;

			*c = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return -errno;
			*c = saved;
			if (!saved)
				break;
		}
	}
	return 0;
}

/*
 * Make dir a shared mount, binding it on itself first when it is not a
 * mount point, as iproute2 does for /run/netns: a namespace file mounted
 * there then shows in every mount namespace that shares the directory
 * (mount_namespaces(7), "shared subtrees"), not only in ours.
 */
static int make_shared_dir(const char *dir, struct ctr_error *err)
{
	bool bound = false;

	while (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* EINVAL: dir is not a mount point. */
		if (errno != EINVAL || bound)
			return ctr_error_errno(err, errno, "make %s a shared mount", dir);
		if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
			return ctr_error_errno(err, errno, "bind %s on itself", dir);
		bound = true;
	}
	return 0;
}

int ctr_netns_create(const char *name, struct ctr_error *err)
{
	_cleanup_(ctr_netns_restorep) int saved = -1;
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	int r;

	r = ctr_netns_path(name, path, sizeof(path), err);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	r = mkdir_p(dir, 0755);
	if (r < 0)
		return ctr_error_errno(err, r, "create %s", dir);
	/* The journal refuses "/../": name the directory as the kernel resolves it. */
	if (!realpath(dir, path))
		return ctr_error_errno(err, errno, "resolve %s", dir);
	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return ctr_error_set(err, ENAMETOOLONG,
				     "path of network namespace \"%s\" is too long", name);
	r = make_shared_dir(dir, err);
	if (r < 0)
		return r;

	/*
	 * The mount point first, O_EXCL: an existing NAME is refused before
	 * anything is journaled, so a reap can never remove someone else's
	 * namespace.
	 */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return ctr_error_set(err, EEXIST,
					     "network namespace \"%s\" exists already (%s)", name,
					     path);
		return ctr_error_errno(err, errno, "create %s", path);
	}
	ctr_closep(&fd);
	r = ctr_journal_netns(path, err);
	if (r < 0)
		goto fail_unlink;

	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		r = ctr_error_errno(err, errno, "open /proc/thread-self/ns/net");
		goto fail_unlink;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		r = ctr_error_errno(err, errno, "unshare(CLONE_NEWNET)");
		ctr_closep(&saved);
		goto fail_unlink;
	}
	/* The bind mount holds a reference: the namespace outlives this process. */
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		r = ctr_error_errno(err, errno, "bind the new namespace on %s", path);
		goto fail_unlink;
	}
	r = ctr_netns_restore(&saved, err);
	if (r < 0) {
		umount2(path, MNT_DETACH);
		goto fail_unlink;
	}
	return 0;

fail_unlink:
	ctr_netns_restorep(&saved);
	unlink(path);
	return r;
}

int ctr_netns_open(const char *name, int *ret_fd, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	struct statfs sfs;
	int r, type;

	r = ctr_netns_path(name, path, sizeof(path), err);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return ctr_error_set(err, ENOENT,
					     "network namespace \"%s\" does not exist (no %s)",
					     name, path);
		return ctr_error_errno(err, errno, "open network namespace \"%s\" (%s)", name,
				       path);
	}
	if (fstatfs(fd, &sfs) < 0)
		return ctr_error_errno(err, errno, "statfs %s", path);
	/* An empty file is what is left when the mount is gone: no namespace. */
	if (sfs.f_type != NSFS_MAGIC)
		return ctr_error_set(err, EINVAL,
				     "network namespace \"%s\" does not exist (%s is not an nsfs "
				     "mount)",
				     name, path);
	/* NS_GET_NSTYPE (ioctl_ns(2)), Linux 4.11: a bind of another namespace type. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET)
		return ctr_error_set(err, EINVAL, "%s is not a network namespace", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* ---- the host ends of a namespace's veths ---------------------------------- */

struct nsid_reply {
	int32_t nsid;
	bool done;
};

static int nsid_valid(struct nl_msg *msg, void *arg)
{
	struct nsid_reply *rep = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[NETNSA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWNSID)
		return NL_SKIP;
	if (nlmsg_parse(h, sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[NETNSA_NSID])
		rep->nsid = (int32_t)nla_get_u32(tb[NETNSA_NSID]);
	return NL_OK;
}

static int nsid_ack(struct nl_msg *msg, void *arg)
{
	struct nsid_reply *rep = arg;

	rep->done = true;
	return NL_STOP;
}

/*
 * The id the caller's namespace gives the namespace nsfd (RTM_GETNSID,
 * rtnetlink(7)), the one its links' IFLA_LINK_NETNSID carry; -1 when it has
 * none, so no link here has a peer there.
 */
static int netns_id(struct nl_sock *sk, int nsfd, int32_t *ret, struct ctr_error *err)
{
	struct nsid_reply rep = { .nsid = NETNSA_NSID_NOT_ASSIGNED };
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int nle;

	msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg)
		return ctr_error_errno(err, ENOMEM, "allocate a netlink message");
	nle = nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO);
	if (nle >= 0)
		nle = nla_put_u32(msg, NETNSA_FD, (uint32_t)nsfd);
	if (nle >= 0)
		nle = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (nle < 0)
		return ctr_error_nl(err, nle, "ask for a namespace id (RTM_GETNSID)");

	/* nl_socket_get_cb() hands out a reference of its own. */
	cb = nl_socket_get_cb(sk);
	if (cb) {
		struct nl_cb *orig = cb;

		cb = nl_cb_clone(orig);
		nl_cb_put(orig);
	}
	if (!cb)
		return ctr_error_errno(err, ENOMEM, "allocate a netlink callback");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nsid_valid, &rep);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nsid_ack, &rep);
	/* The reply, then the ack: read until the ack (or an error) came. */
	while (!rep.done) {
		nle = nl_recvmsgs(sk, cb);
		if (nle < 0)
			break;
	}
	nl_cb_put(cb);
	if (nle < 0)
		return ctr_error_nl(err, nle, "read the namespace id (RTM_GETNSID)");
	*ret = rep.nsid;
	return 0;
}

int ctr_netns_host_peers(int nsfd, int *ret_ifindex, size_t max, size_t *ret_n,
			 struct ctr_error *err)
{
	_cleanup_rtnl_ struct nl_sock *sk = NULL;
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	size_t n = 0;
	int32_t id;
	int nle, r;

	r = ctr_rtnl_open(&sk, err);
	if (r < 0)
		return r;
	/*
	 * Dump first: the kernel gives the peer's namespace an id when it
	 * reports a link whose peer is there, if it had none yet.
	 */
	nle = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (nle < 0)
		return ctr_error_nl(err, nle, "list links");
	r = netns_id(sk, nsfd, &id, err);
	if (r < 0)
		goto out;
	/*
	 * A veth here whose peer lives in that namespace (IFLA_LINK_NETNSID)
	 * is the host end of one of its cables. Comparing ids, not ifindexes,
	 * keeps us from taking a veth into some third namespace whose peer
	 * merely has the same ifindex.
	 */
	for (o = nl_cache_get_first(cache); o && id >= 0; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		int32_t lid;

		if (!rtnl_link_is_veth(l) || rtnl_link_get_link_netnsid(l, &lid) < 0 || lid != id)
			continue;
		if (n < max)
			ret_ifindex[n] = rtnl_link_get_ifindex(l);
		n++;
	}
	*ret_n = n;
out:
	nl_cache_free(cache);
	return r;
}

int ctr_netns_delete(const char *name, struct ctr_error *err)
{
	_cleanup_rtnl_ struct nl_sock *sk = NULL;
	_cleanup_close_ int fd = -1;
	int peers[MAX_CABLES];
	size_t n = 0;
	char path[PATH_MAX];
	struct stat st;
	int r;

	r = ctr_netns_path(name, path, sizeof(path), err);
	if (r < 0)
		return r;
	r = ctr_netns_open(name, &fd, err);
	if (r == -EINVAL && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
		/* The mount point of a create that died before its mount. */
		if (unlink(path) < 0)
			return ctr_error_errno(err, errno, "remove %s", path);
		return 0;
	}
	if (r < 0)
		return r;

	r = ctr_netns_host_peers(fd, peers, CTR_ARRAY_SIZE(peers), &n, err);
	if (r < 0)
		return ctr_error_prefix(err, "find the host ends of %s's veths", name);
	ctr_closep(&fd);
	r = ctr_rtnl_open(&sk, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && i < CTR_ARRAY_SIZE(peers); i++) {
		_cleanup_link_ struct rtnl_link *l = NULL;

		r = link_get(sk, peers[i], NULL, &l, err);
		if (r < 0)
			return r;
		if (r == 0)
			continue; /* gone meanwhile */
		r = link_delete(sk, rtnl_link_get_name(l), err);
		if (r < 0 && r != -ENOENT && r != -ENODEV)
			return r;
	}
	/* MNT_DETACH: a process that has the file open must not make this fail. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
		return ctr_error_errno(err, errno, "unmount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return ctr_error_errno(err, errno, "remove %s", path);
	return 0;
}

int ctr_netns_exec(const char *name, char **argv, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r, e;

	r = ctr_netns_open(name, &fd, err);
	if (r < 0)
		return r;
	if (setns(fd, CLONE_NEWNET) < 0)
		return ctr_error_errno(err, errno, "enter network namespace \"%s\" (setns)", name);
	ctr_closep(&fd);
	execvp(argv[0], argv);
	e = errno;
	ctr_error_errno(err, e, "exec \"%s\"", argv[0]);
	err->kind = CTR_ERROR_EXEC;
	return -e;
}

/* ---- bridges -------------------------------------------------------------- */

/* "veth", "bridge", or "device" for a link without an IFLA_INFO_KIND. */
static const char *link_type(struct rtnl_link *l)
{
	const char *t = rtnl_link_get_type(l);

	return t ? t : "device";
}

int ctr_net_bridge_create(const char *br, const struct ctr_cidr *addr, struct ctr_error *err)
{
	_cleanup_rtnl_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *l = NULL;
	int nle, r;

	r = ctr_ifname_check(br, "BR", err);
	if (r < 0)
		return r;
	r = ctr_rtnl_open(&sk, err);
	if (r < 0)
		return r;
	/* Checked before journaling: a reap must never delete a link we did not make. */
	r = link_get(sk, 0, br, &l, err);
	if (r < 0)
		return r;
	if (r > 0)
		return ctr_error_set(err, EEXIST, "link %s exists already (a %s)", br,
				     link_type(l));
	r = ctr_journal_link(br, err);
	if (r < 0)
		return r;

	l = rtnl_link_alloc();
	if (!l)
		return ctr_error_errno(err, ENOMEM, "allocate a link");
	rtnl_link_set_name(l, br);
	nle = rtnl_link_set_type(l, "bridge");
	/*
	 * NLM_F_EXCL: without it, RTM_NEWLINK on an existing name changes
	 * that link instead of failing (rtnetlink(7)); rtnl_link_bridge_add()
	 * does not ask for it.
	 */
	if (nle >= 0)
		nle = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (nle < 0) {
		r = ctr_error_nl(err, nle, "create bridge %s", br);
		if (nle == -NLE_OPNOTSUPP)
			ctr_error_hint(err, "the kernel has no bridge support (CONFIG_BRIDGE, "
					    "module bridge)");
		return r;
	}
	link_putp(&l);
	r = link_get(sk, 0, br, &l, err);
	if (r == 0)
		r = ctr_error_set(err, ENODEV, "bridge %s vanished after its creation", br);
	if (r < 0)
		goto fail;
	r = addr_add(sk, l, addr, err);
	if (r < 0)
		goto fail;
	r = link_set_up(sk, l, true, err);
	if (r < 0)
		goto fail;
	return 0;

fail:
	link_delete(sk, br, &(struct ctr_error){ 0 });
	return r;
}

int ctr_net_bridge_delete(const char *br, struct ctr_error *err)
{
	_cleanup_rtnl_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *l = NULL;
	int r;

	r = ctr_ifname_check(br, "BR", err);
	if (r < 0)
		return r;
	r = ctr_rtnl_open(&sk, err);
	if (r < 0)
		return r;
	r = link_get(sk, 0, br, &l, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ctr_error_set(err, ENODEV, "bridge %s does not exist", br);
	if (!rtnl_link_is_bridge(l))
		return ctr_error_set(err, EINVAL, "%s is not a bridge (it is a %s)", br,
				     link_type(l));
	/* A name nft cannot hold never had a table of ours. */
	if (ctr_net_nat_name_check(br, &(struct ctr_error){ 0 }) == 0) {
		r = ctr_net_nat_delete(br, true, err);
		if (r < 0)
			return r;
	}
	return link_delete(sk, br, err);
}

/* ---- cables ----------------------------------------------------------------- */

/* The first name made by fmt(i) that names no link of sk. */
static int free_name(struct nl_sock *sk, const char *what,
		     void (*make)(const void *, unsigned, char *), const void *arg,
		     char out[IFNAMSIZ], struct ctr_error *err)
{
	for (unsigned i = 0; i < MAX_CABLES; i++) {
		_cleanup_link_ struct rtnl_link *l = NULL;
		int r;

		make(arg, i, out);
		r = link_get(sk, 0, out, &l, err);
		if (r < 0)
			return r;
		if (r == 0)
			return 0;
	}
	return ctr_error_set(err, ENOSPC, "no free name for %s among %d", what, MAX_CABLES);
}

static void host_name(const void *arg, unsigned i, char *out)
{
	ctr_veth_host_name(arg, i, out);
}

static void eth_name(const void *arg, unsigned i, char *out)
{
	snprintf(out, IFNAMSIZ, "eth%u", i);
}

static int veth_add(struct nl_sock *sk, const char *host, const char *inside, int nsfd,
		    struct ctr_error *err)
{
	_cleanup_link_ struct rtnl_link *l = rtnl_link_veth_alloc();
	struct rtnl_link *peer;
	int nle;

	if (!l)
		return ctr_error_errno(err, ENOMEM, "allocate a veth");
	rtnl_link_set_name(l, host);
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(peer, inside);
	/* The peer is made right in the namespace (IFLA_NET_NS_FD), never here first. */
	rtnl_link_set_ns_fd(peer, nsfd);
	rtnl_link_put(peer);
	nle = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (nle < 0) {
		ctr_error_nl(err, nle, "create veth pair %s <-> %s", host, inside);
		if (nle == -NLE_OPNOTSUPP)
			return ctr_error_hint(err, "the kernel has no veth support (CONFIG_VETH, "
						   "module veth)");
		return -err->err;
	}
	return 0;
}

/* Fetch a link that must exist. */
static int link_need(struct nl_sock *sk, const char *ifname, const char *where,
		     struct rtnl_link **ret, struct ctr_error *err)
{
	int r = link_get(sk, 0, ifname, ret, err);

	if (r == 0)
		return ctr_error_set(err, ENODEV, "link %s is missing %s", ifname, where);
	return r < 0 ? r : 0;
}

int ctr_net_cable_add(const struct ctr_net_cable *c, char ret_host[IFNAMSIZ],
		      char ret_inside[IFNAMSIZ], struct ctr_error *err)
{
	_cleanup_rtnl_ struct nl_sock *hsk = NULL, *nsk = NULL;
	_cleanup_link_ struct rtnl_link *br = NULL, *hl = NULL, *lo = NULL, *il = NULL;
	_cleanup_close_ int nsfd = -1;
	char host[IFNAMSIZ], inside[IFNAMSIZ];
	bool lo_was_down = false;
	int r;

	r = ctr_netns_open(c->ns_name, &nsfd, err);
	if (r < 0)
		return r;
	r = ctr_rtnl_open(&hsk, err);
	if (r < 0)
		return r;
	r = ctr_rtnl_open_in(nsfd, &nsk, err);
	if (r < 0)
		return ctr_error_prefix(err, "in network namespace \"%s\"", c->ns_name);
	if (c->bridge) {
		r = link_get(hsk, 0, c->bridge, &br, err);
		if (r < 0)
			return r;
		if (r == 0)
			return ctr_error_set(err, ENODEV, "bridge %s does not exist", c->bridge);
		if (!rtnl_link_is_bridge(br))
			return ctr_error_set(err, EINVAL, "%s is not a bridge (it is a %s)",
					     c->bridge, link_type(br));
	}
	r = free_name(hsk, "the host end", host_name, c->ns_name, host, err);
	if (r < 0)
		return r;
	r = free_name(nsk, "the end in the namespace", eth_name, NULL, inside, err);
	if (r < 0)
		return r;

	r = ctr_journal_link(host, err);
	if (r < 0)
		return r;
	r = veth_add(hsk, host, inside, nsfd, err);
	if (r < 0)
		return r;

	/* From here on a failure deletes the pair (its end in NAME goes with it). */
	r = link_need(hsk, host, "after its creation", &hl, err);
	if (r < 0)
		goto fail;
	if (br) {
		int nle = rtnl_link_enslave_ifindex(hsk, rtnl_link_get_ifindex(br),
						    rtnl_link_get_ifindex(hl));

		if (nle < 0) {
			r = ctr_error_nl(err, nle, "attach %s to bridge %s", host, c->bridge);
			goto fail;
		}
	}
	if (c->has_peer_addr) {
		r = addr_add(hsk, hl, &c->peer_addr, err);
		if (r < 0)
			goto fail;
	}
	r = ctr_mutant("veth-host-end-down") ? 0 : link_set_up(hsk, hl, true, err);
	if (r < 0)
		goto fail;

	r = link_need(nsk, "lo", "in the namespace", &lo, err);
	if (r < 0)
		goto fail_ns;
	if (!(rtnl_link_get_flags(lo) & IFF_UP)) {
		r = link_set_up(nsk, lo, true, err);
		if (r < 0)
			goto fail_ns;
		lo_was_down = true;
	}
	r = link_need(nsk, inside, "in the namespace after its creation", &il, err);
	if (r < 0)
		goto fail_ns;
	/* Up before the address: IPv4 adds the prefix route of a link that is up only. */
	r = link_set_up(nsk, il, true, err);
	if (r < 0)
		goto fail_ns;
	r = addr_add(nsk, il, &c->addr, err);
	if (r < 0)
		goto fail_ns;
	if (c->has_gateway) {
		r = route_add_default(nsk, il, c->gateway, err);
		if (r < 0)
			goto fail_ns;
	}
	if (ret_host)
		memcpy(ret_host, host, IFNAMSIZ);
	if (ret_inside)
		memcpy(ret_inside, inside, IFNAMSIZ);
	return 0;

fail_ns:
	ctr_error_prefix(err, "in network namespace \"%s\"", c->ns_name);
fail:
	if (lo_was_down)
		link_set_up(nsk, lo, false, &(struct ctr_error){ 0 });
	link_delete(hsk, host, &(struct ctr_error){ 0 });
	return r;
}

/* ---- forwarding ------------------------------------------------------------ */

int ctr_net_forward_read(char *buf, size_t size, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	/* /proc/sys/net shows the namespace of the process that opens it. */
	fd = open(FORWARD_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open %s", FORWARD_PATH);
	n = read(fd, buf, size - 1);
	if (n < 0)
		return ctr_error_errno(err, errno, "read %s", FORWARD_PATH);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		return ctr_error_set(err, EIO, "read %s: empty", FORWARD_PATH);
	return 0;
}

int ctr_net_forward_write(const char *value, struct ctr_error *err)
{
	int r = ctr_write_file(AT_FDCWD, FORWARD_PATH, value);

	if (r < 0)
		return ctr_error_errno(err, r, "write \"%s\" to %s", value, FORWARD_PATH);
	return 0;
}

int ctr_net_forward_state_path(const char *br, char *buf, size_t size, struct ctr_error *err)
{
	int n = snprintf(buf, size, "%s/net/forward-%s", ctr_state_dir(), br);

	if (n < 0 || (size_t)n >= size)
		return ctr_error_set(err, ENAMETOOLONG, "state path for %s is too long", br);
	return 0;
}

int ctr_net_nat_name_check(const char *br, struct ctr_error *err)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_.-";
	int r = ctr_ifname_check(br, "BR", err);

	if (r < 0)
		return r;
	/* It is pasted into an nft table name and a quoted string: no quoting needed. */
	if (strspn(br, ok) != strlen(br))
		return ctr_error_usage(err,
				       "bridge name \"%s\" cannot be part of an nft table name "
				       "(use letters, digits, '_', '.' and '-')",
				       br);
	return 0;
}

#if !HAVE_LIBNFTABLES
bool ctr_net_have_nat(void)
{
	return false;
}

int ctr_net_nat_add(const char *br, const struct ctr_cidr *subnet, struct ctr_error *err)
{
	return ctr_error_set(err, EOPNOTSUPP, "contain was built without libnftables");
}

int ctr_net_nat_delete(const char *br, bool missing_ok, struct ctr_error *err)
{
	/* Such a contain never made a table. */
	if (missing_ok)
		return 0;
	return ctr_error_set(err, EOPNOTSUPP, "contain was built without libnftables");
}
#endif
