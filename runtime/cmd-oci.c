// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain oci spec [--rootfs DIR] BUNDLE
 * contain oci unpack [--keep-setid] [LIMITS] IMAGE BUNDLE
 * contain oci [--root DIR] create|start|state|kill|delete|run|features ...
 *
 * Bundles (runtime-spec bundle.md): `spec` writes a default config.json,
 * `unpack` turns an image (OCI layout, oci-archive or docker-archive) into
 * BUNDLE/rootfs plus a config.json built from the image config. What
 * unpack refuses and sanitises is in CONTRACT.md ("oci unpack").
 *
 * The lifecycle verbs take runc's command line (ctr-oci-runtime.h): global
 * options before the verb, and exit status 1 for any failure, as runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contain-cli.h"
#include "ctr-image.h"
#include "ctr-oci-runtime.h"
#include "ctr-oci-spec.h"
#include "ctr-unpack.h"
#include "ctr-util.h"

enum {
	OPT_KEEP_SETID = OPT_LAST + 1,
	OPT_MAX_SIZE,
	OPT_MAX_ENTRIES,
	OPT_MAX_DEPTH,
	OPT_MAX_NAME,
};

static void usage_oci(FILE *f)
{
	fprintf(f,
		"usage: contain oci spec [--rootfs DIR] BUNDLE\n"
		"       contain oci unpack [--keep-setid] [LIMITS] IMAGE BUNDLE\n"
		"\n"
		"  spec     write a default BUNDLE/config.json\n"
		"  unpack   unpack an image into BUNDLE/rootfs and BUNDLE/config.json\n"
		"\n"
		"usage: contain oci [--root DIR] VERB ...   (runc's command line)\n"
		"  create [--bundle DIR] [--pid-file FILE] ID   set up a container, do not start it\n"
		"  start ID                                     run the process of a created one\n"
		"  state ID                                     print its state as JSON\n"
		"  kill [--signal SIG] ID [SIG]                 send a signal (default TERM)\n"
		"  delete [--force] ID                          remove a stopped container\n"
		"  run [--bundle DIR] [--pid-file FILE] ID      create, start, wait, delete\n"
		"  features                                     print the features JSON\n"
		"\n"
		"Global options: --root DIR (default $CONTAIN_STATE_DIR/oci, else\n"
		"/run/contain/oci); --log FILE, --log-format FMT and --debug are accepted\n"
		"and ignored, for runc's callers.\n"
		"Exit status of the lifecycle verbs: 0, or 1 on any failure; `run` exits\n"
		"with the process's status (128+N if signal N killed it).\n"
		"\n"
		"Run 'contain oci spec --help' or 'contain oci unpack --help' for details.\n");
}

static void usage_spec(void)
{
	printf("usage: contain oci spec [--rootfs DIR] BUNDLE\n"
	       "\n"
	       "Write BUNDLE/config.json: a minimal runtime-spec %s config (process sh, the\n"
	       "usual mounts, pid/network/ipc/uts/mount namespaces, masked and read-only\n"
	       "paths), in the shape `runc spec` writes. An existing config.json is not\n"
	       "replaced.\n"
	       "\n"
	       "Options:\n"
	       "  --rootfs DIR   root.path (default: rootfs)\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Exit status: 0, or 125 if contain failed.\n",
	       CTR_OCI_VERSION);
}

