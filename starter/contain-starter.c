// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain-starter: the skeleton a learner grows into a container runtime.
 *
 * It has the command line of the reference runtime (runtime/CONTRACT.md):
 * every verb and option is parsed into a struct starter_opts, and then the
 * verb's function says which lesson implements it and exits 125 (1 for the
 * `oci` verbs, runc's convention). Point the suites at it with
 *
 *	meson setup build -Druntime=starter
 *	meson test -C build --suite lesson-01
 *
 * and turn one TODO at a time into code, until a lesson's tests are green.
 * Each TODO names its lesson (lessons/NN-*.md) and the man pages to read.
 * What the options mean, and what the tests check, is in CONTRACT.md.
 *
 * The parser is deliberately forgiving: it does not check values, refuse an
 * option given twice with two values, or refuse unknown options. That is part
 * of lesson 04 ("bad input"), where the tests check the exact exit status and
 * message.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_RUNTIME_FAILED 125 /* the runtime failed before CMD ran (CONTRACT.md) */
#define EXIT_OCI_FAILED	    1	/* every failure of an `oci` verb, as runc */

/* Everything the verbs can be given; the verb's own code picks what it needs. */
struct starter_opts {
	const char *verb;   /* ns, run, cgroup, net, trace, oci */
	const char *sub;    /* ns TYPE[,TYPE...]; cgroup/net/oci SUBCOMMAND */
	const char *rootfs; /* ns container --rootfs; run ROOTFS|IMAGE */
	const char *hostname;
	bool user;	      /* --user */
	bool net;	      /* --net without NAME: a new, empty network namespace */
	const char *net_name; /* --net NAME */
	const char *uid_map, *gid_map;
	const char *monotonic_offset, *boottime_offset;
	/* cgroup v2 limits, as given (lessons 05-07 parse and check them) */
	const char *memory, *memory_high, *cpus, *cpu_weight, *pids, *io_max, *cgroup_parent;
	/* net */
	const char *addr, *peer_addr, *gateway, *subnet, *to, *attach;
	bool del;
	/* trace */
	bool json;
	const char *syscalls, *pid;
	/* oci */
	const char *oci_root, *bundle, *pid_file, *signal;
	bool force, detach, keep_setid;
	/* positional arguments before "--", and the command after it */
	char **args;
	int n_args;
	char **cmd; /* NULL when there was no "--" */
};

enum {
	O_ROOTFS = 256,
	O_HOSTNAME,
	O_USER,
	O_NET,
	O_UID_MAP,
	O_GID_MAP,
	O_MONOTONIC,
	O_BOOTTIME,
	O_MEMORY,
	O_MEMORY_HIGH,
	O_CPUS,
	O_CPU_WEIGHT,
	O_PIDS,
	O_IO_MAX,
	O_CGROUP_PARENT,
	O_ADDR,
	O_PEER_ADDR,
	O_GATEWAY,
	O_SUBNET,
	O_TO,
	O_ATTACH,
	O_DELETE,
	O_JSON,
	O_SYSCALLS,
	O_PID,
	O_ROOT,
	O_BUNDLE,
	O_PID_FILE,
	O_SIGNAL,
	O_FORCE,
	O_DETACH,
	O_KEEP_SETID,
	O_IGNORED_ARG,
	O_IGNORED,
};

