// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain cgroup create|attach|memory|cpu|pids|io|stat|exec|delete PATH ...
 *
 * cgroup v2 groups one step at a time (Documentation/admin-guide/
 * cgroup-v2.rst): make a group, give it limits, put a process in it, see
 * what it used, and delete it. PATH is an absolute directory inside the
 * cgroup2 mount, or a path relative to that mount. The exact forms, output
 * and exit codes are in runtime/CONTRACT.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contain-cli.h"
#include "ctr-cgroup.h"
#include "ctr-util.h"

/* Options of the limit subcommands; create takes the OPT_* of run. */
enum {
	CG_MAX = OPT_LAST + 1,
	CG_HIGH,
	CG_SWAP_MAX,
	CG_CPUS,
	CG_WEIGHT,
	CG_JSON,
	CG_LAST,
};

static const struct {
	const char *name;
	enum cli_cgroup_cmd cmd;
} subcommands[] = {
	{ "create", CLI_CGROUP_CREATE }, { "attach", CLI_CGROUP_ATTACH },
	{ "memory", CLI_CGROUP_MEMORY }, { "cpu", CLI_CGROUP_CPU },
	{ "pids", CLI_CGROUP_PIDS },	 { "io", CLI_CGROUP_IO },
	{ "stat", CLI_CGROUP_STAT },	 { "exec", CLI_CGROUP_EXEC },
	{ "delete", CLI_CGROUP_DELETE },
};

static const struct option create_options[] = {
	{ "help", no_argument, NULL, 'h' },
	CLI_LIMIT_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static const struct option memory_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "max", required_argument, NULL, CG_MAX },
	{ "high", required_argument, NULL, CG_HIGH },
	{ "swap-max", required_argument, NULL, CG_SWAP_MAX },
	{ NULL, 0, NULL, 0 },
};

static const struct option cpu_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "cpus", required_argument, NULL, CG_CPUS },
	{ "max", required_argument, NULL, CG_MAX },
	{ "weight", required_argument, NULL, CG_WEIGHT },
	{ NULL, 0, NULL, 0 },
};

static const struct option max_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "max", required_argument, NULL, CG_MAX },
	{ NULL, 0, NULL, 0 },
};

static const struct option stat_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, CG_JSON },
	{ NULL, 0, NULL, 0 },
};

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("usage: contain cgroup create PATH [--memory N] [--memory-high N] [--cpus X]\n"
	       "                          [--cpu-weight N] [--pids N] [--io-max SPEC]\n"
	       "       contain cgroup attach PATH PID...\n"
	       "       contain cgroup memory PATH [--max N] [--high N] [--swap-max N]\n"
	       "       contain cgroup cpu PATH [--cpus X | --max \"QUOTA [PERIOD]\"] [--weight N]\n"
	       "       contain cgroup pids PATH --max N\n"
	       "       contain cgroup io PATH --max \"MAJ:MIN KEY=VALUE...\" [--max ...]\n"
	       "       contain cgroup stat PATH [--json]\n"
	       "       contain cgroup exec PATH -- CMD [ARG...]\n"
	       "       contain cgroup delete PATH\n"
	       "\n"
	       "cgroup v2 groups one step at a time. PATH is a directory inside the cgroup2\n"
	       "mount, absolute or relative to the mount.\n"
	       "\n"
	       "  create   make the group (its parent must exist) and print its path; the\n"
	       "           options are those of `contain run`\n"
	       "  attach   move processes into the group (cgroup.procs)\n"
	       "  memory   memory.max, memory.high, memory.swap.max: bytes with an optional\n"
	       "           K, M, G or T suffix, or max\n"
	       "  cpu      cpu.max from a number of CPUs (--cpus 0.5 is \"50000 100000\") or\n"
	       "           as QUOTA and PERIOD in microseconds; cpu.weight, 1-10000\n"
	       "  pids     pids.max: a number of tasks, or max\n"
	       "  io       io.max for one block device per --max; KEY is rbps, wbps (bytes/s)\n"
	       "           riops or wiops (I/Os per second); VALUE a number or max\n"
	       "  stat     print the group's statistics, events and pressure files, one\n"
	       "           line per line of each: FILE LINE; --json: one JSON object\n"
	       "  exec     run CMD in the group and relay its exit status\n"
	       "  delete   kill what runs in the group and below, wait until it is empty,\n"
	       "           remove it and its child groups\n"
	       "\n"
	       "The limit subcommands and create enable the controllers they need in the\n"
	       "parent's cgroup.subtree_control.\n"
	       "\n"
	       "Exit status: 0, or 125 if contain failed; exec: CMD's own, 128+N if signal N\n"
	       "killed it, 126 if CMD cannot be executed, 127 if CMD was not found.\n");
}