static void usage_unpack(void)
{
	printf("usage: contain oci unpack [--keep-setid] [LIMITS] IMAGE BUNDLE\n"
	       "\n"
	       "Unpack IMAGE (an OCI image layout directory, an oci-archive or a\n"
	       "docker-archive tarball) into BUNDLE/rootfs, and write BUNDLE/config.json\n"
	       "from the image config. BUNDLE is made if missing; BUNDLE/rootfs and\n"
	       "BUNDLE/config.json must not exist. Every blob is checked against its\n"
	       "digest first. No entry can write outside BUNDLE/rootfs; one that tries is\n"
	       "refused, and so is the whole unpack. Device nodes are skipped; setuid and\n"
	       "setgid bits are removed.\n"
	       "\n"
	       "Options:\n"
	       "  --keep-setid          keep setuid and setgid bits\n"
	       "  --max-size N          bytes of file content, all layers (K/M/G/T suffix;\n"
	       "                        default 16G)\n"
	       "  --max-entries N       tar entries, all layers (default %llu)\n"
	       "  --max-depth N         components of one path (default %d)\n"
	       "  --max-name N          bytes of one path component, at most 255 (default %d)\n"
	       "  -h, --help            show this help\n"
	       "\n"
	       "Exit status: 0, or 125 if contain failed or refused the image; then what\n"
	       "it wrote (BUNDLE/rootfs, BUNDLE/config.json, and BUNDLE if it made it) is\n"
	       "removed.\n",
	       CTR_UNPACK_DEFAULT_MAX_ENTRIES, CTR_UNPACK_DEFAULT_MAX_DEPTH,
	       CTR_UNPACK_DEFAULT_MAX_NAME);
}

static const struct option spec_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ NULL, 0, NULL, 0 },
};

static const struct option unpack_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "keep-setid", no_argument, NULL, OPT_KEEP_SETID },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "max-name", required_argument, NULL, OPT_MAX_NAME },
	{ NULL, 0, NULL, 0 },
};

static int positionals(int argc, char **argv, int want, const char *what, struct ctr_error *err)
{
	if (argc - optind < want)
		return ctr_error_usage(err, "missing %s", what);
	if (argc - optind > want)
		return ctr_error_usage(err, "unexpected argument \"%s\"", argv[optind + want]);
	return 0;
}

int cmd_oci_spec_parse(int argc, char **argv, struct cli_oci_opts *opts, struct ctr_error *err)
{
	int c, r;

	*opts = (struct cli_oci_opts){ .rootfs = "rootfs" };
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", spec_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			return CLI_HELP;
		case OPT_ROOTFS:
			if (!*optarg)
				return ctr_error_usage(err, "--rootfs is empty");
			opts->rootfs = optarg;
			break;
		default:
			return cli_getopt_error(c, argv, spec_options, err);
		}
	}
	r = positionals(argc, argv, 1, "BUNDLE", err);
	if (r < 0)
		return r;
	opts->bundle = argv[optind];
	return CLI_PARSED;
}

int cmd_oci_unpack_parse(int argc, char **argv, struct cli_oci_opts *opts, struct ctr_error *err)
{
	struct ctr_unpack_limits *l = &opts->unpack.limits;
	uint64_t v;
	int c, r;

	*opts = (struct cli_oci_opts){ 0 };
	ctr_unpack_opts_default(&opts->unpack);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", unpack_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			return CLI_HELP;
		case OPT_KEEP_SETID:
			opts->unpack.keep_setid = true;
			break;
		case OPT_MAX_SIZE:
			r = ctr_parse_bytes("--max-size", optarg, &l->max_size, err);
			if (r < 0)
				return r;
			break;
		case OPT_MAX_ENTRIES:
			r = ctr_parse_uint("--max-entries", optarg, 1, UINT64_MAX - 1, false,
					   &l->max_entries, err);
			if (r < 0)
				return r;
			break;
		case OPT_MAX_DEPTH:
			r = ctr_parse_uint("--max-depth", optarg, 1, 4096, false, &v, err);
			if (r < 0)
				return r;
			l->max_depth = (unsigned)v;
			break;
		case OPT_MAX_NAME:
			r = ctr_parse_uint("--max-name", optarg, 1, CTR_UNPACK_DEFAULT_MAX_NAME,
					   false, &v, err);
			if (r < 0)
				return r;
			l->max_name = (unsigned)v;
			break;
		default:
			return cli_getopt_error(c, argv, unpack_options, err);
		}
	}
	r = positionals(argc, argv, 2, argc - optind == 0 ? "IMAGE and BUNDLE" : "BUNDLE", err);
	if (r < 0)
		return r;
	opts->image = argv[optind];
	opts->bundle = argv[optind + 1];
	return CLI_PARSED;
}

