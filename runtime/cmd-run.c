// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain run [OPTIONS] ROOTFS -- CMD [ARG...]
 *
 * The docker-like one-shot: `ns container` with its defaults, the rootfs
 * given as an argument, cgroup v2 limits, and a named network namespace
 * to join (--net NAME). ROOTFS may also be an image (an OCI layout
 * directory, or an oci-archive or docker-archive tarball): it is unpacked
 * into a temporary directory, run, and removed again.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contain-cli.h"
#include "ctr-image.h"
#include "ctr-namespace.h"
#include "ctr-unpack.h"
#include "ctr-util.h"

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
	printf("usage: contain run [OPTIONS] ROOTFS|IMAGE -- CMD [ARG...]\n"
	       "\n"
	       "Run CMD in a new container whose root is the directory ROOTFS: the same as\n"
	       "`contain ns container --rootfs ROOTFS -- CMD`. The exit status is CMD's, or\n"
	       "128+N if signal N killed it. IMAGE (an OCI layout directory, or an\n"
	       "oci-archive or docker-archive tarball) is unpacked into a temporary\n"
	       "directory first, as `contain oci unpack` does, and removed afterwards.\n"
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

/* The temporary directory an image was unpacked into, removed after the run. */
static char image_tmp[PATH_MAX];
static char image_rootfs[PATH_MAX + 8];

/* A regular file (a tarball) or a directory with an oci-layout file is an image. */
static bool is_image(const char *path)
{
	struct stat st;
	char layout[PATH_MAX];

	if (stat(path, &st) < 0)
		return false;
	if (S_ISREG(st.st_mode))
		return true;
	if (!S_ISDIR(st.st_mode) ||
	    snprintf(layout, sizeof(layout), "%s/oci-layout", path) >= (int)sizeof(layout))
		return false;
	return access(layout, F_OK) == 0;
}

static int unpack_image(const char *image, struct ctr_error *err)
{
	const char *tmp = getenv("TMPDIR");
	_cleanup_close_ int tmpfd = -1, rootfd = -1;
	struct ctr_unpack_opts opts;
	struct ctr_image *img = NULL;
	struct ctr_unpack *u = NULL;
	int r;

	snprintf(image_tmp, sizeof(image_tmp), "%s/contain-run-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(image_tmp)) {
		image_tmp[0] = '\0';
		return ctr_error_errno(err, errno, "image %s: make a temporary directory", image);
	}
	tmpfd = open(image_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmpfd < 0 || mkdirat(tmpfd, "rootfs", 0755) < 0)
		return ctr_error_errno(err, errno, "image %s: %s", image, image_tmp);
	rootfd = openat(tmpfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		return ctr_error_errno(err, errno, "image %s: open rootfs", image);
	ctr_unpack_opts_default(&opts);
	r = ctr_image_open(image, tmpfd, opts.limits.max_size, &img, err);
	if (r >= 0)
		r = ctr_unpack_new(rootfd, &opts, &u, err);
	for (size_t i = 0; r >= 0 && i < img->n_layers; i++) {
		char what[128];

		snprintf(what, sizeof(what), "layer %zu/%zu (%.19s)", i + 1, img->n_layers,
			 img->layers[i].digest);
		r = ctr_unpack_layer(u, img->layers[i].fd, what, err);
	}
	ctr_unpack_free(u);
	ctr_image_free(img);
	if (r < 0)
		return ctr_error_prefix(err, "image %s", image);
	snprintf(image_rootfs, sizeof(image_rootfs), "%s/rootfs", image_tmp);
	return 0;
}

static int parse_run(int argc, char **argv, struct ctr_config *cfg, struct ctr_error *err)
{
	int r = cmd_run_parse(argc, argv, cfg, err);

	if (r != CLI_PARSED || !is_image(cfg->rootfs))
		return r;
	r = unpack_image(cfg->rootfs, err);
	if (r < 0)
		return r;
	cfg->rootfs = image_rootfs;
	return CLI_PARSED;
}

int cmd_run(int argc, char **argv)
{
	int status = cli_run_container("run", parse_run, usage, argc, argv);

	if (image_tmp[0]) {
		struct ctr_error ignored = { 0 };
		_cleanup_close_ int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (ctr_remove_tree_at(fd, image_tmp, &ignored) < 0)
			fprintf(stderr, "contain: run: remove %s: %s\n", image_tmp, ignored.msg);
	}
	return status;
}