/* A valued option may repeat only with the same value. */
static int once(const char **seen, int id, const char *name, const char *arg, struct ctr_error *err)
{
	const char **slot = &seen[id - CG_MAX];

	if (*slot && strcmp(*slot, arg) != 0)
		return ctr_error_usage(err,
				       "%s given twice with different values (\"%s\" and \"%s\")",
				       name, *slot, arg);
	*slot = arg;
	return 0;
}

static int limit_option(struct cli_cgroup_opts *o, const char **seen, int c, const char *arg,
			struct ctr_error *err)
{
	struct ctr_limits *lim = &o->limits;
	struct ctr_io_max io;
	int r;

	switch (o->cmd) {
	case CLI_CGROUP_MEMORY:
		if (c == CG_MAX) {
			r = once(seen, c, "--max", arg, err);
			if (r == 0)
				r = ctr_parse_bytes("--max", arg, &lim->memory_max, err);
			lim->set |= r == 0 ? CTR_LIMIT_MEMORY : 0;
		} else if (c == CG_HIGH) {
			r = once(seen, c, "--high", arg, err);
			if (r == 0)
				r = ctr_parse_bytes("--high", arg, &lim->memory_high, err);
			lim->set |= r == 0 ? CTR_LIMIT_MEMORY_HIGH : 0;
		} else {
			r = once(seen, c, "--swap-max", arg, err);
			if (r == 0)
				r = ctr_parse_bytes("--swap-max", arg, &lim->memory_swap_max, err);
			lim->set |= r == 0 ? CTR_LIMIT_MEMORY_SWAP : 0;
		}
		return r;
	case CLI_CGROUP_CPU:
		if (c == CG_CPUS) {
			r = once(seen, c, "--cpus", arg, err);
			if (r == 0)
				r = ctr_parse_cpus("--cpus", arg, &lim->cpus_milli, err);
			lim->set |= r == 0 ? CTR_LIMIT_CPUS : 0;
		} else if (c == CG_MAX) {
			r = once(seen, c, "--max", arg, err);
			if (r == 0)
				r = ctr_parse_cpu_max("--max", arg, &lim->cpu_quota_us,
						      &lim->cpu_period_us, err);
			lim->set |= r == 0 ? CTR_LIMIT_CPU_MAX : 0;
		} else {
			r = once(seen, c, "--weight", arg, err);
			/* cpu.weight range (cgroup-v2.rst, "Weights"). */
			if (r == 0)
				r = ctr_parse_uint("--weight", arg, 1, 10000, false,
						   &lim->cpu_weight, err);
			lim->set |= r == 0 ? CTR_LIMIT_CPU_WEIGHT : 0;
		}
		return r;
	case CLI_CGROUP_PIDS:
		r = once(seen, c, "--max", arg, err);
		if (r == 0)
			r = ctr_parse_uint("--max", arg, 1, UINT32_MAX, true, &lim->pids_max, err);
		lim->set |= r == 0 ? CTR_LIMIT_PIDS : 0;
		return r;
	case CLI_CGROUP_IO:
		r = ctr_parse_io_max("--max", arg, &io, err);
		if (r < 0)
			return r;
		return ctr_limits_add_io_max(lim, &io, err);
	default:
		return ctr_error_usage(err, "unexpected option");
	}
}

static const struct option *options_of(enum cli_cgroup_cmd cmd)
{
	switch (cmd) {
	case CLI_CGROUP_CREATE:
		return create_options;
	case CLI_CGROUP_MEMORY:
		return memory_options;
	case CLI_CGROUP_CPU:
		return cpu_options;
	case CLI_CGROUP_PIDS:
	case CLI_CGROUP_IO:
		return max_options;
	case CLI_CGROUP_STAT:
		return stat_options;
	default:
		return help_only;
	}
}