/* One table for every verb: CONTRACT.md says which verb takes which option. */
static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "rootfs", required_argument, NULL, O_ROOTFS },
	{ "hostname", required_argument, NULL, O_HOSTNAME },
	{ "user", no_argument, NULL, O_USER },
	{ "net", optional_argument, NULL, O_NET },
	{ "uid-map", required_argument, NULL, O_UID_MAP },
	{ "gid-map", required_argument, NULL, O_GID_MAP },
	{ "monotonic-offset", required_argument, NULL, O_MONOTONIC },
	{ "boottime-offset", required_argument, NULL, O_BOOTTIME },
	{ "memory", required_argument, NULL, O_MEMORY },
	{ "memory-high", required_argument, NULL, O_MEMORY_HIGH },
	{ "cpus", required_argument, NULL, O_CPUS },
	{ "cpu-weight", required_argument, NULL, O_CPU_WEIGHT },
	{ "pids", required_argument, NULL, O_PIDS },
	{ "io-max", required_argument, NULL, O_IO_MAX },
	{ "cgroup-parent", required_argument, NULL, O_CGROUP_PARENT },
	{ "addr", required_argument, NULL, O_ADDR },
	{ "peer-addr", required_argument, NULL, O_PEER_ADDR },
	{ "gateway", required_argument, NULL, O_GATEWAY },
	{ "subnet", required_argument, NULL, O_SUBNET },
	{ "to", required_argument, NULL, O_TO },
	{ "attach", required_argument, NULL, O_ATTACH },
	{ "delete", no_argument, NULL, O_DELETE },
	{ "json", no_argument, NULL, O_JSON },
	{ "syscalls", required_argument, NULL, O_SYSCALLS },
	{ "pid", required_argument, NULL, O_PID },
	/* `contain cgroup memory|cpu|pids --max/--high/--weight`: kept as args */
	{ "max", required_argument, NULL, O_IGNORED_ARG },
	{ "high", required_argument, NULL, O_IGNORED_ARG },
	{ "swap-max", required_argument, NULL, O_IGNORED_ARG },
	{ "weight", required_argument, NULL, O_IGNORED_ARG },
	/* oci (runc's names) */
	{ "bundle", required_argument, NULL, O_BUNDLE },
	{ "pid-file", required_argument, NULL, O_PID_FILE },
	{ "signal", required_argument, NULL, O_SIGNAL },
	{ "force", no_argument, NULL, O_FORCE },
	{ "detach", no_argument, NULL, O_DETACH },
	{ "keep-setid", no_argument, NULL, O_KEEP_SETID },
	{ "max-size", required_argument, NULL, O_IGNORED_ARG },
	{ "max-entries", required_argument, NULL, O_IGNORED_ARG },
	{ "max-depth", required_argument, NULL, O_IGNORED_ARG },
	{ "max-name", required_argument, NULL, O_IGNORED_ARG },
	{ "console-socket", required_argument, NULL, O_IGNORED_ARG },
	{ "no-new-keyring", no_argument, NULL, O_IGNORED },
	{ "no-pivot", no_argument, NULL, O_IGNORED },
	{ "all", no_argument, NULL, O_IGNORED },
	{ NULL, 0, NULL, 0 },
};

/* The one message of a verb that is not written yet; returns the exit status. */
static int not_implemented(const struct starter_opts *o, int lesson, const char *hint)
{
	fprintf(stderr, "contain-starter: %s%s%s: not implemented (lesson %02d: %s)\n", o->verb,
		o->sub ? " " : "", o->sub ? o->sub : "", lesson, hint);
	return strcmp(o->verb, "oci") == 0 ? EXIT_OCI_FAILED : EXIT_RUNTIME_FAILED;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: contain-starter VERB [OPTIONS] [ARGS...] [-- CMD...]\n"
		   "\n"
		   "The learner's skeleton of contain: the same command line, nothing done yet.\n"
		   "Verbs: ns, run, cgroup, net, trace, oci (see runtime/CONTRACT.md).\n");
}

/*
 * Parse `VERB [SUB] [OPTIONS] [ARGS...]`, the words before "--". Options may
 * come before or after the positional arguments (CONTRACT.md,
 * "Conventions"), so getopt_long(3) permutes them to the front.
 * Returns 0, 1 for --help, or -1 for a missing option value.
 */
