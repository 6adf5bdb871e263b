// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the reporters: each one renders the synthetic runs of
 * report-fixture.c and must match its golden file byte for byte, plus
 * checks of what a golden file cannot show on its own (every output is
 * valid UTF-8, hostile text stays inside its field, interrupted and
 * out-of-order runs, write errors).
 *
 *	usage: test-report GOLDEN_DIR
 *
 * To regenerate the golden files after an intended change of format, run
 *
 *	ISOLAB_UPDATE_GOLDEN=1 meson test -C build --suite report
 *
 * which rewrites tests/report/golden/ in the source tree instead of
 * comparing; review the diff before committing it. On a mismatch the actual
 * output is left as NAME.actual in the test's working directory.
 */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <string.h>

#include "ht-report-priv.h"
#include "ht-report.h"
#include "ht-util.h"
#include "report-fixture.h"

static const char *golden_dir;

static char *render_n(const struct ht_reporter_ops *ops, const struct ht_run *run, size_t n)
{
	struct ht_reporter rep = { .ops = ops };
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rep.out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(rep.out);
	ops->begin(&rep, run, run->n_results);
	for (size_t i = 0; i < n && i < run->n_results; i++)
		ops->result(&rep, run, &run->results[i], i);
	rc = ops->end(&rep, run);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(rep.priv);
	fclose(rep.out);
	return buf;
}

static char *render(const struct ht_reporter_ops *ops, const struct ht_run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ht_report_write(ops, f, run), 0);
	fclose(f);
	return buf;
}

static int line_of(const char *s, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

static void check_golden(const char *name, const char *got)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/%s", golden_dir, name);
	_cleanup_free_ char *want = NULL;
	const char *update = getenv("ISOLAB_UPDATE_GOLDEN");
	_cleanup_free_ char *actual = NULL;
	size_t off = 0;
	int rc;

	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "w");

		ck_assert_msg(f, "open %s: %s", path, strerror(errno));
		fputs(got, f);
		ck_assert_int_eq(fclose(f), 0);
		return;
	}
	rc = ht_read_file(AT_FDCWD, path, &want);
	ck_assert_msg(rc == 0, "read golden %s: %s (ISOLAB_UPDATE_GOLDEN=1 creates it)", path,
		      strerror(-rc));
	if (strcmp(want, got) == 0)
		return;

	while (want[off] && want[off] == got[off])
		off++;
	actual = ht_xasprintf("%s.actual", name);
	{
		FILE *f = fopen(actual, "w");

		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	ck_abort_msg("%s differs from golden %s at line %d (actual output in %s; "
		     "ISOLAB_UPDATE_GOLDEN=1 regenerates)",
		     name, path, line_of(got, off), actual);
}

static void assert_valid_utf8(const char *what, const char *s)
{
	for (const char *p = s; *p;) {
		int32_t cp;
		size_t n = ht_utf8_decode(p, &cp);

		ck_assert_msg(cp >= 0, "%s: ill-formed UTF-8 at byte %zu", what, (size_t)(p - s));
		p += n;
	}
}

/* The last line of s, without its newline, into a new string. */
static char *last_line(const char *s, int from_end)
{
	size_t len = strlen(s);
	size_t end, start;

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(s[len - 1], '\n');
	end = len - 1;
	for (;;) {
		start = end;
		while (start > 0 && s[start - 1] != '\n')
			start--;
		if (from_end-- == 0)
			break;
		ck_assert_uint_gt(start, 0);
		end = start - 1;
	}
	return strndup(s + start, end - start);
}

enum fixture { FULL, PASSING, EMPTY };

static const struct golden_case {
	const struct ht_reporter_ops *ops;
	enum fixture fixture;
	const char *file;
} golden_cases[] = {
	{ &ht_report_tap, FULL, "run.tap" },
	{ &ht_report_junit, FULL, "run.xml" },
	{ &ht_report_json, FULL, "run.json" },
	{ &ht_report_console, FULL, "run.console" },
	{ &ht_report_tap, PASSING, "pass.tap" },
	{ &ht_report_tap, EMPTY, "empty.tap" },
	{ &ht_report_junit, EMPTY, "empty.xml" },
	{ &ht_report_json, EMPTY, "empty.json" },
	{ &ht_report_console, EMPTY, "empty.console" },
};

static void fixture_build(struct ht_run *run, enum fixture which)
{
	switch (which) {
	case FULL:
		fixture_full_run(run);
		break;
	case PASSING:
		fixture_passing_run(run);
		break;
	case EMPTY:
		fixture_empty_run(run);
		break;
	}
}