static int parse_pid(const char *s, pid_t *ret, struct ctr_error *err)
{
	uint64_t v;
	int r;

	r = ctr_parse_uint("PID", s, 1, INT32_MAX, false, &v, err);
	if (r < 0)
		return r;
	*ret = (pid_t)v;
	return 0;
}

static int positional(struct cli_cgroup_opts *o, const char *arg, struct ctr_error *err)
{
	if (!o->path) {
		o->path = arg;
		return 0;
	}
	if (o->cmd == CLI_CGROUP_ATTACH) {
		if (o->n_pids == CLI_CGROUP_PIDS_MAX)
			return ctr_error_usage(err, "more than %d PIDs", CLI_CGROUP_PIDS_MAX);
		return parse_pid(arg, &o->pids[o->n_pids++], err);
	}
	if (o->cmd == CLI_CGROUP_EXEC)
		return ctr_error_usage(
			err, "unexpected argument \"%s\" (the command goes after --)", arg);
	return ctr_error_usage(err, "unexpected argument \"%s\"", arg);
}

/* After the options: what each subcommand needs at least. */
static int check_complete(struct cli_cgroup_opts *o, int argc, char **argv, int optind_,
			  struct ctr_error *err)
{
	const unsigned int set = o->limits.set;
	int r;

	if (!o->path)
		return ctr_error_usage(err, "missing PATH");
	switch (o->cmd) {
	case CLI_CGROUP_ATTACH:
		if (o->n_pids == 0)
			return ctr_error_usage(err, "cgroup attach needs at least one PID");
		break;
	case CLI_CGROUP_MEMORY:
		if (!set)
			return ctr_error_usage(err, "cgroup memory needs --max, --high or "
						    "--swap-max");
		break;
	case CLI_CGROUP_CPU:
		if (!set)
			return ctr_error_usage(err, "cgroup cpu needs --cpus, --max or --weight");
		break;
	case CLI_CGROUP_PIDS:
		if (!set)
			return ctr_error_usage(err, "cgroup pids needs --max");
		break;
	case CLI_CGROUP_IO:
		if (!set)
			return ctr_error_usage(err,
					       "cgroup io needs --max \"MAJ:MIN KEY=VALUE...\"");
		break;
	case CLI_CGROUP_EXEC:
		r = cli_check_separator(argc, argv, optind_, err);
		if (r < 0)
			return r;
		o->argv = argv + optind_;
		if (!o->argv[0][0])
			return ctr_error_usage(err, "the command is an empty string");
		return 0;
	default:
		break;
	}
	if (optind_ > 0 && optind_ <= argc && strcmp(argv[optind_ - 1], "--") == 0)
		return ctr_error_usage(err, "cgroup %s takes no command after --",
				       subcommands[o->cmd].name);
	return ctr_limits_validate(&o->limits, err);
}

int cmd_cgroup_parse(int argc, char **argv, struct cli_cgroup_opts *o, struct ctr_error *err)
{
	const char *seen[CG_LAST - CG_MAX] = { 0 };
	struct cli_seen create_seen = { 0 };
	const struct option *options;
	struct ctr_config scratch;
	const char *sub;
	size_t i;
	int c, r;

	memset(o, 0, sizeof(*o));
	if (argc < 2)
		return ctr_error_usage(err,
				       "missing subcommand (create, attach, memory, cpu, pids, "
				       "io, stat, exec or delete)");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
		return CLI_HELP;
	for (i = 0; i < CTR_ARRAY_SIZE(subcommands); i++)
		if (strcmp(subcommands[i].name, sub) == 0)
			break;
	if (i == CTR_ARRAY_SIZE(subcommands))
		return ctr_error_usage(err,
				       "unknown cgroup subcommand or controller \"%s\" (expected "
				       "create, attach, memory, cpu, pids, io, stat, exec or "
				       "delete)",
				       sub);
	o->cmd = subcommands[i].cmd;
	options = options_of(o->cmd);
	ctr_config_init(&scratch);

	/* getopt sees the subcommand as argv[0]. */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:h", options, NULL)) != -1) {
		switch (c) {
		case 1:
			r = positional(o, optarg, err);
			break;
		case 'h':
			return CLI_HELP;
		case '?':
		case ':':
			return cli_getopt_error(c, argv, options, err);
		case CG_JSON:
			o->json = true;
			r = 0;
			break;
		default:
			if (o->cmd == CLI_CGROUP_CREATE)
				r = cli_apply_option(&create_seen, c, optarg, &scratch, err);
			else
				r = limit_option(o, seen, c, optarg, err);
			break;
		}
		if (r < 0)
			return r;
	}
	if (o->cmd == CLI_CGROUP_CREATE)
		o->limits = scratch.limits;
	r = check_complete(o, argc, argv, optind, err);
	if (r < 0)
		return r;
	return CLI_PARSED;
}

