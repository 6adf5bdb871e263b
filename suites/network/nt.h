/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network suite's sandbox: a "lab host" per test, traffic of our own,
 * and snapshots of what the lab holds.
 *
 * Each test first enters a private mount namespace and a new network
 * namespace (network_namespaces(7)): the lab host. The runtime runs there,
 * so its bridges, host veth ends and NAT live there and never in the root
 * namespace. Its named namespaces go to a tmpfs in the test's scratch dir
 * (CONTAIN_NETNS_DIR), mounted in the private mount namespace: when the
 * test ends, or is killed, the mounts go with that namespace, and with them
 * every network namespace the test made.
 *
 * An "upstream" namespace stands in for the internet: a veth cable from the
 * lab (203.0.113.1/24) to it (203.0.113.10/24), in TEST-NET-3 (RFC 5737),
 * built by our own libnl code. Upstream has no route to the containers'
 * 10.x subnets, so only a masquerading lab gets replies from it.
 *
 * Traffic is ours too: a UDP echo server forked into some namespace that
 * answers with the source address it saw (and tells the test), and a
 * client forked into a named namespace that sends a bounded number of
 * datagrams with a deadline. Every address is inside the sandbox.
 */
#ifndef NT_H
#define NT_H

#include <limits.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ht-proc.h"
#include "ht-runtime.h"
#include "ht-util.h"
#include "isolab.h"

/* What every test of the suite needs: its lab (a netns, a private mount ns) and veth. */
#define NT_NEEDS_LAB "ns.net", "ns.mnt", "net.veth"

/* The cable to upstream (RFC 5737 TEST-NET-3; nothing outside the sandbox). */
#define NT_UPLINK_IF   "uplink0"
#define NT_UPLINK_LAB  "203.0.113.1"
#define NT_UPSTREAM    "203.0.113.10"
#define NT_UPLINK_PLEN 24

struct nt_lab {
	/*
	 * Fixed buffers, not heap strings: the lab lives as long as the test
	 * process, and the children it forks _exit() without freeing.
	 */
	char dir[PATH_MAX];	  /* the tmpfs holding what follows */
	char netns_dir[PATH_MAX]; /* $CONTAIN_NETNS_DIR */
	char state_dir[PATH_MAX]; /* $CONTAIN_STATE_DIR */
	char lab_path[PATH_MAX];  /* an nsfs bind mount of the lab namespace (journaled) */
	int lab_fd;		  /* the lab namespace */
	int upstream_fd;	  /* the upstream namespace; -1 until nt_upstream() */
};

/*
 * Enter the test's lab: private mount namespace, new network namespace
 * with lo up and net.ipv4.ip_forward=0 (a new namespace copies the
 * initial one's value, and the NAT test must see `nat` turn it on), the
 * tmpfs, and CONTAIN_NETNS_DIR / CONTAIN_STATE_DIR in the environment of
 * every command the test runs. BROKEN on failure.
 */
void nt_lab_enter(struct ht_ctx *t, struct nt_lab *lab);

/* Build the upstream namespace and its cable to the lab. BROKEN on failure. */
void nt_upstream(struct ht_ctx *t, struct nt_lab *lab);

/* $CONTAIN_NETNS_DIR/NAME (malloc'd). */
char *nt_ns_path(const struct nt_lab *lab, const char *name);
/*
 * The namespace NAME as an fd, or FAIL and end the test when there is no
 * namespace there: the runtime was asked to make it.
 */
int nt_ns_open(struct ht_ctx *t, const struct nt_lab *lab, const char *name);
/* st_ino of the namespace bind-mounted at NAME, 0 when there is none. */
unsigned long long nt_ns_inode(const struct nt_lab *lab, const char *name);

/* ---- the runtime ------------------------------------------------------- */

/* Run the runtime with args in the lab; p holds the result (ht_proc_free it). */
void nt_contain(struct ht_ctx *t, struct ht_proc *p, const char *const *args);
/* "net attach a b ..." for messages (malloc'd). */
char *nt_args_str(const char *const *args);
/*
 * A step the behaviour rests on: FAIL (at the caller's file:line) and end
 * the test unless it exits 0.
 */
void nt_contain_ok_at(struct ht_ctx *t, const char *file, int line, const char *const *args);
#define NT_CONTAIN_OK(t, ...) nt_contain_ok_at(t, __FILE__, __LINE__, HT_ARGS(__VA_ARGS__))

/* ---- our own netlink (libnl-route-3), in the namespace ns_fd (-1: the lab) ---- */

