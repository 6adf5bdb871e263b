// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Options shared by `contain ns`, `contain run` and `contain cgroup create`,
 * getopt error messages, and the mapping from an error to contain's exit
 * code.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain-cli.h"
#include "ctr-container.h"
#include "ctr-namespace.h"

static const char *const option_names[OPT_LAST - OPT_FIRST] = {
	[OPT_ROOTFS - OPT_FIRST] = "--rootfs",
	[OPT_HOSTNAME - OPT_FIRST] = "--hostname",
	[OPT_USER - OPT_FIRST] = "--user",
	[OPT_NET - OPT_FIRST] = "--net",
	[OPT_UID_MAP - OPT_FIRST] = "--uid-map",
	[OPT_GID_MAP - OPT_FIRST] = "--gid-map",
	[OPT_MONOTONIC_OFFSET - OPT_FIRST] = "--monotonic-offset",
	[OPT_BOOTTIME_OFFSET - OPT_FIRST] = "--boottime-offset",
	[OPT_MEMORY - OPT_FIRST] = "--memory",
	[OPT_MEMORY_HIGH - OPT_FIRST] = "--memory-high",
	[OPT_CPUS - OPT_FIRST] = "--cpus",
	[OPT_CPU_WEIGHT - OPT_FIRST] = "--cpu-weight",
	[OPT_PIDS - OPT_FIRST] = "--pids",
	[OPT_IO_MAX - OPT_FIRST] = "--io-max",
	[OPT_CGROUP_PARENT - OPT_FIRST] = "--cgroup-parent",
};

/* A valued option may repeat only with the same value. */
static int once(struct cli_seen *seen, int id, const char *arg, struct ctr_error *err)
{
	const char **slot = &seen->value[id - OPT_FIRST];

	if (*slot && strcmp(*slot, arg) != 0)
		return ctr_error_usage(err,
				       "%s given twice with different values (\"%s\" and \"%s\")",
				       option_names[id - OPT_FIRST], *slot, arg);
	*slot = arg;
	return 0;
}

static int limit(struct ctr_config *cfg, unsigned int bit)
{
	cfg->limits.set |= bit;
	return 0;
}

int cli_apply_option(struct cli_seen *seen, int id, const char *arg, struct ctr_config *cfg,
		     struct ctr_error *err)
{
	const char *name;
	int r;

	if (id < OPT_FIRST || id >= OPT_LAST)
		return ctr_error_usage(err, "unknown option %d", id);
	name = option_names[id - OPT_FIRST];

	switch (id) {
	case OPT_USER:
		seen->extra_ns |= CLONE_NEWUSER;
		return 0;
	case OPT_NET:
		/* --net alone: a new, empty network namespace; --net NAME: a named network. */
		if (!arg) {
			seen->extra_ns |= CLONE_NEWNET;
			return 0;
		}
		break;
	default:
		break;
	}

	r = once(seen, id, arg, err);
	if (r < 0)
		return r;

	switch (id) {
	case OPT_ROOTFS:
		cfg->rootfs = arg;
		return 0;
	case OPT_HOSTNAME:
		cfg->hostname = arg;
		return 0;
	case OPT_NET:
		cfg->net_name = arg;
		return 0;
	case OPT_UID_MAP:
		return ctr_idmap_parse(name, arg, cfg->uid_map, &cfg->n_uid_map, err);
	case OPT_GID_MAP:
		return ctr_idmap_parse(name, arg, cfg->gid_map, &cfg->n_gid_map, err);
	case OPT_MONOTONIC_OFFSET:
		cfg->has_monotonic_offset = true;
		return ctr_parse_seconds(name, arg, &cfg->monotonic_offset, err);
	case OPT_BOOTTIME_OFFSET:
		cfg->has_boottime_offset = true;
		return ctr_parse_seconds(name, arg, &cfg->boottime_offset, err);
	case OPT_CGROUP_PARENT:
		if (!arg[0])
			return ctr_error_usage(err, "--cgroup-parent must not be empty");
		cfg->cgroup_parent = arg;
		return 0;
	case OPT_MEMORY:
		r = ctr_parse_bytes(name, arg, &cfg->limits.memory_max, err);
		if (r < 0)
			return r;
		/* N caps memory and swap together, so that N is what the command can use. */
		if (cfg->limits.memory_max != CTR_LIMIT_MAX)
			limit(cfg, CTR_LIMIT_MEMORY_NOSWAP);
		return limit(cfg, CTR_LIMIT_MEMORY);
	case OPT_MEMORY_HIGH:
		r = ctr_parse_bytes(name, arg, &cfg->limits.memory_high, err);
		return r < 0 ? r : limit(cfg, CTR_LIMIT_MEMORY_HIGH);
	case OPT_CPUS:
		r = ctr_parse_cpus(name, arg, &cfg->limits.cpus_milli, err);
		return r < 0 ? r : limit(cfg, CTR_LIMIT_CPUS);
	case OPT_CPU_WEIGHT:
		/* cgroup v2 cpu.weight range (Documentation/admin-guide/cgroup-v2.rst). */
		r = ctr_parse_uint(name, arg, 1, 10000, false, &cfg->limits.cpu_weight, err);
		return r < 0 ? r : limit(cfg, CTR_LIMIT_CPU_WEIGHT);
	case OPT_PIDS:
		r = ctr_parse_uint(name, arg, 1, UINT32_MAX, true, &cfg->limits.pids_max, err);
		return r < 0 ? r : limit(cfg, CTR_LIMIT_PIDS);
	case OPT_IO_MAX: {
		struct ctr_io_max io;

		r = ctr_parse_io_max(name, arg, &io, err);
		if (r < 0)
			return r;
		return ctr_limits_add_io_max(&cfg->limits, &io, err);
	}
	}
	return ctr_error_usage(err, "%s is not valid here", name);
}

