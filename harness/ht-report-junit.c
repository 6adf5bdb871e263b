// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * JUnit XML reporter, written once at the end, for CI systems and LMSs.
 *
 * JUnit XML has no normative specification; this follows the conventions
 * Ant's JUnit task set and Jenkins, GitLab and Maven Surefire read:
 * <testsuites> holds one <testsuite> per area ("isolab.<area>"), each with
 * the run facts as <properties>, and one <testcase> per behaviour. A FAIL is
 * a <failure>, BROKEN and TIMEOUT are <error>s (the test did not get to
 * judge the behaviour), SKIP is <skipped message=reason>. XFAIL and WARN ran
 * and passed, so they are passing testcases that explain themselves in
 * <system-out>. reports/junit.xsd describes exactly what is written here.
 */
#include <stdbool.h>
#include <string.h>

#include "ht-report-priv.h"
#include "ht-report.h"
#include "ht-util.h"

/*
 * Write s as XML 1.0 character data or attribute value. XML 1.0 section 2.2
 * (Char) forbids most C0 controls and U+FFFE/U+FFFF: controls become a
 * visible "\xNN" (DEL too, which XML allows but no reader wants), the rest
 * and ill-formed UTF-8 become U+FFFD. Quotes only need escaping in attribute
 * values (section 2.4). In attributes, tab, newline and CR are written as
 * character references, because attribute-value normalisation (section
 * 3.3.3) would turn them into spaces; a raw CR in text would be folded by
 * end-of-line handling (section 2.11).
 */
static void xml_put(FILE *f, const char *s, bool attr)
{
	while (s && *s) {
		int32_t cp;
		size_t n = ht_utf8_decode(s, &cp);

		switch (cp) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			/* Needed in text too: "]]>" must not appear (section 2.4). */
			fputs("&gt;", f);
			break;
		case '"':
			fputs(attr ? "&quot;" : "\"", f);
			break;
		case '\'':
			fputs(attr ? "&apos;" : "'", f);
			break;
		case '\t':
			fputs(attr ? "&#9;" : "\t", f);
			break;
		case '\n':
			fputs(attr ? "&#10;" : "\n", f);
			break;
		case '\r':
			fputs("&#13;", f);
			break;
		case 0xFFFE:
		case 0xFFFF:
		case -1:
			ht_utf8_put(f, HT_UTF8_REPLACEMENT);
			break;
		default:
			if (cp < 0x20 || cp == 0x7F)
				fprintf(f, "\\x%02x", (unsigned)cp);
			else
				fwrite(s, 1, n, f);
			break;
		}
		s += n;
	}
}

static void xml_attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	xml_put(f, value, true);
	fputc('"', f);
}

static void xml_prop(FILE *f, const char *indent, const char *name, const char *value)
{
	fprintf(f, "%s<property", indent);
	xml_attr(f, "name", name);
	xml_attr(f, "value", value ? value : "");
	fputs("/>\n", f);
}

/* Counts as JUnit defines them: errors are BROKEN and TIMEOUT. */
struct junit_counts {
	size_t tests, failures, errors, skipped;
	double time;
};

static void junit_count(struct junit_counts *c, const struct ht_result *r)
{
	enum ht_outcome o = ht_report_outcome(r);

	c->tests++;
	c->failures += o == HT_FAIL;
	c->errors += o == HT_BROKEN || o == HT_TIMEOUT;
	c->skipped += o == HT_SKIP;
	c->time += ht_report_seconds(r->duration_s);
}

static void junit_counts_attrs(FILE *f, const struct junit_counts *c, double time)
{
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
		c->tests, c->failures, c->errors, c->skipped, ht_report_seconds(time));
}

static void junit_run_properties(FILE *f, const struct ht_run *run)
{
	_cleanup_free_ char *run_id = ht_report_run_id(run);

	fputs("    <properties>\n", f);
	xml_prop(f, "      ", "run_id", run_id);
	xml_prop(f, "      ", "tool_version", run->tool_version);
	xml_prop(f, "      ", "hostname", run->hostname);
	xml_prop(f, "      ", "kernel", run->kernel);
	xml_prop(f, "      ", "started", run->started);
	if (run->interrupted_by) {
		_cleanup_free_ char *sig = ht_xasprintf("%d", run->interrupted_by);

		xml_prop(f, "      ", "interrupted_by", sig);
	}
	for (size_t i = 0; i < run->n_facts; i++)
		if (run->facts[i].key)
			xml_prop(f, "      ", run->facts[i].key, run->facts[i].value);
	fputs("    </properties>\n", f);
}