/* ---- JSON of an interface file ------------------------------------------ */

static json_t *value_json(const char *v)
{
	size_t digits = strspn(v, "0123456789");

	if (digits > 0 && v[digits] == '\0') {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno == 0 && n <= (unsigned long long)INT64_MAX)
			return json_integer((json_int_t)n);
	}
	if (digits > 0 && v[digits] == '.' && v[digits + 1] &&
	    strspn(v + digits + 1, "0123456789") == strlen(v + digits + 1))
		return json_real(strtod(v, NULL));
	return json_string(v);
}

json_t *cli_cgroup_file_json(enum ctr_cgroup_format format, const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	json_t *obj;
	char *line, *save = NULL;

	if (!copy)
		return NULL;
	if (format == CTR_CGROUP_SINGLE) {
		copy[strcspn(copy, "\n")] = '\0';
		return value_json(copy);
	}
	obj = json_object();
	for (line = strtok_r(copy, "\n", &save); obj && line; line = strtok_r(NULL, "\n", &save)) {
		char *key, *rest, *tok, *tsave = NULL;
		json_t *sub;

		key = strtok_r(line, " ", &tsave);
		if (!key)
			continue;
		rest = strtok_r(NULL, "", &tsave);
		if (format == CTR_CGROUP_FLAT) {
			json_object_set_new(obj, key, value_json(rest ? rest : ""));
			continue;
		}
		sub = json_object();
		for (tok = rest ? strtok_r(rest, " ", &tsave) : NULL; sub && tok;
		     tok = strtok_r(NULL, " ", &tsave)) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			json_object_set_new(sub, tok, value_json(eq + 1));
		}
		json_object_set_new(obj, key, sub);
	}
	return obj;
}

/* ---- the subcommands ------------------------------------------------------ */

/* The parent directory of an absolute group path. */
static int open_parent(const char *path, struct ctr_cgroup **ret, struct ctr_error *err)
{
	_cleanup_free_ char *parent = strdup(path);
	char *slash;

	if (!parent)
		return ctr_error_errno(err, ENOMEM, "open the parent of %s", path);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return ctr_cgroup_open(parent, ret, err);
}

/* Enable what lim needs in the parent of cg's path, then write lim. */
static int set_limits(const char *path, const struct ctr_limits *lim, struct ctr_cgroup *cg,
		      struct ctr_error *err)
{
	struct ctr_cgroup *parent = NULL;
	int r;

	if (!lim->set)
		return 0;
	r = open_parent(path, &parent, err);
	if (r < 0)
		return r;
	r = ctr_cgroup_enable(parent, ctr_cgroup_limits_controllers(lim), err);
	ctr_cgroup_free(parent);
	if (r < 0)
		return r;
	return ctr_cgroup_apply(cg, lim, err);
}

static int do_create(const char *path, const struct ctr_limits *lim, struct ctr_error *err)
{
	struct ctr_cgroup *parent = NULL, *cg = NULL;
	int r;

	/* Controllers first: a refusal then leaves no group behind. */
	if (lim->set) {
		r = open_parent(path, &parent, err);
		if (r < 0)
			return r;
		r = ctr_cgroup_enable(parent, ctr_cgroup_limits_controllers(lim), err);
		ctr_cgroup_free(parent);
		if (r < 0)
			return r;
	}
	r = ctr_cgroup_create(path, &cg, err);
	if (r < 0)
		return r;
	r = ctr_cgroup_apply(cg, lim, err);
	if (r < 0) {
		rmdir(cg->path);
		ctr_cgroup_free(cg);
		return r;
	}
	printf("%s\n", cg->path);
	ctr_cgroup_free(cg);
	return 0;
}