int cli_getopt_error(int c, char **argv, const struct option *longopts, struct ctr_error *err)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':') {
		for (const struct option *o = longopts; o->name; o++)
			if (o->val == optopt)
				return ctr_error_usage(err, "option --%s needs a value", o->name);
		return ctr_error_usage(err, "option %s needs a value", arg);
	}
	if (optopt >= OPT_FIRST) {
		for (const struct option *o = longopts; o->name; o++)
			if (o->val == optopt)
				return ctr_error_usage(err, "option --%s takes no value", o->name);
	}
	if (optopt > 0 && optopt < 256)
		return ctr_error_usage(err, "unknown option -%c", optopt);
	return ctr_error_usage(err, "unknown option \"%s\"", arg);
}

int cli_check_separator(int argc, char **argv, int optind_, struct ctr_error *err)
{
	if (optind_ < 1 || optind_ > argc || strcmp(argv[optind_ - 1], "--") != 0)
		return ctr_error_usage(err, "missing -- before the command");
	if (optind_ == argc)
		return ctr_error_usage(err, "no command given after --");
	return 0;
}

int cli_exit_code(const struct ctr_error *err)
{
	if (err->kind == CTR_ERROR_EXEC)
		return err->err == ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXEC;
	return CLI_EXIT_FAILED;
}

int cli_fail(const char *verb, const struct ctr_error *err)
{
	fprintf(stderr, "contain: %s\n", err->msg);
	if (err->kind == CTR_ERROR_USAGE)
		fprintf(stderr, "Try 'contain %s --help'.\n", verb);
	return cli_exit_code(err);
}

void cli_report_oom(const struct ctr_run_result *res)
{
	if (res->oom_kills == 0)
		return;
	/* memory.events counts kills, not victims: a SIGKILLed command plus a count is ours. */
	if (res->status == 128 + SIGKILL)
		fprintf(stderr,
			"contain: the command was killed by the OOM killer (memory.max %s)\n",
			res->memory_max);
	else
		fprintf(stderr,
			"contain: the OOM killer killed %" PRIu64 " process%s in cgroup %s "
			"(memory.max %s)\n",
			res->oom_kills, res->oom_kills == 1 ? "" : "es", res->cgroup,
			res->memory_max);
}

int cli_run_container(const char *verb,
		      int (*parse)(int, char **, struct ctr_config *, struct ctr_error *),
		      void (*usage)(void), int argc, char **argv)
{
	struct ctr_config cfg;
	struct ctr_error err = { 0 };
	struct ctr_run_result res = { 0 };
	int r;

	r = parse(argc, argv, &cfg, &err);
	if (r < 0)
		return cli_fail(verb, &err);
	if (r == CLI_HELP) {
		usage();
		return 0;
	}
	if (!cfg.cgroup_parent) {
		const char *env = getenv(CLI_CGROUP_PARENT_ENV);

		if (env && env[0])
			cfg.cgroup_parent = env;
	}
	r = ctr_container_run(&cfg, &res, &err);
	if (r < 0)
		return cli_fail(verb, &err);
	cli_report_oom(&res);
	return res.status;
}