START_TEST(test_golden)
{
	const struct golden_case *c = &golden_cases[_i];
	struct ht_run run;
	_cleanup_free_ char *got = NULL;

	fixture_build(&run, c->fixture);
	got = render(c->ops, &run);
	assert_valid_utf8(c->file, got);
	check_golden(c->file, got);
	ht_run_done(&run);
}
END_TEST

/* TAP 13 "Skipping everything": meson turns this into a SKIP of the whole test. */
START_TEST(test_tap_empty_is_whole_skip)
{
	struct ht_run run;
	_cleanup_free_ char *got = NULL, *last = NULL;

	fixture_empty_run(&run);
	got = render(&ht_report_tap, &run);
	ck_assert(strncmp(got, "TAP version 13\n", 15) == 0);
	last = last_line(got, 0);
	ck_assert_str_eq(last, "1..0 # SKIP no test selected");
	ht_run_done(&run);
}
END_TEST

/* Every TAP line is one meson 1.0.1 knows, and short enough for its reader. */
START_TEST(test_tap_lines)
{
	struct ht_run run;
	_cleanup_free_ char *got = NULL;
	bool in_yaml = false;
	char *save = NULL;

	fixture_full_run(&run);
	got = render(&ht_report_tap, &run);
	for (char *l = strtok_r(got, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(strlen(l) < 1200, "TAP line too long: %zu bytes", strlen(l));
		if (in_yaml) {
			ck_assert_msg(strncmp(l, "  ", 2) == 0, "YAML line not indented: %s", l);
			in_yaml = strcmp(l, "  ...") != 0;
			continue;
		}
		if (strcmp(l, "  ---") == 0) {
			in_yaml = true;
			continue;
		}
		ck_assert_msg(strcmp(l, "TAP version 13") == 0 || l[0] == '#' ||
				      strncmp(l, "ok ", 3) == 0 || strncmp(l, "not ok ", 7) == 0 ||
				      strncmp(l, "1..", 3) == 0,
			      "unexpected TAP line: %s", l);
		/* The hostile name must not smuggle in a directive. */
		if (strstr(l, "oci/hostile"))
			ck_assert_ptr_null(strchr(l, '#'));
	}
	ck_assert(!in_yaml);
	ht_run_done(&run);
}
END_TEST

START_TEST(test_console_last_line)
{
	struct ht_run run;
	_cleanup_free_ char *got = NULL, *last = NULL;

	fixture_full_run(&run);
	got = render(&ht_report_console, &run);
	last = last_line(got, 0);
	/* PASS 2 + WARN 1 + XFAIL 1; FAIL, BROKEN, TIMEOUT; SKIP 2. */
	ck_assert_str_eq(last, "4 passed, 3 failed, 2 skipped");
	ck_assert_ptr_null(strchr(got, '\033'));
	ck_assert_ptr_null(strchr(got, '\r'));
	ht_run_done(&run);
}
END_TEST

/*
 * A run stopped by SIGINT after three of nine tests reported. (The runner
 * reports the rest as BROKEN "not run"; reporters must cope either way.)
 */
START_TEST(test_interrupted)
{
	struct ht_run run;
	_cleanup_free_ char *tap = NULL, *con = NULL, *json = NULL, *xml = NULL;
	_cleanup_free_ char *l0 = NULL, *l1 = NULL;
	json_t *doc;
	json_error_t err;

	fixture_full_run(&run);
	run.interrupted_by = SIGINT;
	tap = render_n(&ht_report_tap, &run, 3);
	con = render_n(&ht_report_console, &run, 3);
	json = render_n(&ht_report_json, &run, 3);
	xml = render_n(&ht_report_junit, &run, 3);

	/* The plan covers what was reported; a comment says why the run stopped. */
	l0 = last_line(tap, 0);
	l1 = last_line(tap, 1);
	ck_assert_str_eq(l0, "1..3");
	ck_assert_str_eq(l1, "# run interrupted by SIGINT");
	free(l0);
	free(l1);

	l0 = last_line(con, 0);
	l1 = last_line(con, 1);
	ck_assert_str_eq(l0, "2 passed, 0 failed, 1 skipped");
	ck_assert_str_eq(l1, "run interrupted by SIGINT: 3 of 9 tests ran");

	doc = json_loads(json, 0, &err);
	ck_assert_msg(doc, "json: %s", err.text);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "interrupted_by")), SIGINT);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "results")), 3);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(doc, "summary"), "total")), 3);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(doc, "summary"), "planned")), 9);
	json_decref(doc);

	ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"isolab\" tests=\"3\""));
	ck_assert_ptr_nonnull(strstr(xml, "<property name=\"interrupted_by\" value=\"2\"/>"));
	ht_run_done(&run);
}
END_TEST