static void junit_case_properties(FILE *f, const struct ht_result *r)
{
	const struct ht_test *t = r->test;
	_cleanup_free_ char *lesson = ht_xasprintf("%d", t ? t->lesson : 0);
	_cleanup_free_ char *tags = ht_report_tags(t ? t->tags : NULL);

	fputs("      <properties>\n", f);
	xml_prop(f, "        ", "outcome", ht_outcome_name(ht_report_outcome(r)));
	xml_prop(f, "        ", "lesson", lesson);
	if (tags)
		xml_prop(f, "        ", "tags", tags);
	if (r->where)
		xml_prop(f, "        ", "where", r->where);
	if (t && t->file) {
		_cleanup_free_ char *at = ht_xasprintf("%s:%d", t->file, t->line);

		xml_prop(f, "        ", "file", at);
	}
	if (ht_report_outcome(r) == HT_SKIP && r->skip_probe) {
		xml_prop(f, "        ", "skip_probe", r->skip_probe);
		if (r->skip_errno)
			xml_prop(f, "        ", "skip_errno", ht_errno_name(r->skip_errno));
	}
	fputs("      </properties>\n", f);
}

/* One line per message, "OUTCOME: text", skipping the text already given as skip. */
static void junit_messages(FILE *f, const struct ht_result *r, const char *skip)
{
	for (size_t i = 0; i < r->n_msgs; i++) {
		const struct ht_msg *m = &r->msgs[i];
		enum ht_outcome o = (unsigned)m->outcome < HT_OUTCOME_MAX ? m->outcome : HT_BROKEN;

		if (skip && m->text && strcmp(m->text, skip) == 0)
			continue;
		fprintf(f, "%s: ", ht_outcome_name(o));
		xml_put(f, m->text, false);
		fputc('\n', f);
	}
}

/* FAIL is a <failure>; BROKEN and TIMEOUT never judged the behaviour: <error>. */
static void junit_failure(FILE *f, const struct ht_result *r)
{
	enum ht_outcome o = ht_report_outcome(r);
	const char *elem = o == HT_FAIL ? "failure" : "error";
	const char *reason = ht_report_reason(r);

	fprintf(f, "      <%s", elem);
	xml_attr(f, "message", reason ? reason : "no reason given");
	fprintf(f, " type=\"%s\"", ht_outcome_name(o));
	if (!r->n_msgs) {
		fputs("/>\n", f);
		return;
	}
	fputc('>', f);
	junit_messages(f, r, NULL);
	fprintf(f, "</%s>\n", elem);
}

/*
 * Everything else passed or was skipped. XFAIL is not <skipped>: the test
 * ran and failed as expected, which is a pass that says so in <system-out>.
 */
static void junit_other(FILE *f, const struct ht_result *r)
{
	enum ht_outcome o = ht_report_outcome(r);
	_cleanup_free_ char *skip = NULL;
	const char *note = NULL;

	if (o == HT_SKIP) {
		skip = ht_report_skip_text(r);
		fputs("      <skipped", f);
		xml_attr(f, "message", skip);
		fputs("/>\n", f);
	}
	if (o != HT_XFAIL && o != HT_WARN && !r->n_msgs)
		return;

	fputs("      <system-out>", f);
	if (o == HT_XFAIL) {
		note = ht_report_xfail_text(r);
		fputs("XFAIL: ", f);
		xml_put(f, note ? note : "expected failure", false);
		fputs(" (failed as expected)\n", f);
	} else if (o == HT_WARN) {
		note = ht_report_reason(r);
		fputs("WARN: ", f);
		xml_put(f, note ? note : "no reason given", false);
		fputc('\n', f);
	} else if (o == HT_SKIP) {
		note = r->reason;
	}
	junit_messages(f, r, note);
	fputs("</system-out>\n", f);
}

static bool in_vm(const struct ht_result *r)
{
	return r->where && strncmp(r->where, "vm:", 3) == 0;
}

