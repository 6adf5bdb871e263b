// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain net create|delete|bridge|attach|veth|nat|exec|diagnose ...
 *
 * Container networking one step at a time, in the network namespace contain
 * runs in ("the host"): named namespaces, a bridge as the gateway, veth
 * cables, NAT, running a command in a namespace, and a diagnosis of the
 * chain from a namespace to its gateway. The forms, messages and exit
 * codes are in runtime/CONTRACT.md; the kernel work is in
 * libcontain/ctr-net.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "contain-cli.h"
#include "ctr-net-diagnose.h"
#include "ctr-net.h"
#include "ctr-util.h"

enum {
	NET_ADDR = OPT_LAST + 1,
	NET_PEER_ADDR,
	NET_GATEWAY,
	NET_SUBNET,
	NET_DELETE,
	NET_TO,
	NET_ATTACH,
	NET_LAST,
};

/* The bit of an option in subcommands[].options. */
#define BIT(o) (1u << (unsigned)(o - NET_ADDR))

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "addr", required_argument, NULL, NET_ADDR },
	{ "peer-addr", required_argument, NULL, NET_PEER_ADDR },
	{ "gateway", required_argument, NULL, NET_GATEWAY },
	{ "subnet", required_argument, NULL, NET_SUBNET },
	{ "delete", no_argument, NULL, NET_DELETE },
	{ "to", required_argument, NULL, NET_TO },
	{ "attach", required_argument, NULL, NET_ATTACH },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	const char *name;
	unsigned positionals; /* how many NAME/BR arguments */
	unsigned options;     /* BIT(NET_*) it takes */
	const char *help;
} subcommands[] = {
	[CLI_NET_CREATE] = {
		"create", 1, BIT(NET_ATTACH) | BIT(NET_ADDR) | BIT(NET_GATEWAY),
		"usage: contain net create NAME [--attach BR --addr CIDR [--gateway IP]]\n"
		"\n"
		"A new network namespace, bind-mounted at $CONTAIN_NETNS_DIR/NAME (default\n"
		"/run/netns/NAME, where `ip netns` sees it). It has only lo, and lo is down.\n"
		"NAME is 1-63 of A-Z a-z 0-9 _ . -, not starting with . or -.\n"
		"With --attach, NAME is then cabled to bridge BR in the same call, as\n"
		"`contain net attach NAME BR --addr CIDR [--gateway IP]` would; if that\n"
		"fails, NAME is deleted again.\n",
	},
	[CLI_NET_DELETE] = {
		"delete", 1, 0,
		"usage: contain net delete NAME\n"
		"\n"
		"Delete the host ends of NAME's veth cables (their ends in NAME go with\n"
		"them), then unmount and remove $CONTAIN_NETNS_DIR/NAME.\n",
	},
	[CLI_NET_BRIDGE] = {
		"bridge", 1, BIT(NET_ADDR) | BIT(NET_DELETE),
		"usage: contain net bridge BR --addr CIDR\n"
		"       contain net bridge --delete BR\n"
		"\n"
		"Create bridge BR with the address CIDR (the gateway of its subnet, e.g.\n"
		"10.9.0.1/24) and bring it up. --delete removes BR, and its NAT table if\n"
		"`contain net nat BR` made one.\n",
	},
	[CLI_NET_ATTACH] = {
		"attach", 2, BIT(NET_ADDR) | BIT(NET_GATEWAY),
		"usage: contain net attach NAME BR --addr CIDR [--gateway IP]\n"
		"\n"
		"Cable NAME to bridge BR: a veth pair whose host end ve-NAME is enslaved to\n"
		"BR and up, and whose other end is eth0 (or the first free ethN) in NAME,\n"
		"up, with the address CIDR; lo in NAME is brought up. --gateway adds a\n"
		"default route via IP, which must lie in CIDR. On failure the pair is\n"
		"deleted again.\n",
	},
	[CLI_NET_VETH] = {
		"veth", 1, BIT(NET_ADDR) | BIT(NET_PEER_ADDR),
		"usage: contain net veth NAME --addr CIDR --peer-addr CIDR\n"
		"\n"
		"A point-to-point cable, no bridge: --addr goes on the end in NAME (eth0 or\n"
		"the first free ethN), --peer-addr on the host end ve-NAME. Both must be\n"
		"in one subnet. Both ends and NAME's lo are brought up.\n",
	},
	[CLI_NET_NAT] = {
		"nat", 1, BIT(NET_SUBNET) | BIT(NET_DELETE),
		"usage: contain net nat BR --subnet CIDR\n"
		"       contain net nat --delete BR\n"
		"\n"
		"Let CIDR (e.g. 10.9.0.0/24) reach beyond the host: net.ipv4.ip_forward=1\n"
		"(the old value is saved in $CONTAIN_STATE_DIR/net/forward-BR) and the\n"
		"nftables table `ip isolab-nat-BR`, chain postrouting (type nat hook\n"
		"postrouting priority srcnat), rule `ip saddr CIDR oifname != \"BR\"\n"
		"masquerade`. --delete removes the table, and restores ip_forward when no\n"
		"other isolab-nat-* table remains.\n",
	},
	[CLI_NET_EXEC] = {
		"exec", 1, 0,
		"usage: contain net exec NAME -- CMD [ARG...]\n"
		"\n"
		"Run CMD in NAME's network namespace (setns(2), then execvp(3)); nothing\n"
		"else changes. The exit status is CMD's own; 126 if CMD cannot be\n"
		"executed, 127 if it was not found, 125 if contain failed.\n",
	},
	[CLI_NET_DIAGNOSE] = {
		"diagnose", 1, BIT(NET_TO),
		"usage: contain net diagnose NAME [--to IP]\n"
		"\n"
		"Check, in order, each step from NAME to its gateway: namespace mounted, lo\n"
		"up, a veth end inside, that end up and with an IPv4 address, its host end\n"
		"here and up, enslaved to the bridge of that subnet (n/a for a\n"
		"point-to-point cable), bridge up, the gateway address, the default route.\n"
		"With --to IP (an address beyond the host): a route to IP in NAME,\n"
		"ip_forward here, and an isolab-nat-* masquerade of NAME's subnet.\n"
		"Prints one line per check (ok, MISSING or n/a), then the first missing\n"
		"step. Exit status 0 when all are ok, 1 when a step is missing, 125 on\n"
		"error (e.g. an unknown NAME).\n",
	},
};