/* Bring a link up. BROKEN on failure. */
void nt_link_up(struct ht_ctx *t, int ns_fd, const char *ifname);
/* Add an IPv4 address ("10.0.0.1/24") to a link. BROKEN on failure. */
void nt_addr_add(struct ht_ctx *t, int ns_fd, const char *ifname, const char *cidr);
/* Add a default route via gw. BROKEN on failure. */
void nt_route_default(struct ht_ctx *t, int ns_fd, const char *gw);
/*
 * Journal (as a link of the lab), then create, a veth pair: `host` in the
 * lab and `peer` moved into the namespace peer_fd. Both ends stay down.
 */
void nt_veth(struct ht_ctx *t, struct nt_lab *lab, const char *host, const char *peer, int peer_fd);
/* Enslave a lab link to a lab bridge. BROKEN on failure. */
void nt_enslave(struct ht_ctx *t, const char *port, const char *master);

/*
 * The links of a namespace (-1: the lab), one line each, sorted:
 * "NAME KIND master=MASTER up|down" ("-" for no kind or no master).
 */
char *nt_links(struct ht_ctx *t, int ns_fd);
/* Its IPv4 routes of every table, one line each, sorted: "TABLE TYPE DST via GW dev DEV". */
char *nt_routes(struct ht_ctx *t, int ns_fd);
/* Whether text holds line as one whole line. */
bool nt_has_line(const char *text, const char *line);

/* The lab's net.ipv4.ip_forward (0 or 1), -1 when unreadable. */
int nt_ip_forward(void);

/* ---- traffic ----------------------------------------------------------- */

/* A UDP echo server: replies "<payload> from <source address>". */
struct nt_echo {
	pid_t pid;
	int report_fd; /* one line per datagram received: its source address */
	char addr[INET_ADDRSTRLEN];
	unsigned port;
	char *seen; /* what report_fd said so far, drained by nt_echo_seen() */
};

/*
 * Fork a server into the namespace ns_fd (-1: the lab) bound to addr (which
 * must exist there) on a free port; returns once it listens. BROKEN when
 * it cannot bind.
 */
void nt_echo_start(struct ht_ctx *t, struct nt_echo *e, int ns_fd, const char *addr);
/*
 * The source addresses of every datagram the server received since it
 * started, one per line (owned by e; "" when none).
 */
const char *nt_echo_seen(struct nt_echo *e);
void nt_echo_stop(struct nt_echo *e);

struct nt_reach {
	bool entered;		    /* the client got into the namespace */
	bool reached;		    /* a reply to one of our datagrams came back */
	int err;		    /* the last error seen (connect, send, recv), 0 if none */
	int sent;		    /* datagrams sent */
	char seen[INET_ADDRSTRLEN]; /* the source address the server reported */
};

/*
 * From inside the namespace NAME (NULL: the lab), send up to `tries` UDP
 * datagrams to addr:port, one every NT_TRY_MS, until a reply comes.
 */
#define NT_TRY_MS 200
struct nt_reach nt_udp(struct ht_ctx *t, const struct nt_lab *lab, const char *name,
		       const char *addr, unsigned port, int tries);

/*
 * NT_EXPECT_REACH: NAME reaches the server e. A reply comes back within
 * the test's deadline (up to 5 s), and the server saw the source address
 * want_src (NULL: any). FAIL at the caller's line otherwise, naming what
 * was wrong.
 */
bool nt_expect_reach_at(struct ht_ctx *t, const char *file, int line, const struct nt_lab *lab,
			const char *name, struct nt_echo *e, const char *want_src);
#define NT_EXPECT_REACH(t, lab, name, e, want_src) \
	nt_expect_reach_at(t, __FILE__, __LINE__, lab, name, e, want_src)
/*
 * NT_EXPECT_NO_REACH: NAME does not reach the server e. The client got
 * into NAME and really tried (sent datagrams, or was refused by the
 * kernel), yet none of a bounded burst (5, one every NT_TRY_MS) arrived at
 * the server and no reply came back. FAIL at the caller's line otherwise.
 */
bool nt_expect_no_reach_at(struct ht_ctx *t, const char *file, int line, const struct nt_lab *lab,
			   const char *name, struct nt_echo *e);
#define NT_EXPECT_NO_REACH(t, lab, name, e) \
	nt_expect_no_reach_at(t, __FILE__, __LINE__, lab, name, e)

/* ---- snapshots --------------------------------------------------------- */

/*
 * What the lab holds, as sorted text: its links (name, kind, master, up),
 * addresses, routes, nft tables (libnftables `list tables`) and ip_forward;
 * the entries of CONTAIN_NETNS_DIR and the links, addresses and routes of
 * each namespace there; and the nsfs mounts of /proc/self/mountinfo.
 */
char *nt_snapshot(struct ht_ctx *t, struct nt_lab *lab);
/* FAIL when after differs from before, listing the lines that differ. */
bool nt_expect_same(struct ht_ctx *t, const char *before, const char *after, const char *what);

#endif
