// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Console reporter: what a person watching the run reads.
 *
 *	isolab 0.1.0 run 1f2e3d4c on lab (kernel 6.18.0): 40 tests
 *	[  1/40] PASS     isolation/pidns_init_is_pid1  0.12s
 *	[  2/40] SKIP     limits/memory_max_oom  0.00s
 *	         cgroup2: memory controller bound to a v1 hierarchy (probe cgroup.memory)
 *	...
 *	PASS 30, SKIP 6, XFAIL 1, WARN 1, FAIL 2, TIMEOUT 0, BROKEN 0 (40 tests, 12.31s)
 *	32 passed, 2 failed, 6 skipped
 *
 * The last line is always exactly "N passed, N failed, N skipped" and never
 * coloured, so scripts and the lessons can match it. Colours and the live
 * "RUN" line need a terminal; colours also honour NO_COLOR (no-color.org),
 * which here disables them whenever it is set at all.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ht-report-priv.h"
#include "ht-report.h"
#include "ht-util.h"

struct console_state {
	size_t done, planned;
	bool colour;	 /* ANSI SGR colours (ECMA-48 section 8.3.117) */
	bool live;	 /* a progress line may be redrawn in place */
	bool live_shown; /* one is on screen now, without its newline */
	struct ht_tally tally;
};

static const char *const outcome_colour[HT_OUTCOME_MAX] = {
	[HT_PASS] = "\033[32m",	    [HT_SKIP] = "\033[33m",   [HT_XFAIL] = "\033[36m",
	[HT_WARN] = "\033[35m",	    [HT_FAIL] = "\033[1;31m", [HT_TIMEOUT] = "\033[1;31m",
	[HT_BROKEN] = "\033[1;31m",
};

/*
 * Write s for a terminal. Control characters other than tab would move the
 * cursor or start an escape sequence, so they (and C1 controls, which some
 * terminals obey) are shown escaped; a newline continues at indent.
 */