static int parse(int argc, char **argv, struct starter_opts *o)
{
	int c;

	optind = 1;
	opterr = 0; /* TODO lesson 04: a usage error names the bad option, exit 125 */
	while ((c = getopt_long(argc, argv, "hb:p:s:fd", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case O_ROOTFS:
			o->rootfs = optarg;
			break;
		case O_HOSTNAME:
			o->hostname = optarg; /* TODO lesson 04: refuse a second, other value */
			break;
		case O_USER:
			o->user = true;
			break;
		case O_NET:
			/* `--net NAME`: only a next word that is not an option is NAME. */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			if (optarg)
				o->net_name = optarg;
			else
				o->net = true;
			break;
		case O_UID_MAP:
			o->uid_map = optarg;
			break;
		case O_GID_MAP:
			o->gid_map = optarg;
			break;
		case O_MONOTONIC:
			o->monotonic_offset = optarg;
			break;
		case O_BOOTTIME:
			o->boottime_offset = optarg;
			break;
		case O_MEMORY:
			o->memory = optarg;
			break;
		case O_MEMORY_HIGH:
			o->memory_high = optarg;
			break;
		case O_CPUS:
			o->cpus = optarg;
			break;
		case O_CPU_WEIGHT:
			o->cpu_weight = optarg;
			break;
		case O_PIDS:
			o->pids = optarg;
			break;
		case O_IO_MAX:
			o->io_max = optarg;
			break;
		case O_CGROUP_PARENT:
			o->cgroup_parent = optarg;
			break;
		case O_ADDR:
			o->addr = optarg;
			break;
		case O_PEER_ADDR:
			o->peer_addr = optarg;
			break;
		case O_GATEWAY:
			o->gateway = optarg;
			break;
		case O_SUBNET:
			o->subnet = optarg;
			break;
		case O_TO:
			o->to = optarg;
			break;
		case O_ATTACH:
			o->attach = optarg;
			break;
		case O_DELETE:
			o->del = true;
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_SYSCALLS:
			o->syscalls = optarg;
			break;
		case O_PID:
			o->pid = optarg;
			break;
		case 'b':
		case O_BUNDLE:
			o->bundle = optarg;
			break;
		case 'p':
		case O_PID_FILE:
			o->pid_file = optarg;
			break;
		case 's':
		case O_SIGNAL:
			o->signal = optarg;
			break;
		case 'f':
		case O_FORCE:
			o->force = true;
			break;
		case 'd':
		case O_DETACH:
			o->detach = true;
			break;
		case O_KEEP_SETID:
			o->keep_setid = true;
			break;
		case ':':
			return -1;
		default:
			/* O_IGNORED, O_IGNORED_ARG, and (for now) unknown options. */
			break;
		}
	}
	return 0;
}

/*
 * Split argv at "--" (CMD follows it, and is never parsed), then parse the
 * part before it; the positional arguments are what getopt_long(3) leaves
 * after the options it permuted to the front.
 */
static int parse_verb(int argc, char **argv, struct starter_opts *o)
{
	int end = argc, r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			o->cmd = argv + i + 1;
			break;
		}
	}
	r = parse(end, argv, o);
	if (r != 0)
		return r;
	o->args = argv + optind;
	o->n_args = end - optind;
	return 0;
}

/* ---- lessons 01-04 and 12: namespaces and a root filesystem ---- */

