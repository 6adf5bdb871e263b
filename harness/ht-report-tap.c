// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * TAP 13 reporter (https://testanything.org/tap-version-13-specification.html),
 * streamed as results arrive, for `meson test` (protocol: 'tap').
 *
 * The mapping was checked against meson 1.0.1's parser (mtest.py, TAPParser):
 *
 *	PASS			ok N - area/name
 *	WARN			ok N - area/name, then "# WARN: ..." comment lines
 *	SKIP			ok N - area/name # SKIP reason		-> meson SKIP
 *	XFAIL			not ok N - area/name # TODO reason	-> EXPECTEDFAIL
 *	FAIL/BROKEN/TIMEOUT	not ok N - area/name, then a YAML block	-> FAIL
 *
 * The plan comes last ("1..N"), since the runner does not know up front how
 * many tests will report. No test at all is the whole-stream skip
 * "1..0 # SKIP no test selected". A run stopped by a signal still reports
 * every selected test (the runner marks the killed and never-started ones
 * BROKEN), so its plan is true; a comment says why the run stopped.
 */
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "ht-report-priv.h"
#include "ht-report.h"
#include "ht-util.h"

/*
 * meson 1.0.1 reads the stream through asyncio's 64 KiB buffer limit and
 * splits longer lines: a 300 KB SKIP line lost its directive (read as "ok")
 * and its tail was reported as unknown TAP output. Keep every field short.
 */
#define TAP_TEXT_MAX 1024

struct tap_state {
	size_t n; /* test points written so far, numbered from 1 */
	struct ht_tally tally;
};

enum tap_field {
	TAP_DESCRIPTION, /* the test name, before any directive */
	TAP_TEXT,	 /* a directive's reason or a comment */
};

/*
 * Write s as part of one TAP line: controls are escaped so that a newline in
 * a reason cannot end the line early, ill-formed UTF-8 becomes U+FFFD. A '#'
 * starts a directive (TAP 13, "Directives"): meson 1.0.1 reads the
 * description as [^#]*, so no escape survives there and it becomes '_'; in
 * a reason it is escaped as "\#" (TAP 14, "Escaping"), which meson keeps.
 */