static void usage(void)
{
	printf("usage: contain net create NAME [--attach BR --addr CIDR [--gateway IP]]\n"
	       "       contain net delete NAME\n"
	       "       contain net bridge BR --addr CIDR\n"
	       "       contain net bridge --delete BR\n"
	       "       contain net attach NAME BR --addr CIDR [--gateway IP]\n"
	       "       contain net veth NAME --addr CIDR --peer-addr CIDR\n"
	       "       contain net nat BR --subnet CIDR\n"
	       "       contain net nat --delete BR\n"
	       "       contain net exec NAME -- CMD [ARG...]\n"
	       "       contain net diagnose NAME [--to IP]\n"
	       "\n"
	       "Container networking in the network namespace contain runs in (\"the\n"
	       "host\"), through rtnetlink and nftables.\n"
	       "\n"
	       "  create    a network namespace bind-mounted at $CONTAIN_NETNS_DIR/NAME\n"
	       "  delete    remove NAME's veth cables and its bind mount\n"
	       "  bridge    a bridge with the gateway address CIDR, up; --delete removes it\n"
	       "  attach    a veth cable from bridge BR into NAME, addressed, up\n"
	       "  veth      a point-to-point veth cable into NAME, no bridge\n"
	       "  nat       ip_forward and a masquerade rule for CIDR; --delete undoes them\n"
	       "  exec      run CMD in NAME's network namespace\n"
	       "  diagnose  check each step from NAME to its gateway, name the first missing\n"
	       "\n"
	       "CIDR is A.B.C.D/N, IP is A.B.C.D. 'contain net SUBCOMMAND --help' says more.\n"
	       "\n"
	       "Environment:\n"
	       "  CONTAIN_NETNS_DIR   where namespaces are bind-mounted (default /run/netns)\n"
	       "  CONTAIN_STATE_DIR   contain's state (default /run/contain)\n"
	       "  ISOLAB_JOURNAL      the harness journal: every object is written there\n"
	       "                      before it is made\n"
	       "\n"
	       "Exit status: 0, or 125 if contain failed; exec: CMD's own, 126 if CMD cannot\n"
	       "be executed, 127 if CMD was not found; diagnose: 1 when a step is missing.\n");
}

