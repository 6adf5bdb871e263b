// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `isolab reap`: undo whatever dead runs left on the host (their journals
 * under $ISOLAB_STATE_DIR/journal), newest entry first. Runs that are still
 * alive are left alone. One line per undone entry on stdout, the reason for
 * each entry that could not be undone on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ht-journal.h"
#include "ht-util.h"
#include "isolab-cli.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: isolab reap [--dry-run]\n"
		   "\n"
		   "Undo the resources (cgroups, mounts, network namespaces, links, nft\n"
		   "tables, sysctls, scratch directories) journaled by isolab runs that died,\n"
		   "newest first. Runs still alive are skipped.\n"
		   "\n"
		   "  -n, --dry-run  only print what would be undone\n"
		   "  -h, --help     show this help\n"
		   "\n"
		   "State directory: $ISOLAB_STATE_DIR, default /run/isolab.\n"
		   "Exit status: 0 done (or nothing to reap), 2 bad usage, 3 some entry could\n"
		   "not be undone (its journal is kept for the next reap).\n");
}

/*
 * The journal writes one line per entry to a single stream; this cookie
 * stream sends "undone"/"would undo" lines to stdout and everything else
 * (failures, notes) to stderr, as they come, and counts them.
 */
struct route {
	char *line;
	size_t len;
	unsigned undone;
	unsigned failed;
};

static void route_line(struct route *rt)
{
	bool ok = strncmp(rt->line, "undone ", 7) == 0 || strncmp(rt->line, "would undo ", 11) == 0;

	fwrite(rt->line, 1, rt->len, ok ? stdout : stderr);
	fflush(ok ? stdout : stderr);
	if (ok)
		rt->undone++;
	else if (strncmp(rt->line, "failed ", 7) == 0)
		rt->failed++;
	rt->len = 0;
}

static ssize_t route_write(void *cookie, const char *buf, size_t n)
{
	struct route *rt = cookie;

	for (size_t i = 0; i < n; i++) {
		rt->line = ht_xrealloc(rt->line, rt->len + 1);
		rt->line[rt->len++] = buf[i];
		if (buf[i] == '\n')
			route_line(rt);
	}
	return (ssize_t)n;
}

static int route_close(void *cookie)
{
	struct route *rt = cookie;

	if (rt->len > 0) {
		rt->line = ht_xrealloc(rt->line, rt->len + 1);
		rt->line[rt->len++] = '\n';
		route_line(rt);
	}
	free(rt->line);
	rt->line = NULL;
	return 0;
}

int isolab_cmd_reap(int argc, char **argv)
{
	static const struct option options[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct route rt = { 0 };
	cookie_io_functions_t io = { .write = route_write, .close = route_close };
	bool dry_run = false;
	unsigned journals = 0;
	FILE *out;
	int c, r;

	/* optind = 0 makes glibc restart its scan, whatever ran getopt before us. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+nh", options, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return ISOLAB_EXIT_OK;
		default:
			if (optopt)
				fprintf(stderr, "isolab reap: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "isolab reap: unknown option '%s'\n",
					argv[optind - 1]);
			fprintf(stderr, "Try 'isolab reap --help'.\n");
			return ISOLAB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "isolab reap: unexpected argument '%s'\n", argv[optind]);
		fprintf(stderr, "Try 'isolab reap --help'.\n");
		return ISOLAB_EXIT_USAGE;
	}

	out = fopencookie(&rt, "w", io);
	if (!out) {
		fprintf(stderr, "isolab reap: open output stream: %s\n", ht_errno_name(errno));
		return ISOLAB_EXIT_ERROR;
	}
	/* Line-buffered, so lines reach the terminal as each entry is undone. */
	setvbuf(out, NULL, _IOLBF, 0);
	r = ht_journal_reap_all(NULL, out, dry_run, &journals);
	fclose(out);
	if (r < 0) {
		fprintf(stderr, "isolab reap: read journals in %s/journal: %s\n", ht_state_dir(),
			ht_errno_name(r));
		return ISOLAB_EXIT_ERROR;
	}

	if (journals == 0)
		printf("nothing to reap\n");
	else
		printf("%s %u entr%s from %u dead run%s\n", dry_run ? "would undo" : "undone",
		       rt.undone, rt.undone == 1 ? "y" : "ies", journals, journals == 1 ? "" : "s");
	fflush(stdout);
	if (r > 0) {
		fprintf(stderr,
			"isolab reap: %d entr%s could not be undone; their journals are kept "
			"in %s/journal\n",
			r, r == 1 ? "y" : "ies", ht_state_dir());
		return ISOLAB_EXIT_ERROR;
	}
	return ISOLAB_EXIT_OK;
}