static int oci_spec(int argc, char **argv)
{
	struct ctr_error err = { 0 };
	struct cli_oci_opts opts;
	_cleanup_close_ int bfd = -1;
	json_t *spec;
	int r;

	r = cmd_oci_spec_parse(argc, argv, &opts, &err);
	if (r == CLI_HELP) {
		usage_spec();
		return 0;
	}
	if (r < 0)
		return cli_fail("oci spec", &err);
	bfd = open(opts.bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0) {
		ctr_error_errno(&err, errno, "bundle %s", opts.bundle);
		return cli_fail("oci spec", &err);
	}
	spec = ctr_oci_spec_new(opts.rootfs);
	if (!spec) {
		ctr_error_errno(&err, ENOMEM, "config.json");
		return cli_fail("oci spec", &err);
	}
	r = ctr_oci_spec_write(bfd, "config.json", spec, &err);
	json_decref(spec);
	if (r < 0) {
		if (err.err == EEXIST)
			ctr_error_hint(&err, "remove it first");
		ctr_error_prefix(&err, "oci spec: bundle %s", opts.bundle);
		return cli_fail("oci spec", &err);
	}
	return 0;
}

/* Apply every layer, then write config.json. */
static int unpack_into(const struct cli_oci_opts *opts, int bfd, int rootfd,
		       struct ctr_unpack_stats *ret_stats, struct ctr_error *err)
{
	struct ctr_image *img = NULL;
	struct ctr_unpack *u = NULL;
	json_t *spec = NULL;
	struct stat st;
	char what[128];
	int r;

	r = ctr_image_open(opts->image, bfd, opts->unpack.limits.max_size, &img, err);
	if (r < 0)
		return r;
	r = ctr_unpack_new(rootfd, &opts->unpack, &u, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < img->n_layers; i++) {
		snprintf(what, sizeof(what), "layer %zu/%zu (%.19s)", i + 1, img->n_layers,
			 img->layers[i].digest);
		r = ctr_unpack_layer(u, img->layers[i].fd, what, err);
		if (r < 0)
			goto out;
	}
	*ret_stats = *ctr_unpack_get_stats(u);
	/* The rootfs was private (0700) while it was written; open it like any root. */
	if (fstat(rootfd, &st) == 0 && (st.st_mode & 07777) == 0700 && fchmod(rootfd, 0755) < 0) {
		r = ctr_error_errno(err, errno, "chmod rootfs");
		goto out;
	}
	spec = ctr_oci_spec_new("rootfs");
	if (!spec) {
		r = ctr_error_errno(err, ENOMEM, "config.json");
		goto out;
	}
	r = ctr_oci_spec_apply_image(spec, img->config, rootfd, err);
	if (r < 0)
		goto out;
	r = ctr_oci_spec_write(bfd, "config.json", spec, err);
out:
	json_decref(spec);
	ctr_unpack_free(u);
	ctr_image_free(img);
	return r;
}