static const char *option_name(int id)
{
	for (const struct option *o = options; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

static int set_option(struct cli_net_opts *o, unsigned *seen, int c, const char *arg,
		      struct ctr_error *err)
{
	const char *sub = subcommands[o->cmd].name;
	unsigned bit = BIT(c);
	char name[32];

	snprintf(name, sizeof(name), "--%s", option_name(c));
	if (!(subcommands[o->cmd].options & bit))
		return ctr_error_usage(err, "%s does not apply to net %s", name, sub);
	if (*seen & bit)
		return ctr_error_usage(err, "%s given twice", name);
	*seen |= bit;

	switch (c) {
	case NET_ADDR:
		o->has_addr = true;
		return ctr_cidr_parse(arg, name, false, &o->addr, err);
	case NET_PEER_ADDR:
		o->has_peer_addr = true;
		return ctr_cidr_parse(arg, name, false, &o->peer_addr, err);
	case NET_GATEWAY:
		o->has_gateway = true;
		return ctr_ip_parse(arg, name, &o->gateway, err);
	case NET_SUBNET:
		o->has_subnet = true;
		return ctr_cidr_parse(arg, name, true, &o->subnet, err);
	case NET_TO:
		o->has_to = true;
		return ctr_ip_parse(arg, name, &o->to, err);
	case NET_DELETE:
		o->del = true;
		return 0;
	case NET_ATTACH:
		o->bridge = arg;
		return 0;
	}
	return ctr_error_usage(err, "unexpected option %s", name);
}

static int positional(struct cli_net_opts *o, unsigned *n, const char *arg, struct ctr_error *err)
{
	if (*n >= subcommands[o->cmd].positionals) {
		if (o->cmd == CLI_NET_EXEC)
			return ctr_error_usage(
				err, "unexpected argument \"%s\" (the command goes after --)", arg);
		return ctr_error_usage(err, "unexpected argument \"%s\"", arg);
	}
	if (*n == 0)
		o->name = arg;
	else
		o->bridge = arg;
	(*n)++;
	return 0;
}

/* Two CIDRs on the two ends of one cable: one subnet, two addresses. */
static int check_same_subnet(const struct cli_net_opts *o, struct ctr_error *err)
{
	char a[CTR_CIDR_STRLEN], b[CTR_CIDR_STRLEN];

	ctr_cidr_format(&o->addr, true, a);
	ctr_cidr_format(&o->peer_addr, true, b);
	if (o->addr.prefix != o->peer_addr.prefix ||
	    ctr_cidr_network(&o->addr) != ctr_cidr_network(&o->peer_addr))
		return ctr_error_usage(err, "--addr %s and --peer-addr %s are not in one subnet", a,
				       b);
	if (o->addr.addr == o->peer_addr.addr)
		return ctr_error_usage(err, "--addr and --peer-addr are the same address (%s)", a);
	return 0;
}

/* attach, create --attach: an address, and a gateway inside its subnet. */
static int check_cable(const struct cli_net_opts *o, struct ctr_error *err)
{
	char a[CTR_CIDR_STRLEN], g[CTR_CIDR_STRLEN];
	int r;

	r = ctr_ifname_check(o->bridge, "BR", err);
	if (r < 0)
		return r;
	if (!o->has_addr)
		return ctr_error_usage(err, "missing --addr CIDR");
	if (!o->has_gateway)
		return 0;
	ctr_cidr_format(&o->addr, true, a);
	ctr_cidr_format(&o->gateway, false, g);
	if (!ctr_cidr_contains(&o->addr, o->gateway.addr))
		return ctr_error_usage(err, "--gateway %s is not inside --addr %s", g, a);
	if (o->gateway.addr == o->addr.addr)
		return ctr_error_usage(err, "--gateway %s is the namespace's own address", g);
	return 0;
}

/* After the options: what each subcommand needs, and values that must agree. */
static int check_complete(struct cli_net_opts *o, unsigned n, int argc, char **argv, int optind_,
			  struct ctr_error *err)
{
	int r;

	if (n < 1)
		return ctr_error_usage(err, "missing %s",
				       o->cmd == CLI_NET_BRIDGE || o->cmd == CLI_NET_NAT ? "BR" :
											   "NAME");
	if (o->cmd == CLI_NET_ATTACH && n < 2)
		return ctr_error_usage(err, "missing BR");
	if (o->cmd == CLI_NET_EXEC) {
		r = cli_check_separator(argc, argv, optind_, err);
		if (r < 0)
			return r;
		o->argv = argv + optind_;
		if (!o->argv[0][0])
			return ctr_error_usage(err, "the command is an empty string");
	} else if (optind_ > 0 && optind_ <= argc && strcmp(argv[optind_ - 1], "--") == 0) {
		return ctr_error_usage(err, "takes no command after --");
	}

	switch (o->cmd) {
	case CLI_NET_CREATE:
		r = ctr_netns_name_check(o->name, err);
		if (r < 0)
			return r;
		if (o->bridge)
			return check_cable(o, err);
		if (o->has_addr || o->has_gateway)
			return ctr_error_usage(err, "--addr and --gateway need --attach BR");
		return 0;
	case CLI_NET_DELETE:
	case CLI_NET_EXEC:
	case CLI_NET_DIAGNOSE:
	case CLI_NET_VETH:
		r = ctr_netns_name_check(o->name, err);
		if (r < 0)
			return r;
		if (o->cmd != CLI_NET_VETH)
			return 0;
		if (!o->has_addr || !o->has_peer_addr)
			return ctr_error_usage(err,
					       "both --addr CIDR and --peer-addr CIDR are needed");
		return check_same_subnet(o, err);
	case CLI_NET_BRIDGE:
		r = ctr_ifname_check(o->name, "BR", err);
		if (r < 0)
			return r;
		if (o->del && o->has_addr)
			return ctr_error_usage(err, "--delete takes no --addr");
		if (!o->del && !o->has_addr)
			return ctr_error_usage(err, "missing --addr CIDR (or --delete)");
		return 0;
	case CLI_NET_NAT:
		r = ctr_net_nat_name_check(o->name, err);
		if (r < 0)
			return r;
		if (o->del && o->has_subnet)
			return ctr_error_usage(err, "--delete takes no --subnet");
		if (!o->del && !o->has_subnet)
			return ctr_error_usage(err, "missing --subnet CIDR (or --delete)");
		return 0;
	case CLI_NET_ATTACH:
		r = ctr_netns_name_check(o->name, err);
		if (r < 0)
			return r;
		return check_cable(o, err);
	}
	return 0;
}

int cmd_net_parse(int argc, char **argv, struct cli_net_opts *o, struct ctr_error *err)
{
	unsigned seen = 0, n = 0;
	const char *sub;
	size_t i;
	int c, r;

	memset(o, 0, sizeof(*o));
	if (argc < 2)
		return ctr_error_usage(err, "missing subcommand (create, delete, bridge, attach, "
					    "veth, nat, exec or diagnose)");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
		return CLI_HELP;
	for (i = 0; i < CTR_ARRAY_SIZE(subcommands); i++)
		if (strcmp(subcommands[i].name, sub) == 0)
			break;
	if (i == CTR_ARRAY_SIZE(subcommands))
		return ctr_error_usage(err,
				       "unknown net subcommand \"%s\" (expected create, delete, "
				       "bridge, attach, veth, nat, exec or diagnose)",
				       sub);
	o->cmd = (enum cli_net_cmd)i;
	o->has_cmd = true;

	/* getopt sees the subcommand as argv[0]. */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:h", options, NULL)) != -1) {
		switch (c) {
		case 1:
			r = positional(o, &n, optarg, err);
			break;
		case 'h':
			return CLI_HELP;
		case '?':
		case ':':
			return cli_getopt_error(c, argv, options, err);
		default:
			r = set_option(o, &seen, c, optarg, err);
			break;
		}
		if (r < 0)
			return r;
	}
	r = check_complete(o, n, argc, argv, optind, err);
	if (r < 0)
		return r;
	return CLI_PARSED;
}

static int run_diagnose(const struct cli_net_opts *o, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	struct ctr_net_facts facts;
	struct ctr_net_verdict v;
	char path[PATH_MAX];
	int r;

	r = ctr_netns_path(o->name, path, sizeof(path), err);
	if (r < 0)
		return r;
	/* An existing file that is no nsfs mount is the first check failing, not an error. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return ctr_error_set(err, ENOENT,
					     "network namespace \"%s\" does not exist (no %s)",
					     o->name, path);
		return ctr_error_errno(err, errno, "open %s", path);
	}
	r = ctr_net_facts_gather(fd, o->name, &facts, err);
	if (r < 0)
		return r;
	r = ctr_net_diagnose(&facts, o->has_to ? &o->to : NULL, &v);
	ctr_net_facts_free(&facts);
	for (size_t i = 0; i < v.n; i++) {
		const struct ctr_net_check *ch = &v.checks[i];

		printf("%-7s  %s", ctr_net_check_state_name(ch->state), ch->label);
		if (ch->msg[0])
			printf(": %s", ch->msg);
		putchar('\n');
	}
	if (v.first_missing >= 0)
		printf("first missing step: %s\n", v.checks[v.first_missing].msg);
	else
		printf("every step is in place\n");
	fflush(stdout);
	return r == 1 ? CLI_NET_DIAGNOSE_MISSING : 0;
}

static int cable_add(const struct cli_net_opts *o, struct ctr_error *err)
{
	struct ctr_net_cable cable = {
		.ns_name = o->name,
		.bridge = o->bridge,
		.addr = o->addr,
		.has_gateway = o->has_gateway,
		.gateway = o->gateway.addr,
		.has_peer_addr = o->has_peer_addr,
		.peer_addr = o->peer_addr,
	};

	return ctr_net_cable_add(&cable, NULL, NULL, err);
}

/*
 * create --attach: one process for the whole per-container setup (a
 * namespace, its cable, addresses and route). A failed attach deletes the
 * namespace again, so nothing is left half-built.
 */
static int create(const struct cli_net_opts *o, struct ctr_error *err)
{
	struct ctr_error ignored = { 0 };
	int r;

	r = ctr_netns_create(o->name, err);
	if (r < 0 || !o->bridge)
		return r;
	r = cable_add(o, err);
	if (r < 0 && ctr_netns_delete(o->name, &ignored) < 0)
		ctr_error_hint(err, "and deleting the new namespace again failed too");
	return r;
}

static int run(const struct cli_net_opts *o, struct ctr_error *err)
{
	int r;

	switch (o->cmd) {
	case CLI_NET_CREATE:
		return create(o, err);
	case CLI_NET_DELETE:
		return ctr_netns_delete(o->name, err);
	case CLI_NET_BRIDGE:
		if (o->del)
			return ctr_net_bridge_delete(o->name, err);
		return ctr_net_bridge_create(o->name, &o->addr, err);
	case CLI_NET_ATTACH:
	case CLI_NET_VETH:
		return cable_add(o, err);
	case CLI_NET_NAT:
		if (o->del) {
			r = ctr_net_nat_delete(o->name, false, err);
			return r < 0 ? r : 0;
		}
		return ctr_net_nat_add(o->name, &o->subnet, err);
	case CLI_NET_EXEC:
		return ctr_netns_exec(o->name, o->argv, err);
	case CLI_NET_DIAGNOSE:
		return run_diagnose(o, err);
	}
	return ctr_error_usage(err, "unknown subcommand");
}

int cmd_net(int argc, char **argv)
{
	struct ctr_error err = { 0 };
	struct cli_net_opts o;
	char verb[32];
	int r;

	r = cmd_net_parse(argc, argv, &o, &err);
	snprintf(verb, sizeof(verb), "net %s", o.has_cmd ? subcommands[o.cmd].name : "");
	if (!o.has_cmd)
		verb[3] = '\0';
	if (r == CLI_HELP) {
		if (o.has_cmd)
			fputs(subcommands[o.cmd].help, stdout);
		else
			usage();
		return 0;
	}
	if (r >= 0)
		r = run(&o, &err);
	if (r < 0) {
		/* "contain: net attach: bridge br9 does not exist" */
		ctr_error_prefix(&err, "%s", verb);
		return cli_fail(verb, &err);
	}
	return r;
}