/*
 * Parallel runs report in completion order. Streams number what arrives;
 * the file reports are in run order, whatever the order of arrival.
 */
START_TEST(test_arrival_order)
{
	struct ht_run run;
	struct ht_reporter tap = { .ops = &ht_report_tap }, json = { .ops = &ht_report_json };
	char *tbuf = NULL, *jbuf = NULL;
	size_t tlen = 0, jlen = 0;
	json_t *doc, *results;
	json_error_t err;

	fixture_full_run(&run);
	tap.out = open_memstream(&tbuf, &tlen);
	json.out = open_memstream(&jbuf, &jlen);
	ht_report_tap.begin(&tap, &run, 2);
	ht_report_json.begin(&json, &run, 2);
	ht_report_tap.result(&tap, &run, &run.results[2], 2);
	ht_report_json.result(&json, &run, &run.results[2], 2);
	ht_report_tap.result(&tap, &run, &run.results[0], 0);
	/* A wrong index: the reporter trusts the pointer. */
	ht_report_json.result(&json, &run, &run.results[0], 7);
	ck_assert_int_eq(ht_report_tap.end(&tap, &run), 0);
	ck_assert_int_eq(ht_report_json.end(&json, &run), 0);
	fclose(tap.out);
	fclose(json.out);

	ck_assert_ptr_nonnull(strstr(tbuf, "\nok 1 - limits/memory_max_oom # SKIP "));
	ck_assert_ptr_nonnull(strstr(tbuf, "\nok 2 - isolation/pidns_init_is_pid1\n"));
	ck_assert_ptr_nonnull(strstr(tbuf, "\n1..2\n"));

	doc = json_loads(jbuf, 0, &err);
	ck_assert_msg(doc, "json: %s", err.text);
	results = json_object_get(doc, "results");
	ck_assert_uint_eq(json_array_size(results), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(results, 0), "name")),
			 "pidns_init_is_pid1");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(results, 1), "name")),
			 "memory_max_oom");
	json_decref(doc);
	free(tbuf);
	free(jbuf);
	ht_run_done(&run);
}
END_TEST

static json_t *find_result(json_t *doc, const char *name)
{
	json_t *results = json_object_get(doc, "results");

	for (size_t i = 0; i < json_array_size(results); i++) {
		json_t *r = json_array_get(results, i);

		if (strcmp(json_string_value(json_object_get(r, "name")), name) == 0)
			return r;
	}
	ck_abort_msg("no result %s", name);
	return NULL;
}

START_TEST(test_json_fields)
{
	struct ht_run run;
	_cleanup_free_ char *got = NULL;
	json_t *doc, *r, *tags;
	json_error_t err;

	fixture_full_run(&run);
	got = render(&ht_report_json, &run);
	/* jansson rejects ill-formed UTF-8 on load: loading proves it is clean. */
	doc = json_loads(got, 0, &err);
	ck_assert_msg(doc, "json: %s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "isolab-report/1");

	r = find_result(doc, "memory_max_oom");
	tags = json_object_get(r, "tags");
	ck_assert_uint_eq(json_array_size(tags), 2);
	ck_assert_str_eq(json_string_value(json_array_get(tags, 0)),
			 "spec:cgroup-v2.rst#memory-interface-files");
	ck_assert_str_eq(json_string_value(json_array_get(tags, 1)), "lesson:05");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "skip"), "errno")),
			 EOPNOTSUPP);

	r = find_result(doc, "hostile <name> & \"#\" # TODO");
	/* Control characters are kept (JSON escapes them), bad bytes are U+FFFD. */
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r, "reason")),
				     "\r\x01\x1b[31mred\x7f\ttab \xef\xbf\xbd "));

	r = find_result(doc, "execve_tracepoint");
	ck_assert(json_is_null(json_object_get(r, "reason")));
	ck_assert(json_is_null(json_object_get(r, "file")));
	ck_assert(json_is_null(json_object_get(r, "line")));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "tags")), 0);
	json_decref(doc);
	ht_run_done(&run);
}
END_TEST

START_TEST(test_junit_escaping)
{
	struct ht_run run;
	_cleanup_free_ char *got = NULL;

	fixture_full_run(&run);
	got = render(&ht_report_junit, &run);
	/* C0 controls other than tab, newline and CR are not XML 1.0 Chars. */
	for (const char *p = got; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t',
			      "raw control 0x%02x in XML", (unsigned char)*p);
	ck_assert_ptr_null(strstr(got, "\xef\xbf\xbe"));
	ck_assert_ptr_null(strstr(got, "]]>"));
	ck_assert_ptr_nonnull(
		strstr(got, "name=\"hostile &lt;name&gt; &amp; &quot;#&quot; # TODO\""));
	/* Newline in an attribute survives attribute-value normalisation. */
	ck_assert_ptr_nonnull(strstr(got, "not a directive&#10;second line&#13;\\x01\\x1b[31m"));
	ht_run_done(&run);
}
END_TEST