static void junit_testcase(FILE *f, const struct ht_result *r)
{
	/* Per place: a matrix must not show one case name once per kernel. */
	_cleanup_free_ char *classname =
		in_vm(r) ? ht_xasprintf("isolab.%s.%s", r->where, ht_area_name(ht_report_area(r))) :
			   ht_xasprintf("isolab.%s", ht_area_name(ht_report_area(r)));

	fputs("    <testcase", f);
	xml_attr(f, "name", ht_report_test_name(r));
	xml_attr(f, "classname", classname);
	fprintf(f, " time=\"%.3f\">\n", ht_report_seconds(r->duration_s));
	junit_case_properties(f, r);
	if (ht_outcome_is_failure(ht_report_outcome(r)))
		junit_failure(f, r);
	else
		junit_other(f, r);
	/* What the test process itself printed (the runner's capture). */
	if (r->output && *r->output) {
		fputs("      <system-err>", f);
		xml_put(f, r->output, false);
		fputs("</system-err>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void junit_suite(FILE *f, const struct ht_run *run, const struct ht_report_seen *seen,
			const char *name, const struct junit_counts *counts,
			bool (*member)(const struct ht_result *r, const void *key), const void *key)
{
	fputs("  <testsuite", f);
	xml_attr(f, "name", name);
	junit_counts_attrs(f, counts, counts->time);
	if (run->started)
		xml_attr(f, "timestamp", run->started);
	if (run->hostname)
		xml_attr(f, "hostname", run->hostname);
	fputs(">\n", f);
	junit_run_properties(f, run);
	for (size_t i = 0; i < seen->n; i++) {
		const struct ht_result *r = &run->results[seen->idx[i]];

		if (member(r, key))
			junit_testcase(f, r);
	}
	fputs("  </testsuite>\n", f);
}

static bool in_area_on_host(const struct ht_result *r, const void *key)
{
	return !in_vm(r) && ht_report_area(r) == *(const enum ht_area *)key;
}

static bool in_place(const struct ht_result *r, const void *key)
{
	return in_vm(r) && strcmp(r->where, key) == 0;
}

/*
 * One <testsuite> per area ("isolab.isolation") for what ran on this host,
 * and one per VM ("isolab.vm:debian-6.1") for what ran in one, so a kernel
 * matrix reads as a suite per kernel.
 */
static int junit_write(FILE *f, const struct ht_run *run, const struct ht_report_seen *seen,
		       size_t planned)
{
	struct junit_counts all = { 0 }, per_area[HT_AREA_MAX] = { { 0 } };

	for (size_t i = 0; i < seen->n; i++) {
		const struct ht_result *r = &run->results[seen->idx[i]];

		junit_count(&all, r);
		if (!in_vm(r))
			junit_count(&per_area[ht_report_area(r)], r);
	}

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<testsuites name=\"isolab\"", f);
	/* The run's wall-clock time; a suite's time is the sum of its tests. */
	junit_counts_attrs(f, &all, run->duration_s);
	fputs(">\n", f);
	for (int a = 0; a < HT_AREA_MAX; a++) {
		_cleanup_free_ char *name = NULL;
		enum ht_area area = (enum ht_area)a;

		if (!per_area[a].tests)
			continue;
		name = ht_xasprintf("isolab.%s", ht_area_name(area));
		junit_suite(f, run, seen, name, &per_area[a], in_area_on_host, &area);
	}
	for (size_t i = 0; i < seen->n; i++) {
		const struct ht_result *r = &run->results[seen->idx[i]];
		struct junit_counts counts = { 0 };
		_cleanup_free_ char *name = NULL;
		bool first = true;

		if (!in_vm(r))
			continue;
		for (size_t k = 0; k < i && first; k++)
			if (in_place(&run->results[seen->idx[k]], r->where))
				first = false;
		if (!first)
			continue;
		for (size_t k = 0; k < seen->n; k++)
			if (in_place(&run->results[seen->idx[k]], r->where))
				junit_count(&counts, &run->results[seen->idx[k]]);
		name = ht_xasprintf("isolab.%s", r->where);
		junit_suite(f, run, seen, name, &counts, in_place, r->where);
	}
	fputs("</testsuites>\n", f);
	return 0;
}

static int junit_end(struct ht_reporter *rep, const struct ht_run *run)
{
	return ht_file_report_end(rep, run, junit_write);
}

const struct ht_reporter_ops ht_report_junit = {
	.name = "junit",
	.begin = ht_file_report_begin,
	.started = NULL,
	.result = ht_file_report_result,
	.end = junit_end,
};
