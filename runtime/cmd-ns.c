// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain ns TYPE[,TYPE...] [OPTIONS] -- CMD [ARG...]
 * contain ns container --rootfs DIR [OPTIONS] -- CMD [ARG...]
 *
 * Run CMD in new namespaces of the given types (pid, mount, uts, ipc, user,
 * cgroup, time, net), or as a container: pid, mount, uts, ipc and cgroup
 * namespaces plus a root filesystem entered with pivot_root(2). Either
 * may run in a cgroup of its own with cgroup v2 limits.
 */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "contain-cli.h"
#include "ctr-namespace.h"

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "user", no_argument, NULL, OPT_USER },
	{ "net", optional_argument, NULL, OPT_NET },
	{ "uid-map", required_argument, NULL, OPT_UID_MAP },
	{ "gid-map", required_argument, NULL, OPT_GID_MAP },
	{ "monotonic-offset", required_argument, NULL, OPT_MONOTONIC_OFFSET },
	{ "boottime-offset", required_argument, NULL, OPT_BOOTTIME_OFFSET },
	CLI_LIMIT_OPTIONS,
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("usage: contain ns TYPE[,TYPE...] [OPTIONS] -- CMD [ARG...]\n"
	       "       contain ns container --rootfs DIR [OPTIONS] -- CMD [ARG...]\n"
	       "\n"
	       "Run CMD in new namespaces. TYPE is pid, mount, uts, ipc, user, cgroup, time\n"
	       "or net; with pid, CMD is PID 1. \"container\" is pid+mount+uts+ipc+cgroup with\n"
	       "DIR as the root (pivot_root), a fresh /proc, a read-only /sys and a small /dev.\n"
	       "\n"
	       "Options:\n"
	       "  --rootfs DIR              the container's root directory (ns container)\n"
	       "  --hostname NAME           set the hostname (needs uts; default for a\n"
	       "                            container: " CTR_DEFAULT_HOSTNAME ")\n"
	       "  --user                    add a user namespace\n"
	       "  --uid-map IN:OUT:COUNT    uid map, ranges separated by commas\n"
	       "                            (default 0:100000:65536)\n"
	       "  --gid-map IN:OUT:COUNT    gid map (default 0:100000:65536)\n"
	       "  --net                     add a new, empty network namespace\n"
	       "  --net NAME, --net=NAME    join the named network namespace NAME instead\n"
	       "                            (`contain net create NAME`)\n"
	       "  --monotonic-offset SECS   CLOCK_MONOTONIC offset (needs time)\n"
	       "  --boottime-offset SECS    CLOCK_BOOTTIME offset (needs time)\n"
	       "  -h, --help                show this help\n"
	       "\n" CLI_LIMITS_HELP "\n"
	       "Exit status: CMD's own, 128+N if a signal N killed it, 125 if contain\n"
	       "failed, 126 if CMD cannot be executed, 127 if CMD was not found.\n");
}

static int set_type(const char *type, struct ctr_config *cfg, struct ctr_error *err)
{
	char copy[128];

	if (strcmp(type, "container") == 0) {
		cfg->mode = CTR_MODE_CONTAINER;
		cfg->namespaces = CTR_NS_CONTAINER;
		return 0;
	}
	snprintf(copy, sizeof(copy), ",%s,", type);
	if (strstr(copy, ",container,"))
		return ctr_error_usage(err, "container cannot be combined with other types "
					    "(use --user and --net to add those)");
	cfg->mode = CTR_MODE_NS;
	return ctr_namespace_parse_list(type, &cfg->namespaces, err);
}

int cmd_ns_parse(int argc, char **argv, struct ctr_config *cfg, struct ctr_error *err)
{
	struct cli_seen seen = { 0 };
	const char *type = NULL;
	int c, r;

	ctr_config_init(cfg);
	optind = 0; /* full getopt reset: the unit tests parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:h", options, NULL)) != -1) {
		switch (c) {
		case 1:
			if (type)
				return ctr_error_usage(err,
						       "unexpected argument \"%s\" (the command "
						       "goes after --)",
						       optarg);
			type = optarg;
			break;
		case 'h':
			return CLI_HELP;
		case '?':
		case ':':
			return cli_getopt_error(c, argv, options, err);
		case OPT_NET:
			/* "--net NAME" as well as "--net=NAME": nothing else can follow. */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			r = cli_apply_option(&seen, c, optarg, cfg, err);
			if (r < 0)
				return r;
			break;
		default:
			r = cli_apply_option(&seen, c, optarg, cfg, err);
			if (r < 0)
				return r;
			break;
		}
	}
	if (!type)
		return ctr_error_usage(err, "missing namespace type (pid, mount, uts, ipc, user, "
					    "cgroup, time, net or container)");
	r = set_type(type, cfg, err);
	if (r < 0)
		return r;
	cfg->namespaces |= seen.extra_ns;
	/* A container has no TYPE list to name time in: an offset asks for it. */
	if (cfg->mode == CTR_MODE_CONTAINER &&
	    (cfg->has_monotonic_offset || cfg->has_boottime_offset))
		cfg->namespaces |= CLONE_NEWTIME;

	r = cli_check_separator(argc, argv, optind, err);
	if (r < 0)
		return r;
	cfg->argv = argv + optind;
	r = ctr_config_validate(cfg, err);
	if (r < 0)
		return r;
	return CLI_PARSED;
}

int cmd_ns(int argc, char **argv)
{
	return cli_run_container("ns", cmd_ns_parse, usage, argc, argv);
}