static int do_ns(struct starter_opts *o)
{
	if (o->n_args < 1)
		return not_implemented(o, 4, "TYPE is required; refuse its absence with 125");
	o->sub = o->args[0];
	/*
	 * TODO lesson 05: with any limit (--memory, --pids, ...), make the
	 * cgroup PARENT/contain-PID, write the limits, and move the child in
	 * before it execs. Read cgroups(7) and
	 * Documentation/admin-guide/cgroup-v2.rst.
	 */
	if (o->memory || o->memory_high || o->cpus || o->cpu_weight || o->pids || o->io_max)
		return not_implemented(o, 5, "cgroup v2 limits: cgroups(7), cgroup-v2.rst");
	if (strcmp(o->sub, "container") == 0)
		/*
		 * TODO lesson 04: clone3(2) into pid, mount, uts, ipc and cgroup
		 * namespaces; make the mount namespace private; bind the rootfs
		 * on itself, mount a new /proc, a read-only /sys and a small
		 * /dev; pivot_root(2) and detach the old root; sethostname(2);
		 * execvp(3) the command. Relay its status (128+N for a signal).
		 */
		return not_implemented(o, 4,
				       "a container: clone3(2), pivot_root(2), mount(2), "
				       "sethostname(2), mount_namespaces(7)");
	if (strstr(o->sub, "user") || o->user)
		/*
		 * TODO lesson 12: CLONE_NEWUSER; the parent writes "deny" to
		 * /proc/PID/setgroups, then gid_map and uid_map (default
		 * 0 100000 65536) before the child goes on.
		 */
		return not_implemented(o, 12, "user namespaces: user_namespaces(7)");
	if (strstr(o->sub, "pid"))
		/*
		 * TODO lesson 01: clone3(2) (or clone(2)) with CLONE_NEWPID, so
		 * that the command is PID 1; wait for it with waitpid(2) and
		 * exit with its status, or 128+N when signal N killed it.
		 */
		return not_implemented(o, 1,
				       "a PID namespace: clone(2) CLONE_NEWPID, "
				       "pid_namespaces(7), waitpid(2)");
	if (strstr(o->sub, "mount") || strstr(o->sub, "mnt"))
		/*
		 * TODO lesson 02: CLONE_NEWNS, then mount(2) "/" with
		 * MS_REC|MS_PRIVATE so nothing propagates back to the host.
		 */
		return not_implemented(o, 2, "a mount namespace: mount_namespaces(7), mount(2)");
	if (strstr(o->sub, "net") || o->net || o->net_name)
		/*
		 * TODO lesson 03: CLONE_NEWNET (only lo, down); --net NAME joins
		 * $CONTAIN_NETNS_DIR/NAME with setns(2) around the clone.
		 */
		return not_implemented(o, 3,
				       "a network namespace: network_namespaces(7), setns(2)");
	/* TODO lesson 04: uts (--hostname), ipc, cgroup and time (the offsets). */
	return not_implemented(o, 4,
			       "uts, ipc, cgroup and time namespaces: uts_namespaces(7), "
			       "ipc_namespaces(7), cgroup_namespaces(7), time_namespaces(7)");
}

static int do_run(struct starter_opts *o)
{
	/*
	 * TODO lesson 04: `run ROOTFS -- CMD` is `ns container --rootfs
	 * ROOTFS` plus the limits; an IMAGE (a tarball or an OCI layout) is
	 * unpacked first, as `oci unpack` does (lesson 08).
	 */
	return not_implemented(o, 4, "a one-shot container: see `ns container`, pivot_root(2)");
}

/* ---- lessons 05-07: cgroup v2 ---- */

static int do_cgroup(struct starter_opts *o)
{
	o->sub = o->n_args > 0 ? o->args[0] : NULL;
	/*
	 * TODO lesson 05: create and delete groups under the cgroup2 mount,
	 * enable controllers in the parent's cgroup.subtree_control, move
	 * pids with cgroup.procs, kill a tree with cgroup.kill.
	 * TODO lesson 06: memory.max, memory.high, memory.events.
	 * TODO lesson 07: cpu.max ("QUOTA PERIOD"), cpu.weight, io.max.
	 */
	if (o->sub && strcmp(o->sub, "memory") == 0)
		return not_implemented(o, 6, "memory.max and memory.high: cgroup-v2.rst");
	if (o->sub && (strcmp(o->sub, "cpu") == 0 || strcmp(o->sub, "io") == 0))
		return not_implemented(o, 7, "cpu.max, cpu.weight and io.max: cgroup-v2.rst");
	return not_implemented(o, 5, "cgroup v2 groups: cgroups(7), cgroup-v2.rst");
}

/* ---- lessons 03 and 11: networking ---- */

static int do_net(struct starter_opts *o)
{
	o->sub = o->n_args > 0 ? o->args[0] : NULL;
	if (o->sub && (strcmp(o->sub, "create") == 0 || strcmp(o->sub, "delete") == 0 ||
		       strcmp(o->sub, "exec") == 0 || strcmp(o->sub, "veth") == 0))
		/*
		 * TODO lesson 03: a named network namespace is a bind mount of
		 * /proc/self/ns/net on $CONTAIN_NETNS_DIR/NAME (ip-netns(8));
		 * a veth pair through rtnetlink (veth(4), rtnetlink(7)).
		 */
		return not_implemented(o, 3,
				       "named network namespaces and veth: ip-netns(8), "
				       "veth(4), rtnetlink(7)");
	/*
	 * TODO lesson 11: a bridge with an address, veth ends attached to it
	 * and brought up, a default route, NAT (an nftables masquerade rule
	 * and net.ipv4.ip_forward), and `diagnose` of a dangling veth.
	 */
	return not_implemented(o, 11, "bridges, NAT and diagnosis: bridge(8), veth(4), nft(8)");
}