static int oci_unpack(int argc, char **argv)
{
	struct ctr_error err = { 0 }, ignored = { 0 };
	struct ctr_unpack_stats st = { 0 };
	struct cli_oci_opts opts;
	_cleanup_close_ int bfd = -1, rootfd = -1;
	bool made_bundle = false, made_rootfs = false;
	struct stat sb;
	int r;

	r = cmd_oci_unpack_parse(argc, argv, &opts, &err);
	if (r == CLI_HELP) {
		usage_unpack();
		return 0;
	}
	if (r < 0)
		return cli_fail("oci unpack", &err);

	if (mkdir(opts.bundle, 0755) == 0)
		made_bundle = true;
	else if (errno != EEXIST) {
		r = ctr_error_errno(&err, errno, "create bundle %s", opts.bundle);
		goto fail;
	}
	bfd = open(opts.bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0) {
		r = ctr_error_errno(&err, errno, "bundle %s", opts.bundle);
		goto fail;
	}
	/* Refuse before writing anything: a failure then removes only what contain made. */
	if (fstatat(bfd, "config.json", &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		r = ctr_error_set(&err, EEXIST, "bundle %s: config.json already exists",
				  opts.bundle);
		goto fail;
	}
	if (mkdirat(bfd, "rootfs", 0700) < 0) {
		r = ctr_error_errno(&err, errno, "bundle %s: create rootfs", opts.bundle);
		if (err.err == EEXIST)
			ctr_error_hint(&err, "unpack into a new bundle, or remove the old rootfs");
		goto fail;
	}
	made_rootfs = true;
	rootfd = openat(bfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		r = ctr_error_errno(&err, errno, "open rootfs");
		goto fail;
	}
	r = unpack_into(&opts, bfd, rootfd, &st, &err);
	if (r < 0)
		goto fail;
	if (st.devices_skipped)
		fprintf(stderr, "contain: oci unpack: skipped %llu device node%s\n",
			(unsigned long long)st.devices_skipped, st.devices_skipped == 1 ? "" : "s");
	if (st.setid_stripped)
		fprintf(stderr,
			"contain: oci unpack: removed setuid/setgid bits from %llu file%s\n",
			(unsigned long long)st.setid_stripped, st.setid_stripped == 1 ? "" : "s");
	return 0;

fail:
	ctr_error_prefix(&err, "oci unpack");
	/* config.json is never removed: it existed (refused above), or its write undid itself. */
	if (bfd >= 0 && made_rootfs)
		ctr_remove_tree_at(bfd, "rootfs", &ignored);
	if (made_bundle)
		rmdir(opts.bundle);
	return cli_fail("oci unpack", &err);
}

/* runc exits 1 on any failure of a lifecycle verb; so does contain oci. */
#define OCI_EXIT_FAILED 1

static int oci_fail(const char *verb, const struct ctr_error *err)
{
	fprintf(stderr, "contain: oci %s: %s\n", verb, err->msg);
	if (err->kind == CTR_ERROR_USAGE && !strchr(err->msg, ':'))
		fprintf(stderr, "Try 'contain oci --help'.\n");
	return OCI_EXIT_FAILED;
}

static void oci_warn(const char *verb, const struct ctr_error *warn)
{
	if (warn->err)
		fprintf(stderr, "contain: oci %s: warning: %s\n", verb, warn->msg);
}

/* "TERM", "SIGTERM", "term" or "15" (signal(7)). */
static int parse_signal(const char *s, int *ret, struct ctr_error *err)
{
	char *end;
	long n;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || *end || n < 1 || n >= NSIG)
			return ctr_error_usage(err, "invalid signal \"%s\"", s);
		*ret = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);

		if (abbrev && strcasecmp(abbrev, s) == 0) {
			*ret = i;
			return 0;
		}
	}
	return ctr_error_usage(err, "unknown signal \"%s\"", s);
}

struct oci_cmd {
	const char *root;
	const char *bundle;
	const char *pid_file;
	const char *id;
	const char *signal;
	bool force;
	bool detach;
};

enum {
	OCI_OPT_BUNDLE = 'b',
	OCI_OPT_FORCE = 'f',
	OCI_OPT_SIGNAL = 's',
	OCI_OPT_DETACH = 'd',
	OCI_OPT_ALL = 'a',
	OCI_OPT_PID_FILE = 1000,
	OCI_OPT_CONSOLE_SOCKET,
	OCI_OPT_NO_NEW_KEYRING,
	OCI_OPT_IGNORED,
};

static const struct option lifecycle_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "bundle", required_argument, NULL, OCI_OPT_BUNDLE },
	{ "pid-file", required_argument, NULL, OCI_OPT_PID_FILE },
	{ "console-socket", required_argument, NULL, OCI_OPT_CONSOLE_SOCKET },
	{ "no-new-keyring", no_argument, NULL, OCI_OPT_IGNORED },
	{ "no-pivot", no_argument, NULL, OCI_OPT_IGNORED },
	{ "force", no_argument, NULL, OCI_OPT_FORCE },
	{ "signal", required_argument, NULL, OCI_OPT_SIGNAL },
	{ "all", no_argument, NULL, OCI_OPT_ALL },
	{ "detach", no_argument, NULL, OCI_OPT_DETACH },
	{ NULL, 0, NULL, 0 },
};