static const struct utf8_case {
	const char *in;
	const char *want;
} utf8_cases[] = {
	{ "plain", "plain" },
	{ "na\xc3\xafve \xf0\x9f\x98\x80", "na\xc3\xafve \xf0\x9f\x98\x80" },
	{ "\xff", "\xef\xbf\xbd" },
	/* Truncated sequence: one replacement for the maximal subpart. */
	{ "\xe2\x82x", "\xef\xbf\xbdx" },
	/* Overlong '/': C0 never starts a sequence, AF is a stray continuation. */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	/* A UTF-16 surrogate and code point 0x110000. */
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },
	{ "\xef\xbf\xbe", "\xef\xbf\xbe" },
};

START_TEST(test_utf8_clean)
{
	_cleanup_free_ char *got = ht_utf8_clean(utf8_cases[_i].in);

	ck_assert_str_eq(got, utf8_cases[_i].want);
	ck_assert_ptr_null(ht_utf8_clean(NULL));
}
END_TEST

START_TEST(test_skip_text)
{
	char probe[] = "cgroup.memory";
	char plain[] = "memory controller on v1";
	char named[] = "cgroup.memory: memory controller on v1";
	struct ht_test t = { .name = "x" };
	struct ht_result r = { .test = &t, .outcome = HT_SKIP };
	char *s;

	s = ht_report_skip_text(&r);
	ck_assert_str_eq(s, "no reason given");
	free(s);

	r.skip_probe = probe;
	r.skip_errno = EOPNOTSUPP;
	s = ht_report_skip_text(&r);
	ck_assert_str_eq(s, "probe cgroup.memory failed (EOPNOTSUPP)");
	free(s);

	r.reason = plain;
	s = ht_report_skip_text(&r);
	ck_assert_str_eq(s, "memory controller on v1 (probe cgroup.memory, EOPNOTSUPP)");
	free(s);

	/* The runner already named the probe: say it once. */
	r.reason = named;
	s = ht_report_skip_text(&r);
	ck_assert_str_eq(s, "cgroup.memory: memory controller on v1 (EOPNOTSUPP)");
	free(s);
}
END_TEST

/* end() reports a write error as -errno, for every reporter. */
START_TEST(test_write_error)
{
	static const struct ht_reporter_ops *const all[] = {
		&ht_report_tap,
		&ht_report_junit,
		&ht_report_json,
		&ht_report_console,
	};
	struct ht_run run;
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		return; /* no /dev/full in this sandbox: nothing to check */
	fixture_full_run(&run);
	fclose(f);
	for (size_t i = 0; i < HT_ARRAY_SIZE(all); i++) {
		f = fopen("/dev/full", "w");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(ht_report_write(all[i], f, &run), -ENOSPC);
		fclose(f);
	}
	ht_run_done(&run);
}
END_TEST

/* The file reporters still write the whole run if begin() was never called. */
START_TEST(test_end_without_begin)
{
	struct ht_run run;
	struct ht_reporter rep = { .ops = &ht_report_json };
	char *buf = NULL;
	size_t len = 0;
	json_t *doc;

	fixture_full_run(&run);
	rep.out = open_memstream(&buf, &len);
	ck_assert_int_eq(ht_report_json.end(&rep, &run), 0);
	fclose(rep.out);
	doc = json_loads(buf, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "results")), run.n_results);
	json_decref(doc);
	free(buf);
	ht_run_done(&run);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("reporters");

	tcase_add_loop_test(tc, test_golden, 0, (int)HT_ARRAY_SIZE(golden_cases));
	tcase_add_test(tc, test_tap_empty_is_whole_skip);
	tcase_add_test(tc, test_tap_lines);
	tcase_add_test(tc, test_console_last_line);
	tcase_add_test(tc, test_interrupted);
	tcase_add_test(tc, test_arrival_order);
	tcase_add_test(tc, test_json_fields);
	tcase_add_test(tc, test_junit_escaping);
	tcase_add_loop_test(tc, test_utf8_clean, 0, (int)HT_ARRAY_SIZE(utf8_cases));
	tcase_add_test(tc, test_skip_text);
	tcase_add_test(tc, test_write_error);
	tcase_add_test(tc, test_end_without_begin);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
		return 2;
	}
	golden_dir = argv[1];
	sr = srunner_create(report_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
