/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The isolab command line: one function per verb, dispatched from isolab.c.
 * Each verb returns an exit code from the table below (documented in
 * README.md "Exit codes"); only main() exits.
 */
#ifndef ISOLAB_CLI_H
#define ISOLAB_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

enum {
	ISOLAB_EXIT_OK = 0,	/* everything selected passed, skipped or xfailed */
	ISOLAB_EXIT_FAILED = 1, /* at least one FAIL, TIMEOUT or BROKEN */
	ISOLAB_EXIT_USAGE = 2,	/* bad flags or arguments: nothing was run */
	ISOLAB_EXIT_ERROR = 3,	/* the harness could not do its job (state dir, journal...) */
	ISOLAB_EXIT_BAIL = 99,	/* TAP mode: the harness itself broke ("Bail out!") */
	ISOLAB_EXIT_SIGNAL_BASE = 128, /* run stopped by SIGINT/SIGTERM: 128+signo */
};

struct ht_filter;
struct ht_journal;

/* A report file written to PATH.tmp and renamed into place when complete. */
struct isolab_out {
	char *path;
	char *tmp;
	FILE *f;
};

int isolab_out_open(struct isolab_out *o, const char *path);
/* Publish the finished report (ok) or drop the partial one. Returns 0 or -errno. */
int isolab_out_close(struct isolab_out *o, bool ok);

/*
 * Block SIGINT, SIGTERM and SIGHUP (the set goes to *ret_set, the old mask
 * to *ret_saved): a verb reads them from a signalfd and finishes its reports
 * instead of dying halfway through them.
 */
void isolab_block_stop_signals(sigset_t *ret_set, sigset_t *ret_saved);

/* Now, as ISO 8601 UTC (malloc'd). */
char *isolab_iso_now(void);

/*
 * Undo whatever dead runs (crash, SIGKILL) left on this host, with a line on
 * stderr for each entry really undone or not undoable ("isolab VERB: reap:").
 */
void isolab_reap_dead_runs(struct ht_journal *journal, const char *verb, unsigned *ret_journals);

/*
 * Selection options shared by `run` and `list`: -a/--area, -l/--lesson,
 * -t/--test and --selftest. Returns 1 if opt was one of them (consumed),
 * 0 if not, -EINVAL (after printing why) for a bad value.
 */
int isolab_filter_option(struct ht_filter *f, int opt, const char *arg);
#define ISOLAB_FILTER_SHORTOPTS "a:l:t:"
#define ISOLAB_FILTER_LONGOPTS                                                                \
	{ "area", required_argument, NULL, 'a' }, { "lesson", required_argument, NULL, 'l' }, \
		{ "test", required_argument, NULL, 't' },                                     \
	{                                                                                     \
		"selftest", no_argument, NULL, 'S'                                            \
	}
#define ISOLAB_FILTER_HELP                                                                \
	"  -a, --area LIST      only these areas (harness,isolation,limits,network,\n"    \
	"                       oci,tracing), comma-separated, repeatable\n"              \
	"  -l, --lesson LIST    only these lessons, e.g. 1,3-5\n"                         \
	"  -t, --test GLOB      only tests whose name or area/name matches, repeatable\n" \
	"      --selftest       allow the harness's own fixtures (with -t)\n"

void isolab_usage_error(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Check a --vm-kernel SPEC (debian:X.Y or path:FILE) before anything runs;
 * a usage error for `verb` and false when it does not parse.
 */
bool isolab_vm_kernel_ok(const char *verb, const char *spec);

int isolab_cmd_vm(int argc, char **argv);
int isolab_cmd_run(int argc, char **argv);
int isolab_cmd_list(int argc, char **argv);
int isolab_cmd_probe(int argc, char **argv);
int isolab_cmd_reap(int argc, char **argv);
int isolab_cmd_report(int argc, char **argv);
/*
 * Render JSON reports (files, or --report-dir directories) as one HTML page
 * at output ("-": stdout), written whole or not at all. Returns an exit code
 * of `isolab report html`; errors are on stderr.
 */
int isolab_report_html(const char *const *inputs, size_t n, const char *output);
int isolab_cmd_grade(int argc, char **argv);

#endif