/* Which options each verb takes: a letter per option (b f s a d p c k). */
static const struct {
	const char *verb;
	const char *takes;
	int max_pos; /* positionals after ID */
} lifecycle_verbs[] = {
	{ "create", "bpck", 0 }, { "start", "", 0 },	{ "state", "", 0 },    { "kill", "sa", 1 },
	{ "delete", "f", 0 },	 { "run", "bpckd", 0 }, { "features", "", 0 },
};

static char opt_letter(int c)
{
	switch (c) {
	case OCI_OPT_PID_FILE:
		return 'p';
	case OCI_OPT_CONSOLE_SOCKET:
		return 'c';
	case OCI_OPT_IGNORED:
		return 'k';
	default:
		return (char)c;
	}
}

static int lifecycle_parse(const char *verb, const char *takes, int max_pos, int argc, char **argv,
			   struct oci_cmd *cmd, struct ctr_error *err)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hb:fs:ad", lifecycle_options, NULL)) != -1) {
		if (c == 'h')
			return CLI_HELP;
		if (c == '?' || c == ':')
			return cli_getopt_error(c, argv, lifecycle_options, err);
		if (!strchr(takes, opt_letter(c)))
			return ctr_error_usage(err, "%s does not apply to oci %s", argv[optind - 1],
					       verb);
		switch (c) {
		case OCI_OPT_BUNDLE:
			cmd->bundle = optarg;
			break;
		case OCI_OPT_PID_FILE:
			cmd->pid_file = optarg;
			break;
		case OCI_OPT_CONSOLE_SOCKET:
			return ctr_error_usage(err, "--console-socket: contain has no terminal "
						    "support (process.terminal must be false)");
		case OCI_OPT_FORCE:
			cmd->force = true;
			break;
		case OCI_OPT_SIGNAL:
			cmd->signal = optarg;
			break;
		case OCI_OPT_DETACH:
			cmd->detach = true;
			break;
		default:
			break; /* --all: the init is the container's only process we signal */
		}
	}
	if (strcmp(verb, "features") == 0) {
		if (optind < argc)
			return ctr_error_usage(err, "unexpected argument \"%s\"", argv[optind]);
		return CLI_PARSED;
	}
	if (optind >= argc)
		return ctr_error_usage(err, "missing container ID");
	cmd->id = argv[optind];
	if (argc - optind - 1 > max_pos)
		return ctr_error_usage(err, "unexpected argument \"%s\"",
				       argv[optind + 1 + max_pos]);
	if (max_pos && optind + 1 < argc) {
		if (cmd->signal)
			return ctr_error_usage(err, "the signal is given twice (--signal and %s)",
					       argv[optind + 1]);
		cmd->signal = argv[optind + 1];
	}
	return CLI_PARSED;
}

static int print_json(json_t *j, size_t flags)
{
	char *text = j ? json_dumps(j, flags) : NULL;

	json_decref(j);
	if (!text) {
		fprintf(stderr, "contain: out of memory\n");
		return OCI_EXIT_FAILED;
	}
	printf("%s\n", text);
	free(text);
	return fflush(stdout) == 0 ? 0 : OCI_EXIT_FAILED;
}