static int do_stat(struct ctr_cgroup *cg, bool json, struct ctr_error *err)
{
	const struct ctr_cgroup_stat_file *files;
	json_t *obj = NULL;
	size_t n;
	int r = 0;

	files = ctr_cgroup_stat_files(&n);
	if (json) {
		obj = json_object();
		if (!obj)
			return ctr_error_errno(err, ENOMEM, "stat");
		json_object_set_new(obj, "path", json_string(cg->path));
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;

		r = ctr_cgroup_read_optional(cg, files[i].name, &text, err);
		if (r < 0)
			break;
		if (!text)
			continue;
		if (json) {
			json_object_set_new(obj, files[i].name,
					    cli_cgroup_file_json(files[i].format, text));
			continue;
		}
		for (char *line = text, *next; *line; line = next) {
			next = line + strcspn(line, "\n");
			if (*next)
				*next++ = '\0';
			printf("%s %s\n", files[i].name, line);
		}
	}
	if (json) {
		if (r == 0) {
			char *s = json_dumps(obj, JSON_COMPACT);

			if (s)
				printf("%s\n", s);
			free(s);
		}
		json_decref(obj);
	}
	return r;
}

static int run(struct cli_cgroup_opts *o, int *ret_status, struct ctr_error *err)
{
	_cleanup_free_ char *mount = NULL, *path = NULL;
	struct ctr_cgroup *cg = NULL;
	struct ctr_run_result res;
	int r;

	*ret_status = 0;
	r = ctr_cgroup_find_mount(&mount, err);
	if (r < 0)
		return r;
	r = ctr_cgroup_resolve(mount, o->path, &path, err);
	if (r < 0)
		return r;
	if (strcmp(path, mount) == 0 && o->limits.set)
		return ctr_error_usage(err,
				       "%s is the root of the cgroup2 hierarchy, which takes "
				       "no limits",
				       path);

	switch (o->cmd) {
	case CLI_CGROUP_CREATE:
		return do_create(path, &o->limits, err);
	case CLI_CGROUP_DELETE:
		r = ctr_cgroup_check_delete(mount, path, err);
		if (r < 0)
			return r;
		break;
	default:
		break;
	}

	r = ctr_cgroup_open(path, &cg, err);
	if (r < 0)
		return r;
	switch (o->cmd) {
	case CLI_CGROUP_ATTACH:
		for (size_t i = 0; r == 0 && i < o->n_pids; i++)
			r = ctr_cgroup_attach(cg, o->pids[i], err);
		break;
	case CLI_CGROUP_MEMORY:
	case CLI_CGROUP_CPU:
	case CLI_CGROUP_PIDS:
	case CLI_CGROUP_IO:
		r = set_limits(path, &o->limits, cg, err);
		break;
	case CLI_CGROUP_STAT:
		r = do_stat(cg, o->json, err);
		break;
	case CLI_CGROUP_EXEC:
		r = ctr_cgroup_exec(cg, o->argv, &res, err);
		if (r == 0) {
			cli_report_oom(&res);
			*ret_status = res.status;
		}
		break;
	case CLI_CGROUP_DELETE:
		r = ctr_cgroup_destroy(cg, CTR_CGROUP_DRAIN_MS, err);
		if (r < 0)
			ctr_error_prefix(err, "delete cgroup %s", path);
		break;
	default:
		break;
	}
	ctr_cgroup_free(cg);
	return r;
}

int cmd_cgroup(int argc, char **argv)
{
	struct cli_cgroup_opts o;
	struct ctr_error err = { 0 };
	int status, r;

	r = cmd_cgroup_parse(argc, argv, &o, &err);
	if (r < 0)
		return cli_fail("cgroup", &err);
	if (r == CLI_HELP) {
		usage();
		return 0;
	}
	r = run(&o, &status, &err);
	if (r < 0)
		return cli_fail("cgroup", &err);
	return status;
}