static void con_put(FILE *f, const char *s, const char *indent)
{
	while (s && *s) {
		int32_t cp;
		size_t n = ht_utf8_decode(s, &cp);

		if (cp < 0)
			ht_utf8_put(f, HT_UTF8_REPLACEMENT);
		else if (cp == '\n')
			fprintf(f, "\n%s", indent);
		else if (cp == '\t')
			fputc('\t', f);
		else if (cp < 0x20 || cp == 0x7F)
			fprintf(f, "\\x%02x", (unsigned)cp);
		else if (cp >= 0x80 && cp <= 0x9F)
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
}

static void con_line(FILE *f, const char *indent, const char *prefix, const char *text)
{
	fputs(indent, f);
	if (prefix)
		fprintf(f, "%s: ", prefix);
	con_put(f, text, indent);
	fputc('\n', f);
}

static void con_clear_live(struct console_state *st, FILE *f)
{
	if (st->live_shown) {
		/* CR, then EL (erase in line, ECMA-48 section 8.3.41). */
		fputs("\r\033[K", f);
		st->live_shown = false;
	}
}

static void console_begin(struct ht_reporter *rep, const struct ht_run *run, size_t n_planned)
{
	struct console_state *st = ht_xcalloc(1, sizeof(*st));
	_cleanup_free_ char *run_id = ht_report_run_id(run);
	const char *term = getenv("TERM");
	bool tty = isatty(fileno(rep->out)) == 1;
	bool dumb = term && strcmp(term, "dumb") == 0;

	st->planned = n_planned;
	st->live = tty && !dumb;
	st->colour = st->live && !getenv("NO_COLOR");
	rep->priv = st;

	fputs("isolab ", rep->out);
	con_put(rep->out, run->tool_version ? run->tool_version : "?", "");
	fputs(" run ", rep->out);
	con_put(rep->out, run_id, "");
	fputs(" on ", rep->out);
	con_put(rep->out, run->hostname ? run->hostname : "?", "");
	fputs(" (kernel ", rep->out);
	con_put(rep->out, run->kernel ? run->kernel : "?", "");
	if (n_planned)
		fprintf(rep->out, "): %zu test%s\n", n_planned, n_planned == 1 ? "" : "s");
	else
		fputs("): no test selected\n", rep->out);
	fflush(rep->out);
}

static void console_started(struct ht_reporter *rep, const struct ht_run *run,
			    const struct ht_test *test)
{
	struct console_state *st = rep->priv;

	if (!st || !st->live || !test)
		return;
	con_clear_live(st, rep->out);
	fprintf(rep->out, "[%3zu/%zu] RUN      %s/", st->done + 1, st->planned,
		ht_area_name((unsigned)test->area < HT_AREA_MAX ? test->area : HT_AREA_HARNESS));
	con_put(rep->out, test->name ? test->name : "unnamed", "");
	st->live_shown = true;
	fflush(rep->out);
}

/* What follows a non-pass line: the reason, then the messages not yet said. */
static void console_details(FILE *f, const char *indent, const struct ht_result *r)
{
	enum ht_outcome o = ht_report_outcome(r);
	_cleanup_free_ char *skip = NULL;
	/* An XFAIL shows its note, so the failure itself must still be listed. */
	const char *said = o == HT_XFAIL ? NULL : ht_report_reason(r);
	const char *first;

	switch (o) {
	case HT_SKIP:
		first = skip = ht_report_skip_text(r);
		break;
	case HT_XFAIL:
		first = ht_report_xfail_text(r);
		if (!first)
			first = "expected failure";
		break;
	default:
		first = ht_report_reason(r);
		if (!first)
			first = "no reason given";
		break;
	}
	con_line(f, indent, NULL, first);
	for (size_t i = 0; i < r->n_msgs; i++) {
		const struct ht_msg *m = &r->msgs[i];
		enum ht_outcome mo = (unsigned)m->outcome < HT_OUTCOME_MAX ? m->outcome : HT_BROKEN;

		if (mo == HT_PASS || !m->text || strcmp(m->text, first) == 0 ||
		    (said && strcmp(m->text, said) == 0))
			continue;
		con_line(f, indent, ht_outcome_name(mo), m->text);
	}
}

static void console_result(struct ht_reporter *rep, const struct ht_run *run,
			   const struct ht_result *r, size_t index)
{
	struct console_state *st = rep->priv;
	enum ht_outcome o = ht_report_outcome(r);
	FILE *f = rep->out;
	char head[48];
	int w;

	if (!st)
		return;
	con_clear_live(st, f);
	st->done++;
	ht_tally_add(&st->tally, r);

	w = snprintf(head, sizeof(head), "[%3zu/%zu] ", st->done,
		     st->planned > st->done ? st->planned : st->done);
	fputs(head, f);
	if (st->colour)
		fprintf(f, "%s%s\033[0m%*s", outcome_colour[o], ht_outcome_name(o),
			8 - (int)strlen(ht_outcome_name(o)), "");
	else
		fprintf(f, "%-8s", ht_outcome_name(o));
	fprintf(f, " %s/", ht_area_name(ht_report_area(r)));
	con_put(f, ht_report_test_name(r), "");
	fprintf(f, "  %.2fs", ht_report_seconds(r->duration_s));
	if (r->where && strcmp(r->where, "host") != 0) {
		fputs("  [", f);
		con_put(f, r->where, "");
		fputc(']', f);
	}
	fputc('\n', f);

	if (o != HT_PASS) {
		char indent[sizeof(head)];

		/* Details line up under the outcome column. */
		w = w < 0 ? 0 : w >= (int)sizeof(indent) ? (int)sizeof(indent) - 1 : w;
		memset(indent, ' ', (size_t)w);
		indent[w] = '\0';
		console_details(f, indent, r);
	}
	fflush(f);
}

static int console_end(struct ht_reporter *rep, const struct ht_run *run)
{
	struct console_state *st = rep->priv;
	FILE *f = rep->out;
	int rc;

	if (!st)
		return -EINVAL;
	con_clear_live(st, f);

	for (int o = 0; o < HT_OUTCOME_MAX; o++)
		fprintf(f, "%s%s %zu", o ? ", " : "", ht_outcome_name((enum ht_outcome)o),
			st->tally.counts[o]);
	fprintf(f, " (%zu test%s, %.2fs)\n", st->tally.total, st->tally.total == 1 ? "" : "s",
		ht_report_seconds(run->duration_s));

	if (run->interrupted_by) {
		const char *abbrev = sigabbrev_np(run->interrupted_by);

		if (abbrev)
			fprintf(f, "run interrupted by SIG%s: %zu of %zu tests ran\n", abbrev,
				st->done, st->planned);
		else
			fprintf(f, "run interrupted by signal %d: %zu of %zu tests ran\n",
				run->interrupted_by, st->done, st->planned);
	}
	/* The last line: exactly this, uncoloured, whatever happened above. */
	fprintf(f, "%zu passed, %zu failed, %zu skipped\n", ht_tally_passed(&st->tally),
		ht_tally_failed(&st->tally), st->tally.counts[HT_SKIP]);

	rc = ht_report_flush(f);
	free(st);
	rep->priv = NULL;
	return rc;
}

const struct ht_reporter_ops ht_report_console = {
	.name = "console",
	.begin = console_begin,
	.started = console_started,
	.result = console_result,
	.end = console_end,
};