/* ---- lesson 10: eBPF tracing ---- */

static int do_trace(struct starter_opts *o)
{
	/*
	 * TODO lesson 10: load tracepoint programs (libbpf), follow CMD and
	 * its children, print one JSON event per line, lose none, and relay
	 * CMD's exit status. Read bpf(2) and the libbpf documentation.
	 */
	return not_implemented(o, 10, "eBPF tracing: bpf(2), tracepoints, libbpf ring buffers");
}

/* ---- lessons 08-09: OCI ---- */

static int do_oci(int argc, char **argv, struct starter_opts *o)
{
	int i = 1;

	/* Global options come before the verb, as runc's: --root DIR, --log FILE... */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
			o->oci_root = argv[++i];
		else if ((strcmp(argv[i], "--log") == 0 || strcmp(argv[i], "--log-format") == 0) &&
			 i + 1 < argc)
			i++;
		i++;
	}
	if (i >= argc)
		return not_implemented(o, 9, "a VERB is required");
	if (parse_verb(argc - i, argv + i, o) < 0)
		return not_implemented(o, 9, "an option needs a value");
	o->sub = argv[i];
	if (strcmp(o->sub, "spec") == 0 || strcmp(o->sub, "unpack") == 0)
		/*
		 * TODO lesson 08: `spec` writes a default config.json
		 * (runtime-spec config.md); `unpack` applies an image's layers
		 * in order with whiteouts, never writing outside the bundle:
		 * openat2(2) RESOLVE_IN_ROOT, O_NOFOLLOW (image-spec layer.md).
		 */
		return not_implemented(o, 8,
				       "OCI bundles and images: openat2(2), image-spec "
				       "layer.md, runtime-spec config.md");
	/*
	 * TODO lesson 09: create (namespaces, mounts, pivot_root, then block
	 * on exec.fifo), start, state (JSON on stdout), kill
	 * (pidfd_send_signal(2)), delete (remove the cgroup and the state),
	 * run, features (runtime-spec runtime.md).
	 */
	return not_implemented(o, 9,
			       "the OCI lifecycle: runtime-spec runtime.md, pidfd_open(2), "
			       "fifo(7)");
}

int main(int argc, char **argv)
{
	struct starter_opts o = { 0 };
	int r;

	if (argc < 2) {
		fprintf(stderr, "contain-starter: missing verb\n");
		usage(stderr);
		return EXIT_RUNTIME_FAILED;
	}
	o.verb = argv[1];
	if (strcmp(o.verb, "--help") == 0 || strcmp(o.verb, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(o.verb, "--version") == 0) {
		printf("contain-starter 0\n");
		return 0;
	}
	if (strcmp(o.verb, "oci") == 0)
		return do_oci(argc - 1, argv + 1, &o);

	r = parse_verb(argc - 1, argv + 1, &o);
	if (r == 1) {
		usage(stdout);
		return 0;
	}
	if (r < 0)
		return not_implemented(&o, 4, "an option needs a value; name it, exit 125");
	if (strcmp(o.verb, "ns") == 0)
		return do_ns(&o);
	if (strcmp(o.verb, "run") == 0)
		return do_run(&o);
	if (strcmp(o.verb, "cgroup") == 0)
		return do_cgroup(&o);
	if (strcmp(o.verb, "net") == 0)
		return do_net(&o);
	if (strcmp(o.verb, "trace") == 0)
		return do_trace(&o);
	fprintf(stderr, "contain-starter: unknown verb \"%s\"\n", o.verb);
	return EXIT_RUNTIME_FAILED;
}
