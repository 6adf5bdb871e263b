// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain run [OPTIONS] ROOTFS -- CMD [ARG...]
 *
 * The docker-like one-shot: `ns container` with its defaults, the rootfs
 * given as an argument, cgroup v2 limits, and a named network namespace
 * to join (--net NAME).
 */
#include <getopt.h>
#include <stdio.h>

#include "contain-cli.h"
#include "ctr-namespace.h"

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "net", required_argument, NULL, OPT_NET },
	CLI_LIMIT_OPTIONS,
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("usage: contain run [OPTIONS] ROOTFS -- CMD [ARG...]\n"
	       "\n"
	       "Run CMD in a new container whose root is the directory ROOTFS: the same as\n"
	       "`contain ns container --rootfs ROOTFS -- CMD`. The exit status is CMD's, or\n"
	       "128+N if signal N killed it.\n"
	       "\n"
	       "Options:\n"
	       "  --hostname NAME   the container's hostname (default: " CTR_DEFAULT_HOSTNAME ")\n"
	       "  --net NAME        join the named network namespace NAME (`contain net\n"
	       "                    create NAME`) instead of the host's\n"
	       "  -h, --help        show this help\n"
	       "\n" CLI_LIMITS_HELP "\n"
	       "Exit status: CMD's own, 128+N if a signal N killed it, 125 if contain\n"
	       "failed, 126 if CMD cannot be executed, 127 if CMD was not found.\n");
}

int cmd_run_parse(int argc, char **argv, struct ctr_config *cfg, struct ctr_error *err)
{
	struct cli_seen seen = { 0 };
	int c, r;

	ctr_config_init(cfg);
	cfg->mode = CTR_MODE_CONTAINER;
	cfg->namespaces = CTR_NS_CONTAINER;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:h", options, NULL)) != -1) {
		switch (c) {
		case 1:
			if (cfg->rootfs)
				return ctr_error_usage(err,
						       "unexpected argument \"%s\" (the command "
						       "goes after --)",
						       optarg);
			cfg->rootfs = optarg;
			break;
		case 'h':
			return CLI_HELP;
		case '?':
		case ':':
			return cli_getopt_error(c, argv, options, err);
		default:
			r = cli_apply_option(&seen, c, optarg, cfg, err);
			if (r < 0)
				return r;
			break;
		}
	}
	if (!cfg->rootfs)
		return ctr_error_usage(err, "missing ROOTFS");
	r = cli_check_separator(argc, argv, optind, err);
	if (r < 0)
		return r;
	cfg->argv = argv + optind;
	r = ctr_config_validate(cfg, err);
	if (r < 0)
		return r;
	return CLI_PARSED;
}

int cmd_run(int argc, char **argv)
{
	return cli_run_container("run", cmd_run_parse, usage, argc, argv);
}
