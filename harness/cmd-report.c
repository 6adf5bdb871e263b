// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab report: turn JSON reports written by `isolab run` and `isolab vm`
 * into other forms. `isolab report html RUN.json... -o FILE` merges them
 * into one static HTML matrix (ht-report-html.c).
 *
 * Nothing is written unless every input reads and checks: the page goes to
 * memory first, then to FILE.tmp, renamed over FILE when complete.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "ht-report-html.h"
#include "ht-util.h"
#include "isolab-cli.h"

static void help(void)
{
	printf("usage: isolab report html [OPTIONS] RUN.json... -o FILE\n"
	       "\n"
	       "Subcommands:\n"
	       "  html    render JSON reports as one static HTML page (no external assets)\n"
	       "\n"
	       "`isolab report html` reads the JSON reports of `isolab run --json/--report-dir`\n"
	       "and `isolab vm` (format isolab-report/1; a directory stands for its\n"
	       "report.json) and writes a matrix: behaviours as rows, grouped by lesson;\n"
	       "one column per host (hostname and kernel) and per VM kernel (vm:debian-6.1).\n"
	       "Several inputs merge into one matrix, e.g. one report per host or per kernel.\n"
	       "A behaviour reported twice for the same column shows the later input's result.\n"
	       "\n"
	       "  -o, --output FILE    write the page to FILE (required; - for stdout)\n"
	       "  -h, --help           this text\n"
	       "\n"
	       "Exit: 0 the page was written, 1 an input could not be read or is not a valid\n"
	       "report (the message names the file and the JSON path), 2 bad usage, 3 the\n"
	       "page could not be written. On any error nothing is written.\n");
}

/* A directory given as input stands for the report.json that `--report-dir` writes there. */
static char *input_path(const char *arg)
{
	struct stat st;

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return ht_xasprintf("%s/report.json", arg);
	return ht_xstrdup(arg);
}

static int load_input(struct ht_html *h, const char *arg)
{
	_cleanup_free_ char *path = input_path(arg);
	_cleanup_free_ char *cause = NULL;
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	json_error_t jerr;
	json_t *root;
	int r;

	if (!f) {
		fprintf(stderr, "isolab report html: %s: cannot read: %s\n", path, strerror(errno));
		return -errno;
	}
	root = json_loadf(f, 0, &jerr);
	if (!root) {
		fprintf(stderr, "isolab report html: %s:%d:%d: not valid JSON: %s\n", path,
			jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	r = ht_html_add(h, path, root, &cause);
	json_decref(root);
	if (r < 0)
		fprintf(stderr, "isolab report html: %s: %s\n", path, cause ? cause : "invalid");
	return r;
}

/* Write buf to path ("-": stdout) whole, or not at all. */
static int publish(const char *path, const char *buf, size_t len)
{
	struct isolab_out out = { 0 };
	bool ok;
	int r;

	if (strcmp(path, "-") == 0) {
		ok = fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0;
		return ok ? 0 : -EIO;
	}
	r = isolab_out_open(&out, path);
	if (r < 0) {
		isolab_out_close(&out, false);
		return r;
	}
	ok = fwrite(buf, 1, len, out.f) == len;
	r = isolab_out_close(&out, ok);
	return r < 0 ? r : ok ? 0 : -EIO;
}

static int cmd_html(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *output = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!*optarg) {
				isolab_usage_error("report html", "-o needs a file name");
				return ISOLAB_EXIT_USAGE;
			}
			output = optarg;
			break;
		case 'h':
			help();
			return ISOLAB_EXIT_OK;
		default:
			fprintf(stderr, "Try 'isolab report --help'.\n");
			return ISOLAB_EXIT_USAGE;
		}
	}
	if (!output) {
		isolab_usage_error("report html", "no output: give -o FILE (or -o - for stdout)");
		return ISOLAB_EXIT_USAGE;
	}
	if (optind >= argc) {
		isolab_usage_error("report html", "no input: give one or more JSON reports");
		return ISOLAB_EXIT_USAGE;
	}

	return isolab_report_html((const char *const *)argv + optind, (size_t)(argc - optind),
				  output);
}

int isolab_report_html(const char *const *inputs, size_t n, const char *output)
{
	struct ht_html *h = ht_html_new();
	_cleanup_free_ char *buf = NULL, *now = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	for (size_t i = 0; i < n; i++)
		if (load_input(h, inputs[i]) < 0) {
			ht_html_free(h);
			return ISOLAB_EXIT_FAILED;
		}
	now = isolab_iso_now();
	mem = open_memstream(&buf, &len);
	r = mem ? ht_html_write(mem, h, now) : -errno;
	if (mem && fclose(mem) != 0 && r >= 0)
		r = -errno;
	ht_html_free(h);
	if (r >= 0)
		r = publish(output, buf, len);
	if (r < 0) {
		fprintf(stderr, "isolab report html: write %s: %s\n", output, strerror(-r));
		return ISOLAB_EXIT_ERROR;
	}
	return ISOLAB_EXIT_OK;
}

int isolab_cmd_report(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub) {
		isolab_usage_error("report", "which report? (html)");
		return ISOLAB_EXIT_USAGE;
	}
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
		help();
		return ISOLAB_EXIT_OK;
	}
	if (strcmp(sub, "html") == 0) {
		/* getopt(3) names argv[0] in its messages. */
		_cleanup_free_ char *name = ht_xasprintf("%s html", argv[0]);

		argv[1] = name;
		return cmd_html(argc - 1, argv + 1);
	}
	isolab_usage_error("report", "unknown report '%s' (known: html)", sub);
	return ISOLAB_EXIT_USAGE;
}