static void tap_put(FILE *f, const char *s, enum tap_field field)
{
	size_t used = 0;

	while (s && *s) {
		int32_t cp;
		size_t n = ht_utf8_decode(s, &cp);

		if (used + n > TAP_TEXT_MAX) {
			fputs("...", f);
			return;
		}
		used += n;
		if (cp < 0)
			ht_utf8_put(f, HT_UTF8_REPLACEMENT);
		else if (cp == '#')
			fputs(field == TAP_DESCRIPTION ? "_" : "\\#", f);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\r')
			fputs("\\r", f);
		else if (cp < 0x20 || cp == 0x7F)
			fprintf(f, "\\x%02x", (unsigned)cp);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
}

/*
 * A YAML 1.2 double-quoted scalar (section 7.3.1), on one line whatever s
 * holds, so meson's indentation-based block detection stays in step. NEL,
 * LS and PS are line breaks to YAML 1.1 readers, hence escaped as well, and
 * so are U+FFFE and U+FFFF, which are not printable (section 5.1).
 */
static void yaml_put_str(FILE *f, const char *s)
{
	size_t used = 0;

	if (!s) {
		fputs("~", f);
		return;
	}
	fputc('"', f);
	while (*s) {
		int32_t cp;
		size_t n = ht_utf8_decode(s, &cp);

		if (used + n > TAP_TEXT_MAX) {
			fputs("...", f);
			break;
		}
		used += n;
		if (cp < 0)
			ht_utf8_put(f, HT_UTF8_REPLACEMENT);
		else if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
			 cp == 0xFFFE || cp == 0xFFFF)
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

static void tap_begin(struct ht_reporter *rep, const struct ht_run *run, size_t n_planned)
{
	_cleanup_free_ char *run_id = ht_report_run_id(run);

	rep->priv = ht_xcalloc(1, sizeof(struct tap_state));
	/* TAP 13: the version line must be the first line of the stream. */
	fputs("TAP version 13\n", rep->out);
	fputs("# isolab ", rep->out);
	tap_put(rep->out, run->tool_version ? run->tool_version : "?", TAP_TEXT);
	fputs(" run ", rep->out);
	tap_put(rep->out, run_id, TAP_TEXT);
	fputs(", kernel ", rep->out);
	tap_put(rep->out, run->kernel ? run->kernel : "?", TAP_TEXT);
	fprintf(rep->out, ", %zu test%s planned\n", n_planned, n_planned == 1 ? "" : "s");
	fflush(rep->out);
}

static void tap_test_line(FILE *f, bool ok, size_t n, const struct ht_result *r)
{
	fprintf(f, "%sok %zu - %s/", ok ? "" : "not ", n, ht_area_name(ht_report_area(r)));
	tap_put(f, ht_report_test_name(r), TAP_DESCRIPTION);
}

/* WARN passes; its detail goes into comment lines, which every parser skips. */
static void tap_warn_lines(FILE *f, const struct ht_result *r)
{
	const char *reason = ht_report_reason(r);

	fputs("# WARN: ", f);
	tap_put(f, reason ? reason : "no reason given", TAP_TEXT);
	fputc('\n', f);
	for (size_t i = 0; i < r->n_msgs; i++) {
		const struct ht_msg *m = &r->msgs[i];

		if (m->outcome != HT_WARN || !m->text || (reason && strcmp(m->text, reason) == 0))
			continue;
		fputs("# WARN: ", f);
		tap_put(f, m->text, TAP_TEXT);
		fputc('\n', f);
	}
}

/*
 * The YAML diagnostic block of TAP 13 ("YAML blocks"): indented by two
 * spaces, opened by "---" and closed by "...", right after the test line.
 */
static void tap_yaml_block(FILE *f, const struct ht_result *r)
{
	fputs("  ---\n", f);
	fprintf(f, "  outcome: %s\n", ht_outcome_name(ht_report_outcome(r)));
	fputs("  reason: ", f);
	yaml_put_str(f, ht_report_reason(r));
	fputc('\n', f);
	if (!r->n_msgs)
		fputs("  messages: []\n", f);
	else
		fputs("  messages:\n", f);
	for (size_t i = 0; i < r->n_msgs; i++) {
		fprintf(f, "    - outcome: %s\n",
			ht_outcome_name((unsigned)r->msgs[i].outcome < HT_OUTCOME_MAX ?
						r->msgs[i].outcome :
						HT_BROKEN));
		fputs("      text: ", f);
		yaml_put_str(f, r->msgs[i].text ? r->msgs[i].text : "");
		fputc('\n', f);
	}
	if (r->test && r->test->file) {
		fputs("  file: ", f);
		yaml_put_str(f, r->test->file);
		fprintf(f, "\n  line: %d\n", r->test->line);
	}
	if (r->where) {
		fputs("  where: ", f);
		yaml_put_str(f, r->where);
		fputc('\n', f);
	}
	fprintf(f, "  duration_s: %.3f\n", ht_report_seconds(r->duration_s));
	fputs("  ...\n", f);
}

static void tap_result(struct ht_reporter *rep, const struct ht_run *run, const struct ht_result *r,
		       size_t index)
{
	struct tap_state *st = rep->priv;
	enum ht_outcome o = ht_report_outcome(r);
	FILE *f = rep->out;
	_cleanup_free_ char *skip = NULL;
	const char *xfail;

	if (!st)
		return;
	st->n++;
	ht_tally_add(&st->tally, r);
	switch (o) {
	case HT_PASS:
		tap_test_line(f, true, st->n, r);
		fputc('\n', f);
		break;
	case HT_WARN:
		tap_test_line(f, true, st->n, r);
		fputc('\n', f);
		tap_warn_lines(f, r);
		break;
	case HT_SKIP:
		skip = ht_report_skip_text(r);
		tap_test_line(f, true, st->n, r);
		fputs(" # SKIP ", f);
		tap_put(f, skip, TAP_TEXT);
		fputc('\n', f);
		break;
	case HT_XFAIL:
		/* TODO: "not ok" is expected; meson reports it as EXPECTEDFAIL. */
		xfail = ht_report_xfail_text(r);
		tap_test_line(f, false, st->n, r);
		fputs(" # TODO ", f);
		tap_put(f, xfail ? xfail : "expected failure", TAP_TEXT);
		fputc('\n', f);
		break;
	default:
		tap_test_line(f, false, st->n, r);
		fputc('\n', f);
		tap_yaml_block(f, r);
		break;
	}
	/* Streamed: meson shows subtests as they arrive, and a crash keeps them. */
	fflush(f);
}

static int tap_end(struct ht_reporter *rep, const struct ht_run *run)
{
	struct tap_state *st = rep->priv;
	FILE *f = rep->out;
	int rc;

	if (!st)
		return -EINVAL;
	fprintf(f, "# %zu passed, %zu failed, %zu skipped\n", ht_tally_passed(&st->tally),
		ht_tally_failed(&st->tally), st->tally.counts[HT_SKIP]);
	if (run->interrupted_by) {
		const char *abbrev = sigabbrev_np(run->interrupted_by);

		fprintf(f, "# run interrupted by %s%s\n", abbrev ? "SIG" : "signal ",
			abbrev ? abbrev : "?");
	}
	if (st->n == 0) {
		/* TAP 13, "Skipping everything": meson reports the test as SKIP. */
		fputs("1..0 # SKIP no test selected\n", f);
	} else {
		fprintf(f, "1..%zu\n", st->n);
	}
	rc = ht_report_flush(f);
	free(st);
	rep->priv = NULL;
	return rc;
}

const struct ht_reporter_ops ht_report_tap = {
	.name = "tap",
	.begin = tap_begin,
	.started = NULL,
	.result = tap_result,
	.end = tap_end,
};