static int oci_lifecycle(const char *root, size_t v, int argc, char **argv)
{
	const char *verb = lifecycle_verbs[v].verb;
	struct ctr_error err = { 0 }, warn = { 0 };
	struct oci_cmd cmd = { .root = root, .bundle = "." };
	struct ctr_oci_create_opts co;
	json_t *j = NULL;
	int r, sig = SIGTERM, status = 0;

	r = lifecycle_parse(verb, lifecycle_verbs[v].takes, lifecycle_verbs[v].max_pos, argc, argv,
			    &cmd, &err);
	if (r == CLI_HELP) {
		usage_oci(stdout);
		return 0;
	}
	if (r < 0)
		return oci_fail(verb, &err);
	co = (struct ctr_oci_create_opts){
		.root = root, .id = cmd.id, .bundle = cmd.bundle, .pid_file = cmd.pid_file
	};

	if (strcmp(verb, "features") == 0)
		return print_json(ctr_oci_features(), JSON_INDENT(4));
	if (strcmp(verb, "create") == 0)
		r = ctr_oci_create(&co, &err);
	else if (strcmp(verb, "start") == 0)
		r = ctr_oci_start(root, cmd.id, &err);
	else if (strcmp(verb, "state") == 0) {
		r = ctr_oci_state(root, cmd.id, &j, &err);
		if (r >= 0)
			return print_json(j, JSON_INDENT(2));
	} else if (strcmp(verb, "kill") == 0) {
		r = cmd.signal ? parse_signal(cmd.signal, &sig, &err) : 0;
		if (r >= 0)
			r = ctr_oci_kill(root, cmd.id, sig, &err);
	} else if (strcmp(verb, "delete") == 0) {
		r = ctr_oci_delete(root, cmd.id, cmd.force, &warn, &err);
		oci_warn(verb, &warn);
	} else if (strcmp(verb, "run") == 0 && cmd.detach) {
		r = ctr_oci_create(&co, &err);
		if (r >= 0) {
			r = ctr_oci_start(root, cmd.id, &err);
			if (r < 0)
				ctr_oci_delete(root, cmd.id, true, &warn, &warn);
		}
	} else {
		r = ctr_oci_run(&co, &status, &warn, &err);
		oci_warn(verb, &warn);
		if (r >= 0)
			return status;
	}
	if (r < 0)
		return oci_fail(verb, &err);
	return 0;
}

/* --root DIR, else $CONTAIN_STATE_DIR/oci, else /run/contain/oci. */
static const char *default_root(char *buf, size_t n)
{
	const char *env = getenv("CONTAIN_STATE_DIR");

	if (env && env[0] && snprintf(buf, n, "%s/oci", env) < (int)n)
		return buf;
	return "/run/contain/oci";
}

int cmd_oci(int argc, char **argv)
{
	char rootbuf[4096];
	const char *root = NULL;
	const char *verb;
	int i = 1;

	/* runc's global options, before the verb. */
	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--help") != 0 &&
	       strcmp(argv[i], "-h") != 0) {
		const char *a = argv[i];
		const char *val = NULL;
		bool takes = strncmp(a, "--root", 6) == 0 || strncmp(a, "--log", 5) == 0 ||
			     strncmp(a, "--criu", 6) == 0 || strncmp(a, "--rootless", 10) == 0;

		if (strcmp(a, "--debug") == 0 || strcmp(a, "--systemd-cgroup") == 0) {
			i++;
			continue;
		}
		if (!takes) {
			fprintf(stderr,
				"contain: oci: unknown global option \"%s\"\n"
				"Try 'contain oci --help'.\n",
				a);
			return OCI_EXIT_FAILED;
		}
		val = strchr(a, '=');
		if (val) {
			val++;
			i++;
		} else if (i + 1 < argc) {
			val = argv[i + 1];
			i += 2;
		} else {
			fprintf(stderr, "contain: oci: %s needs a value\n", a);
			return OCI_EXIT_FAILED;
		}
		if (strncmp(a, "--root", 6) == 0 && strncmp(a, "--rootless", 10) != 0) {
			if (!val[0]) {
				fprintf(stderr, "contain: oci: --root is empty\n");
				return OCI_EXIT_FAILED;
			}
			root = val;
		}
	}
	if (!root)
		root = default_root(rootbuf, sizeof(rootbuf));
	verb = i < argc ? argv[i] : NULL;
	argc -= i - 1;
	argv += i - 1;

	if (!verb) {
		fprintf(stderr, "contain: oci: missing subcommand\n");
		usage_oci(stderr);
		return CLI_EXIT_FAILED;
	}
	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
		usage_oci(stdout);
		return 0;
	}
	if (strcmp(verb, "spec") == 0)
		return oci_spec(argc - 1, argv + 1);
	if (strcmp(verb, "unpack") == 0)
		return oci_unpack(argc - 1, argv + 1);
	for (size_t v = 0; v < CTR_ARRAY_SIZE(lifecycle_verbs); v++)
		if (strcmp(verb, lifecycle_verbs[v].verb) == 0)
			return oci_lifecycle(root, v, argc - 1, argv + 1);
	fprintf(stderr, "contain: oci: unknown subcommand \"%s\"\nTry 'contain oci --help'.\n",
		verb);
	return CLI_EXIT_FAILED;
}
