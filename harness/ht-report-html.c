// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The HTML matrix report: JSON reports in, one self-contained page out.
 *
 * The page must open from a CI artifact, a mail attachment or a laptop with
 * no network, so everything is inline: the CSS, a few lines of JS for the
 * details panel and the filters, no fonts or images. Without JS the page
 * still reads: each cell carries its reason in a title attribute.
 *
 * It reads the JSON documents themselves rather than struct ht_run: a run
 * has one host, and a merged page has one column per host and per VM kernel,
 * each labelled from the report it came from. The shape checked here is the
 * one reports/isolab-report.schema.json describes; only what the page uses
 * must be there, but whatever is there must have the schema's type.
 *
 * Every string from a report is escaped (test names, reasons and a test's
 * output may hold <, & and quotes), in text and in attributes alike.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "ht-probe.h"
#include "ht-report-html.h"
#include "ht-report-priv.h"
#include "ht-result.h"
#include "ht-util.h"

#define REPORT_SCHEMA "isolab-report/1"

struct input {
	char *label;
	json_t *root; /* a reference we hold */
	size_t n_results;
};

struct column {
	char *key;    /* "host:NAME/KERNEL", or the where: "vm:debian-6.1" */
	char *label;  /* the hostname, or "debian-6.1" */
	char *sub;    /* the kernel release, or NULL */
	json_t *vm;   /* the report's "vms" entry for this column, or NULL */
	size_t input; /* the input it first came from */
};

struct cell {
	json_t *result; /* borrowed from an input's root; NULL: not run there */
	size_t input;
};

struct row {
	char *key; /* "area/name" */
	const char *name, *area;
	json_t *first; /* the first result seen, for the name cell's tooltip */
	int lesson;
	struct cell *cells; /* n_cells <= the number of columns */
	size_t n_cells;
};

struct ht_html {
	struct input *inputs;
	size_t n_inputs;
	struct column *cols;
	size_t n_cols;
	struct row *rows;
	size_t n_rows;
	size_t superseded; /* results replaced by a later input's */
};

/* Display order: the good, the neutral, then the bad, worst last. */
static const enum ht_outcome outcome_order[] = { HT_PASS, HT_WARN,    HT_XFAIL, HT_SKIP,
						 HT_FAIL, HT_TIMEOUT, HT_BROKEN };

static const char *const outcome_meaning[HT_OUTCOME_MAX] = {
	[HT_PASS] = "the behaviour is right",
	[HT_SKIP] = "the host cannot run it (the probe that failed is the reason)",
	[HT_XFAIL] = "a known failure, failed as expected",
	[HT_WARN] = "right, with a warning",
	[HT_FAIL] = "the behaviour is wrong",
	[HT_TIMEOUT] = "killed at its deadline",
	[HT_BROKEN] = "the setup or the harness broke; behaviour not judged",
};

/* "pass", "skip"...: the class and the short text of a cell. */
static const char *outcome_short(enum ht_outcome o)
{
	static const char *const names[HT_OUTCOME_MAX] = {
		[HT_PASS] = "pass",	[HT_SKIP] = "skip", [HT_XFAIL] = "xfail",
		[HT_WARN] = "warn",	[HT_FAIL] = "fail", [HT_TIMEOUT] = "timeout",
		[HT_BROKEN] = "broken",
	};

	return (unsigned)o < HT_OUTCOME_MAX ? names[o] : "broken";
}

/* ---- reading and checking the reports ---------------------------------- */

#define T(type)	  (1u << (type))
#define T_MISSING (1u << 8)
#define T_STR	  T(JSON_STRING)
#define T_NULL	  T(JSON_NULL)
#define T_INT	  T(JSON_INTEGER)
#define T_NUM	  (T(JSON_INTEGER) | T(JSON_REAL))
#define T_OBJ	  T(JSON_OBJECT)
#define T_ARR	  T(JSON_ARRAY)

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/*
 * obj[key] must have one of the types in mask (T_MISSING: may be absent).
 * expected says it in words for the message. *ret gets the member or NULL.
 */
static int member(json_t *obj, const char *path, const char *key, unsigned mask,
		  const char *expected, json_t **ret, char **ret_cause)
{
	json_t *v = json_object_get(obj, key);

	if (ret)
		*ret = NULL;
	if (!v) {
		if (mask & T_MISSING)
			return 0;
		return ht_set_cause(ret_cause, -EINVAL, "%s.%s: missing (expected %s)", path, key,
				    expected);
	}
	if (!(mask & T(json_typeof(v))))
		return ht_set_cause(ret_cause, -EINVAL, "%s.%s: expected %s, got %s", path, key,
				    expected, type_name(v));
	if (ret)
		*ret = v;
	return 0;
}

static int check_outcome(json_t *obj, const char *path, bool required, char **ret_cause)
{
	json_t *v;
	enum ht_outcome o;
	int r;

	r = member(obj, path, "outcome", T_STR | (required ? 0 : T_MISSING), "an outcome name", &v,
		   ret_cause);
	if (r < 0 || !v)
		return r;
	if (ht_outcome_parse(json_string_value(v), &o) < 0)
		return ht_set_cause(
			ret_cause, -EINVAL,
			"%s.outcome: \"%s\" is not an outcome (PASS, SKIP, XFAIL, WARN, "
			"FAIL, TIMEOUT, BROKEN)",
			path, json_string_value(v));
	return 0;
}

static int check_result(json_t *res, const char *path, char **ret_cause)
{
	static const struct {
		const char *key;
		unsigned mask;
		const char *expected;
	} fields[] = {
		{ "area", T_STR | T_MISSING, "a string" },
		{ "lesson", T_INT | T_MISSING, "an integer" },
		{ "tags", T_ARR | T_MISSING, "an array" },
		{ "reason", T_STR | T_NULL | T_MISSING, "a string or null" },
		{ "xfail", T_STR | T_NULL | T_MISSING, "a string or null" },
		{ "skip", T_OBJ | T_NULL | T_MISSING, "an object or null" },
		{ "messages", T_ARR | T_MISSING, "an array" },
		{ "n_pass", T_INT | T_MISSING, "an integer" },
		{ "n_fail", T_INT | T_MISSING, "an integer" },
		{ "duration_s", T_NUM | T_MISSING, "a number" },
		{ "where", T_STR | T_NULL | T_MISSING, "a string or null" },
		{ "output", T_STR | T_NULL | T_MISSING, "a string or null" },
		{ "file", T_STR | T_NULL | T_MISSING, "a string or null" },
		{ "line", T_INT | T_NULL | T_MISSING, "an integer or null" },
	};
	json_t *v, *msgs, *m;
	size_t i;
	int r;

	if (!json_is_object(res))
		return ht_set_cause(ret_cause, -EINVAL, "%s: expected a result object, got %s",
				    path, type_name(res));
	r = member(res, path, "name", T_STR, "a string", &v, ret_cause);
	if (r < 0)
		return r;
	if (!*json_string_value(v))
		return ht_set_cause(ret_cause, -EINVAL, "%s.name: empty", path);
	r = check_outcome(res, path, true, ret_cause);
	for (i = 0; r >= 0 && i < HT_ARRAY_SIZE(fields); i++)
		r = member(res, path, fields[i].key, fields[i].mask, fields[i].expected, NULL,
			   ret_cause);
	if (r < 0)
		return r;
	v = json_object_get(res, "lesson");
	if (v && (json_integer_value(v) < 0 || json_integer_value(v) > 63))
		return ht_set_cause(ret_cause, -EINVAL, "%s.lesson: %lld is not a lesson (0..63)",
				    path, (long long)json_integer_value(v));
	msgs = json_object_get(res, "messages");
	json_array_foreach(msgs, i, m) {
		_cleanup_free_ char *mpath = ht_xasprintf("%s.messages[%zu]", path, i);

		if (!json_is_object(m))
			return ht_set_cause(ret_cause, -EINVAL, "%s: expected an object, got %s",
					    mpath, type_name(m));
		r = check_outcome(m, mpath, false, ret_cause);
		if (r >= 0)
			r = member(m, mpath, "text", T_STR | T_MISSING, "a string", NULL,
				   ret_cause);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_report(json_t *root, char **ret_cause)
{
	json_t *v, *host, *results, *vms, *e;
	size_t i;
	int r;

	if (!json_is_object(root))
		return ht_set_cause(ret_cause, -EINVAL,
				    "$: expected an object (an isolab JSON report), got %s",
				    type_name(root));
	r = member(root, "$", "schema", T_STR, "\"" REPORT_SCHEMA "\"", &v, ret_cause);
	if (r < 0)
		return r;
	if (strcmp(json_string_value(v), REPORT_SCHEMA) != 0)
		return ht_set_cause(ret_cause, -EINVAL,
				    "$.schema: \"%s\" is not \"" REPORT_SCHEMA
				    "\" (not an isolab JSON report, or a newer format)",
				    json_string_value(v));
	r = member(root, "$", "host", T_OBJ, "an object", &host, ret_cause);
	if (r >= 0)
		r = member(host, "$.host", "hostname", T_STR | T_NULL | T_MISSING,
			   "a string or null", NULL, ret_cause);
	if (r >= 0)
		r = member(host, "$.host", "kernel", T_STR | T_NULL | T_MISSING, "a string or null",
			   NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "run_id", T_STR | T_NULL | T_MISSING, "a string or null",
			   NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "tool_version", T_STR | T_NULL | T_MISSING,
			   "a string or null", NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "started", T_STR | T_NULL | T_MISSING, "a string or null",
			   NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "duration_s", T_NUM | T_MISSING, "a number", NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "interrupted_by", T_INT | T_NULL | T_MISSING,
			   "an integer or null", NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "facts", T_OBJ | T_MISSING, "an object", NULL, ret_cause);
	if (r >= 0)
		r = member(root, "$", "results", T_ARR, "an array", &results, ret_cause);
	if (r >= 0)
		r = member(root, "$", "vms", T_ARR | T_MISSING, "an array", &vms, ret_cause);
	if (r < 0)
		return r;
	json_array_foreach(results, i, e) {
		_cleanup_free_ char *path = ht_xasprintf("$.results[%zu]", i);

		r = check_result(e, path, ret_cause);
		if (r < 0)
			return r;
	}
	json_array_foreach(vms, i, e) {
		_cleanup_free_ char *path = ht_xasprintf("$.vms[%zu]", i);
		static const char *const strs[] = {
			"spec", "release", "accel", "boot", "classification", "detail", "excerpt",
		};

		if (!json_is_object(e))
			return ht_set_cause(ret_cause, -EINVAL, "%s: expected an object, got %s",
					    path, type_name(e));
		r = member(e, path, "where", T_STR, "a string", NULL, ret_cause);
		for (size_t k = 0; r >= 0 && k < HT_ARRAY_SIZE(strs); k++)
			r = member(e, path, strs[k], T_STR | T_NULL | T_MISSING, "a string or null",
				   NULL, ret_cause);
		if (r >= 0)
			r = member(e, path, "boot_s", T_NUM | T_NULL | T_MISSING,
				   "a number or null", NULL, ret_cause);
		if (r >= 0)
			r = member(e, path, "wall_s", T_NUM | T_NULL | T_MISSING,
				   "a number or null", NULL, ret_cause);
		if (r < 0)
			return r;
	}
	return 0;
}

static const char *jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A string member, or dflt when it is null, missing or empty. */
static const char *jstr_or(json_t *obj, const char *key, const char *dflt)
{
	const char *s = jstr(obj, key);

	return s && *s ? s : dflt;
}

static enum ht_outcome outcome_of(json_t *obj)
{
	enum ht_outcome o = HT_BROKEN;

	(void)ht_outcome_parse(jstr(obj, "outcome"), &o);
	return o;
}

static bool is_host(const char *where)
{
	return !where || !*where || strcmp(where, "host") == 0;
}

static json_t *vm_entry(json_t *root, const char *where)
{
	json_t *vms = json_object_get(root, "vms"), *e;
	size_t i;

	json_array_foreach(vms, i, e) {
		const char *w = jstr(e, "where");

		if (w && strcmp(w, where) == 0)
			return e;
	}
	return NULL;
}

/* The column of where (NULL or "host": the report's host), made on first use. */
static size_t column_of(struct ht_html *h, size_t input, const char *where)
{
	json_t *root = h->inputs[input].root, *host = json_object_get(root, "host"), *vm = NULL;
	const char *hostname = jstr_or(host, "hostname", "host");
	const char *kernel = jstr_or(host, "kernel", NULL);
	_cleanup_free_ char *key = NULL;
	struct column *c;
	size_t i;

	if (is_host(where))
		key = ht_xasprintf("host:%s/%s", hostname, kernel ? kernel : "?");
	else
		key = ht_xstrdup(where);
	if (!is_host(where))
		vm = vm_entry(root, where);
	for (i = 0; i < h->n_cols; i++)
		if (strcmp(h->cols[i].key, key) == 0) {
			if (!h->cols[i].vm && vm) {
				h->cols[i].vm = vm;
				free(h->cols[i].sub);
				h->cols[i].sub = ht_xstrdup(jstr_or(vm, "release", ""));
			}
			return i;
		}
	h->cols = ht_xrealloc(h->cols, (h->n_cols + 1) * sizeof(*h->cols));
	c = &h->cols[h->n_cols];
	*c = (struct column){ .input = input, .vm = vm };
	c->key = TAKE_PTR(key);
	if (is_host(where)) {
		c->label = ht_xstrdup(hostname);
		c->sub = kernel ? ht_xstrdup(kernel) : NULL;
	} else {
		c->label = ht_xstrdup(strncmp(where, "vm:", 3) == 0 ? where + 3 : where);
		c->sub = vm && jstr(vm, "release") ? ht_xstrdup(jstr(vm, "release")) : NULL;
	}
	return h->n_cols++;
}

static struct row *row_of(struct ht_html *h, json_t *res)
{
	const char *name = jstr(res, "name"), *area = jstr_or(res, "area", "harness");
	_cleanup_free_ char *key = ht_xasprintf("%s/%s", area, name);
	struct row *row;

	for (size_t i = 0; i < h->n_rows; i++)
		if (strcmp(h->rows[i].key, key) == 0)
			return &h->rows[i];
	h->rows = ht_xrealloc(h->rows, (h->n_rows + 1) * sizeof(*h->rows));
	row = &h->rows[h->n_rows++];
	*row = (struct row){ .name = name, .area = area, .first = res };
	row->key = TAKE_PTR(key);
	row->lesson = (int)json_integer_value(json_object_get(res, "lesson"));
	return row;
}

static void row_set(struct ht_html *h, struct row *row, size_t col, json_t *res, size_t input)
{
	if (col >= row->n_cells) {
		row->cells = ht_xrealloc(row->cells, (col + 1) * sizeof(*row->cells));
		memset(row->cells + row->n_cells, 0,
		       (col + 1 - row->n_cells) * sizeof(*row->cells));
		row->n_cells = col + 1;
	}
	if (row->cells[col].result)
		h->superseded++;
	row->cells[col] = (struct cell){ .result = res, .input = input };
}

static const struct cell *cell_at(const struct row *row, size_t col)
{
	return col < row->n_cells && row->cells[col].result ? &row->cells[col] : NULL;
}

struct ht_html *ht_html_new(void)
{
	return ht_xcalloc(1, sizeof(struct ht_html));
}

void ht_html_free(struct ht_html *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_inputs; i++) {
		free(h->inputs[i].label);
		json_decref(h->inputs[i].root);
	}
	for (size_t i = 0; i < h->n_cols; i++) {
		free(h->cols[i].key);
		free(h->cols[i].label);
		free(h->cols[i].sub);
	}
	for (size_t i = 0; i < h->n_rows; i++) {
		free(h->rows[i].key);
		free(h->rows[i].cells);
	}
	free(h->inputs);
	free(h->cols);
	free(h->rows);
	free(h);
}

int ht_html_add(struct ht_html *h, const char *label, json_t *root, char **ret_cause)
{
	json_t *results, *vms, *e;
	size_t input, i;
	int r;

	r = check_report(root, ret_cause);
	if (r < 0)
		return r;
	h->inputs = ht_xrealloc(h->inputs, (h->n_inputs + 1) * sizeof(*h->inputs));
	input = h->n_inputs++;
	h->inputs[input] = (struct input){ .label = ht_xstrdup(label), .root = json_incref(root) };

	results = json_object_get(root, "results");
	json_array_foreach(results, i, e) {
		size_t col = column_of(h, input, jstr(e, "where"));

		row_set(h, row_of(h, e), col, e, input);
		h->inputs[input].n_results++;
	}
	/* A VM that panicked or never booted has no results, but it is a column. */
	vms = json_object_get(root, "vms");
	json_array_foreach(vms, i, e)
		(void)column_of(h, input, jstr(e, "where"));
	return 0;
}

/* ---- writing the page ----------------------------------------------------- */

/*
 * Text for HTML content and for quoted attribute values alike. C0 controls
 * other than tab and newline are not allowed in HTML (HTML Living Standard
 * 13.2.2 "Parse errors", control-character-in-input-stream): they become
 * U+FFFD. jansson only hands out valid UTF-8, so bytes >= 0x80 pass through.
 */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\t':
		case '\n':
			fputc(c, f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("\xef\xbf\xbd", f);
			else
				fputc(c, f);
		}
	}
}

static __attribute__((format(printf, 2, 3))) void escf(FILE *f, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	s = ht_xvasprintf(fmt, ap);
	va_end(ap);
	esc(f, s);
}

/* "11 ms", "2.35 s", "3 min 12 s". */
static char *secs_text(double s)
{
	if (s < 1.0)
		return ht_xasprintf("%.0f ms", s * 1000.0);
	if (s < 120.0)
		return ht_xasprintf("%.2f s", s);
	return ht_xasprintf("%d min %d s", (int)(s / 60.0), (int)s % 60);
}

/* The one line that says why: the reason, else the first message of the same outcome. */
static const char *reason_of(json_t *res)
{
	const char *reason = jstr(res, "reason");
	json_t *m;
	size_t i;

	if (reason && *reason)
		return reason;
	json_array_foreach(json_object_get(res, "messages"), i, m) {
		const char *text = jstr(m, "text");

		if (text && *text && outcome_of(m) == outcome_of(res))
			return text;
	}
	if (outcome_of(res) == HT_XFAIL)
		return jstr(res, "xfail");
	return NULL;
}

static const char *lesson_title(int lesson)
{
	size_t n;
	const struct ht_lesson *ls = ht_lesson_list(&n);

	for (size_t i = 0; i < n; i++)
		if (ls[i].number == lesson)
			return ls[i].title;
	return NULL;
}

static void write_head(FILE *f)
{
	/* Colours: GitHub's Primer palette, which holds WCAG AA contrast for text. */
	fputs("<!DOCTYPE html>\n"
	      "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"isolab report html\">\n"
	      "<title>isolab report</title>\n<style>\n"
	      ":root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--head:#f6f8fa;"
	      "--pass:#1a7f37;--pass-bg:#dafbe1;--warn:#7d4e00;--warn-bg:#fff8c5;"
	      "--xfail:#0550ae;--xfail-bg:#ddf4ff;--skip:#57606a;--skip-bg:#eaeef2;"
	      "--fail:#a40e26;--fail-bg:#ffebe9;--timeout:#953800;--timeout-bg:#fff1e5;"
	      "--broken:#6639ba;--broken-bg:#fbefff}\n"
	      "*{box-sizing:border-box}\n"
	      "body{margin:0;padding:16px 24px 48px;font:13px/1.45 system-ui,-apple-system,"
	      "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--fg);"
	      "background:#fff}\n"
	      "h1{font-size:20px;margin:0 0 2px}h2{font-size:15px;margin:20px 0 6px}\n"
	      ".meta{color:var(--muted);margin:0 0 12px}\n"
	      "code,.mono,.name,pre{font-family:ui-monospace,SFMono-Regular,'DejaVu Sans Mono',"
	      "Menlo,Consolas,monospace;font-size:12px}\n"
	      "table{border-collapse:separate;border-spacing:0}\n"
	      "th,td{padding:3px 8px;text-align:left;vertical-align:middle}\n"
	      ".summary,.inputs{border:1px solid var(--line);border-radius:6px;margin-bottom:6px}\n"
	      ".summary th,.summary td,.inputs th,.inputs td{border-bottom:1px solid var(--line)}\n"
	      ".summary tr:last-child>*,.inputs tr:last-child>*{border-bottom:0}\n"
	      ".summary thead th,.inputs thead th{background:var(--head);font-weight:600;"
	      "font-size:12px;color:var(--muted)}\n"
	      ".summary th.n{text-align:right}\n"
	      ".summary td.n{text-align:right;font-variant-numeric:tabular-nums;min-width:52px}\n"
	      ".summary td.zero{color:#afb8c1}\n"
	      ".bar{display:flex;width:160px;height:10px;border-radius:5px;overflow:hidden;"
	      "background:#eaeef2}\n.bar span{display:block;height:100%}\n"
	      ".bar .o-pass{background:#2da44e}.bar .o-warn{background:#d4a72c}"
	      ".bar .o-xfail{background:#54aeff}.bar .o-skip{background:#afb8c1}"
	      ".bar .o-fail{background:#cf222e}.bar .o-timeout{background:#e16f24}"
	      ".bar .o-broken{background:#8250df}\n"
	      ".o-pass{color:var(--pass);background:var(--pass-bg)}"
	      ".o-warn{color:var(--warn);background:var(--warn-bg)}"
	      ".o-xfail{color:var(--xfail);background:var(--xfail-bg)}"
	      ".o-skip{color:var(--skip);background:var(--skip-bg)}"
	      ".o-fail{color:var(--fail);background:var(--fail-bg);font-weight:600}"
	      ".o-timeout{color:var(--timeout);background:var(--timeout-bg);font-weight:600}"
	      ".o-broken{color:var(--broken);background:var(--broken-bg);font-weight:600}"
	      ".o-none{color:#8c959f;background:#fff}\n"
	      ".summary td.n.o-pass,.summary td.n.o-warn,.summary td.n.o-xfail,"
	      ".summary td.n.o-skip{font-weight:600}\n"
	      ".chip{display:inline-block;padding:0 7px;border-radius:10px;font-size:11px;"
	      "font-weight:600;line-height:18px}\n"
	      ".toolbar{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;"
	      "margin:18px 0 8px}\n.toolbar .legend{display:flex;flex-wrap:wrap;gap:6px}\n"
	      ".toolbar label{color:var(--muted);user-select:none}"
	      ".toolbar .meta{margin:0}\n"
	      ".matrix{border:1px solid var(--line);border-radius:6px}\n"
	      ".matrix thead th{position:sticky;top:0;z-index:2;background:var(--head);"
	      "border-bottom:1px solid var(--line);font-weight:600;vertical-align:bottom}\n"
	      ".matrix thead th.col{text-align:center;min-width:96px}\n"
	      ".matrix thead th small{display:block;font-weight:400;color:var(--muted);"
	      "font-size:11px}\n"
	      ".matrix thead th .vmstate{display:block;font-size:11px}\n"
	      ".matrix th.name{position:sticky;left:0;z-index:1;background:#fff;font-weight:400;"
	      "white-space:nowrap;border-right:1px solid var(--line)}\n"
	      ".matrix thead th.name{z-index:3;background:var(--head)}\n"
	      ".matrix tr.test td,.matrix tr.test th{border-bottom:1px solid #eaeef2}\n"
	      ".matrix tr.test:hover th.name,.matrix tr.test:hover td.o-none{background:#f6f8fa}\n"
	      ".matrix .area{color:var(--muted);font-family:system-ui,sans-serif;font-size:11px;"
	      "margin-left:6px}\n"
	      ".matrix tr.lesson>*{background:#f0f3f6;border-top:1px solid var(--line);"
	      "border-bottom:1px solid var(--line);font-weight:600;padding-top:5px;"
	      "padding-bottom:5px}\n"
	      ".matrix tr.lesson th.name{background:#f0f3f6;font-family:inherit;font-size:13px}\n"
	      ".matrix tr.lesson .n{color:var(--muted);font-weight:400}\n"
	      ".matrix td.lsum{text-align:center;font-size:12px;font-variant-numeric:tabular-nums}\n"
	      ".matrix td.lsum.all{color:var(--pass)}.matrix td.lsum.some{color:var(--fail)}\n"
	      ".matrix td.lsum.none{color:var(--muted);font-weight:400}\n"
	      ".matrix td.cell{text-align:center;font-size:12px;cursor:pointer;"
	      "border-left:2px solid #fff;border-bottom:1px solid #fff}\n"
	      ".matrix td.cell.o-none{cursor:default}\n"
	      ".matrix td.cell:focus,.matrix td.cell.sel{outline:2px solid #0969da;"
	      "outline-offset:-2px}\n"
	      ".matrix tr.hidden{display:none}\n"
	      "#panel{position:fixed;right:16px;bottom:16px;width:min(560px,calc(100vw - 32px));"
	      "max-height:62vh;overflow:auto;background:#fff;border:1px solid var(--line);"
	      "border-radius:8px;box-shadow:0 8px 24px rgba(140,149,159,.35);padding:12px 16px;"
	      "z-index:10}\n"
	      "#panel h3{margin:0 28px 4px 0;font-size:14px;word-break:break-all}\n"
	      "#panel .close{position:absolute;top:6px;right:8px;border:0;background:none;"
	      "font-size:20px;line-height:1;cursor:pointer;color:var(--muted)}\n"
	      ".info p{margin:4px 0}.info .reason{white-space:pre-wrap}\n"
	      ".info dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;"
	      "margin:6px 0}\n.info dt{color:var(--muted)}.info dd{margin:0;word-break:break-word}\n"
	      ".info ol{margin:6px 0;padding-left:20px}.info li{white-space:pre-wrap;"
	      "word-break:break-word}\n"
	      "pre{background:var(--head);border:1px solid var(--line);border-radius:6px;"
	      "padding:6px 8px;max-height:240px;overflow:auto;white-space:pre-wrap;"
	      "word-break:break-word}\n"
	      "details summary{cursor:pointer;color:#0969da}\n"
	      ".warnline{color:var(--fail)}\n"
	      "</style>\n</head>\n",
	      f);
}

static void chip(FILE *f, enum ht_outcome o, const char *text)
{
	fprintf(f, "<span class=\"chip o-%s\">", outcome_short(o));
	esc(f, text ? text : ht_outcome_name(o));
	fputs("</span>", f);
}

/* Counts over what the page shows (a result superseded by a later input is not). */
struct col_counts {
	size_t counts[HT_OUTCOME_MAX];
	size_t total;
};

static void count_columns(const struct ht_html *h, struct col_counts *cc)
{
	for (size_t r = 0; r < h->n_rows; r++)
		for (size_t c = 0; c < h->n_cols; c++) {
			const struct cell *cell = cell_at(&h->rows[r], c);

			if (cell) {
				cc[c].counts[outcome_of(cell->result)]++;
				cc[c].total++;
			}
		}
}

static size_t passed(const size_t counts[HT_OUTCOME_MAX])
{
	return counts[HT_PASS] + counts[HT_WARN] + counts[HT_XFAIL];
}

static void write_vm_state(FILE *f, json_t *vm)
{
	const char *cls = jstr_or(vm, "classification", "?");
	_cleanup_free_ char *boot = NULL, *wall = NULL;
	json_t *v;

	fprintf(f, "<span class=\"chip o-%s\">", strcmp(cls, "RESULTS") == 0 ? "pass" : "fail");
	esc(f, cls);
	fputs("</span> ", f);
	escf(f, "%s/%s", jstr_or(vm, "accel", "?"), jstr_or(vm, "boot", "?"));
	v = json_object_get(vm, "boot_s");
	if (json_is_number(v)) {
		boot = secs_text(json_number_value(v));
		escf(f, " · hello %s", boot);
	}
	v = json_object_get(vm, "wall_s");
	if (json_is_number(v)) {
		wall = secs_text(json_number_value(v));
		escf(f, " · wall %s", wall);
	}
	if (json_integer_value(json_object_get(vm, "attempts")) > 1)
		escf(f, " · %lld attempts",
		     (long long)json_integer_value(json_object_get(vm, "attempts")));
	if (jstr(vm, "detail")) {
		fputs("<br><span class=\"mono\">", f);
		esc(f, jstr(vm, "detail"));
		fputs("</span>", f);
	}
	if (jstr(vm, "excerpt")) {
		fputs("<details><summary>console excerpt</summary><pre>", f);
		esc(f, jstr(vm, "excerpt"));
		fputs("</pre></details>", f);
	}
}

static void write_summary(FILE *f, const struct ht_html *h, const struct col_counts *cc)
{
	bool any_vm = false;

	for (size_t c = 0; c < h->n_cols; c++)
		any_vm |= h->cols[c].vm != NULL;
	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n"
	      "<thead><tr><th>column</th><th>kernel</th><th></th><th class=\"n\">results</th>",
	      f);
	for (size_t k = 0; k < HT_ARRAY_SIZE(outcome_order); k++)
		fprintf(f, "<th class=\"n\">%s</th>", outcome_short(outcome_order[k]));
	fputs(any_vm ? "<th>VM</th>" : "", f);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t c = 0; c < h->n_cols; c++) {
		const struct column *col = &h->cols[c];

		fprintf(f, "<tr data-column=\"%zu\"><th>", c);
		esc(f, col->label);
		fputs("</th><td class=\"mono\">", f);
		esc(f, col->sub ? col->sub : "");
		fputs("</td><td><div class=\"bar\" title=\"", f);
		escf(f, "%zu of %zu passed", passed(cc[c].counts), cc[c].total);
		fputs("\">", f);
		for (size_t k = 0; k < HT_ARRAY_SIZE(outcome_order); k++) {
			size_t n = cc[c].counts[outcome_order[k]];

			if (n && cc[c].total)
				fprintf(f, "<span class=\"o-%s\" style=\"width:%.3f%%\"></span>",
					outcome_short(outcome_order[k]),
					100.0 * (double)n / (double)cc[c].total);
		}
		fprintf(f,
			"</div></td><td class=\"n\" id=\"total-%zu\" data-column=\"%zu\" "
			"data-count=\"%zu\">%zu</td>",
			c, c, cc[c].total, cc[c].total);
		for (size_t k = 0; k < HT_ARRAY_SIZE(outcome_order); k++) {
			enum ht_outcome o = outcome_order[k];
			size_t n = cc[c].counts[o];

			fprintf(f,
				"<td class=\"n %s%s\" id=\"total-%zu-%s\" data-column=\"%zu\" "
				"data-outcome=\"%s\" data-count=\"%zu\">%zu</td>",
				n ? "o-" : "", n ? outcome_short(o) : "zero", c, ht_outcome_name(o),
				c, ht_outcome_name(o), n, n);
		}
		if (any_vm) {
			fputs("<td>", f);
			if (col->vm)
				write_vm_state(f, col->vm);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	if (h->superseded)
		fprintf(f,
			"<p class=\"warnline\" id=\"superseded\" data-count=\"%zu\">%zu result(s) "
			"appeared in more than one input for the same column; the page shows "
			"the last input's.</p>\n",
			h->superseded, h->superseded);
}

static void write_inputs(FILE *f, const struct ht_html *h)
{
	fputs("<h2>Inputs</h2>\n<table class=\"inputs\" id=\"inputs\">\n<thead><tr><th>#</th>"
	      "<th>file</th><th>run</th><th>host</th><th>kernel</th><th>started</th>"
	      "<th>took</th><th>results</th><th>isolab</th><th>facts</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < h->n_inputs; i++) {
		json_t *root = h->inputs[i].root, *host = json_object_get(root, "host");
		json_t *facts = json_object_get(root, "facts"), *v;
		json_t *dur = json_object_get(root, "duration_s");
		json_int_t sig = json_integer_value(json_object_get(root, "interrupted_by"));
		_cleanup_free_ char *took =
			json_is_number(dur) ? secs_text(json_number_value(dur)) : NULL;
		const char *key;

		fprintf(f,
			"<tr data-input=\"%zu\" data-results=\"%zu\"><td>%zu</td><td class=\"mono\">",
			i, h->inputs[i].n_results, i + 1);
		esc(f, h->inputs[i].label);
		fputs("</td><td class=\"mono\">", f);
		esc(f, jstr_or(root, "run_id", ""));
		fputs("</td><td>", f);
		esc(f, jstr_or(host, "hostname", ""));
		fputs("</td><td class=\"mono\">", f);
		esc(f, jstr_or(host, "kernel", ""));
		fputs("</td><td>", f);
		esc(f, jstr_or(root, "started", ""));
		fputs("</td><td>", f);
		esc(f, took ? took : "");
		fprintf(f, "</td><td>%zu", h->inputs[i].n_results);
		if (sig)
			fprintf(f, " <span class=\"warnline\">(interrupted by signal %lld)</span>",
				(long long)sig);
		fputs("</td><td class=\"mono\">", f);
		esc(f, jstr_or(root, "tool_version", ""));
		fputs("</td><td>", f);
		if (json_object_size(facts)) {
			fprintf(f, "<details><summary>%zu facts</summary><dl class=\"mono\">",
				json_object_size(facts));
			json_object_foreach(facts, key, v) {
				fputs("<dt>", f);
				esc(f, key);
				fputs("</dt><dd>", f);
				esc(f, json_is_string(v) ? json_string_value(v) : "");
				fputs("</dd>", f);
			}
			fputs("</dl></details>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

static void write_toolbar(FILE *f)
{
	fputs("<div class=\"toolbar\">\n<div class=\"legend\" id=\"legend\">", f);
	for (size_t k = 0; k < HT_ARRAY_SIZE(outcome_order); k++) {
		enum ht_outcome o = outcome_order[k];

		fprintf(f, "<span class=\"chip o-%s\" title=\"", outcome_short(o));
		escf(f, "%s: %s", ht_outcome_name(o), outcome_meaning[o]);
		fprintf(f, "\">%s</span>", outcome_short(o));
	}
	fputs("<span class=\"chip o-none\" title=\"not run in this column\">&#8212; not run"
	      "</span></div>\n"
	      "<label><input type=\"checkbox\" id=\"f-bad\"> only rows with a failure</label>\n"
	      "<label><input type=\"checkbox\" id=\"f-diff\"> only rows that differ between "
	      "columns</label>\n"
	      "<span class=\"meta\">hover a cell for its reason, click it for details</span>\n"
	      "</div>\n",
	      f);
}

static void write_column_head(FILE *f, const struct column *col, size_t c,
			      const struct col_counts *cc)
{
	fprintf(f, "<th class=\"col\" id=\"col-%zu\" data-column=\"%zu\" data-key=\"", c, c);
	esc(f, col->key);
	fputs("\" title=\"", f);
	esc(f, col->key);
	if (col->vm)
		escf(f, "\n%s, %s/%s", jstr_or(col->vm, "classification", "?"),
		     jstr_or(col->vm, "accel", "?"), jstr_or(col->vm, "boot", "?"));
	fputs("\">", f);
	esc(f, col->label);
	if (col->sub) {
		fputs("<small class=\"mono\">", f);
		esc(f, col->sub);
		fputs("</small>", f);
	}
	fprintf(f, "<small>%zu/%zu passed</small>", passed(cc->counts), cc->total);
	if (col->vm && strcmp(jstr_or(col->vm, "classification", "?"), "RESULTS") != 0) {
		fputs("<span class=\"vmstate chip o-fail\">", f);
		esc(f, jstr_or(col->vm, "classification", "?"));
		fputs("</span>", f);
	}
	fputs("</th>", f);
}

static void write_info(FILE *f, const struct ht_html *h, const struct row *row, size_t c,
		       const struct cell *cell)
{
	json_t *res = cell->result, *skip = json_object_get(res, "skip");
	json_t *msgs = json_object_get(res, "messages"), *tags = json_object_get(res, "tags"), *m;
	const struct column *col = &h->cols[c];
	enum ht_outcome o = outcome_of(res);
	const char *reason = reason_of(res), *file = jstr(res, "file");
	_cleanup_free_ char *took =
		secs_text(json_number_value(json_object_get(res, "duration_s")));
	size_t i;

	fputs("<div class=\"info\" hidden><h3>", f);
	esc(f, row->name);
	fputs("</h3><p>", f);
	chip(f, o, NULL);
	fputs(" in <b>", f);
	esc(f, col->label);
	fputs("</b>", f);
	if (col->sub)
		escf(f, " (%s)", col->sub);
	escf(f, " · %s · %s", row->area, took);
	fputs("</p>", f);
	if (reason) {
		fputs("<p class=\"reason\">", f);
		esc(f, reason);
		fputs("</p>", f);
	}
	fputs("<dl>", f);
	if (row->lesson) {
		const char *title = lesson_title(row->lesson);

		fputs("<dt>lesson</dt><dd>", f);
		escf(f, "%d%s%s", row->lesson, title ? " · " : "", title ? title : "");
		fputs("</dd>", f);
	}
	if (json_object_get(res, "n_pass") || json_object_get(res, "n_fail"))
		fprintf(f, "<dt>checks</dt><dd>%lld passed, %lld failed</dd>",
			(long long)json_integer_value(json_object_get(res, "n_pass")),
			(long long)json_integer_value(json_object_get(res, "n_fail")));
	if (json_is_object(skip)) {
		fputs("<dt>skipped by</dt><dd class=\"mono\">", f);
		esc(f, jstr_or(skip, "probe", "?"));
		if (jstr(skip, "errno_name"))
			escf(f, " (%s)", jstr(skip, "errno_name"));
		fputs("</dd>", f);
	}
	if (jstr(res, "xfail")) {
		fputs("<dt>known failure</dt><dd>", f);
		esc(f, jstr(res, "xfail"));
		fputs("</dd>", f);
	}
	if (json_array_size(tags)) {
		fputs("<dt>tags</dt><dd class=\"mono\">", f);
		json_array_foreach(tags, i, m) {
			if (i)
				fputs(" ", f);
			esc(f, json_string_value(m));
		}
		fputs("</dd>", f);
	}
	if (file) {
		fputs("<dt>defined at</dt><dd class=\"mono\">", f);
		esc(f, file);
		if (json_is_integer(json_object_get(res, "line")))
			fprintf(f, ":%lld",
				(long long)json_integer_value(json_object_get(res, "line")));
		fputs("</dd>", f);
	}
	fputs("<dt>from</dt><dd class=\"mono\">", f);
	esc(f, h->inputs[cell->input].label);
	fputs("</dd></dl>", f);
	if (json_array_size(msgs)) {
		fputs("<ol>", f);
		json_array_foreach(msgs, i, m) {
			fputs("<li>", f);
			chip(f, outcome_of(m), NULL);
			fputs(" ", f);
			esc(f, jstr(m, "text"));
			fputs("</li>", f);
		}
		fputs("</ol>", f);
	}
	if (jstr(res, "output") && *jstr(res, "output")) {
		fputs("<p>output:</p><pre>", f);
		esc(f, jstr(res, "output"));
		fputs("</pre>", f);
	}
	fputs("</div>", f);
}

static void write_cell(FILE *f, const struct ht_html *h, const struct row *row, size_t c)
{
	const struct cell *cell = cell_at(row, c);
	enum ht_outcome o;
	const char *reason;

	if (!cell) {
		fprintf(f,
			"<td class=\"cell o-none\" data-column=\"%zu\" data-outcome=\"none\" "
			"title=\"not run in this column\">&#8212;</td>",
			c);
		return;
	}
	o = outcome_of(cell->result);
	reason = reason_of(cell->result);
	fprintf(f,
		"<td class=\"cell o-%s\" tabindex=\"0\" data-column=\"%zu\" data-outcome=\"%s\" "
		"title=\"",
		outcome_short(o), c, ht_outcome_name(o));
	esc(f, ht_outcome_name(o));
	if (reason) {
		fputs(": ", f);
		esc(f, reason);
	}
	fprintf(f, "\">%s", outcome_short(o));
	write_info(f, h, row, c, cell);
	fputs("</td>", f);
}

/* Lessons in page order: 1, 2, ... then 0 (the harness's own and unfiled tests). */
static int lesson_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	x = x ? x : 1 << 16;
	y = y ? y : 1 << 16;
	return (x > y) - (x < y);
}

static void write_lesson_head(FILE *f, const struct ht_html *h, int lesson, size_t n_tests)
{
	const char *title = lesson_title(lesson);

	fprintf(f, "<tr class=\"lesson\" data-lesson=\"%d\"><th class=\"name\">", lesson);
	if (lesson)
		escf(f, "Lesson %d%s%s", lesson, title ? " · " : "", title ? title : "");
	else
		fputs("Outside the lessons", f);
	fprintf(f, " <span class=\"n\">· %zu behaviour%s</span></th>", n_tests,
		n_tests == 1 ? "" : "s");
	for (size_t c = 0; c < h->n_cols; c++) {
		size_t counts[HT_OUTCOME_MAX] = { 0 }, total = 0, ok, applicable;
		const char *cls;

		for (size_t r = 0; r < h->n_rows; r++) {
			const struct cell *cell = cell_at(&h->rows[r], c);

			if (h->rows[r].lesson == lesson && cell) {
				counts[outcome_of(cell->result)]++;
				total++;
			}
		}
		ok = passed(counts);
		applicable = total - counts[HT_SKIP];
		cls = !applicable ? "none" : ok == applicable ? "all" : "some";
		fprintf(f,
			"<td class=\"lsum %s\" data-column=\"%zu\" data-total=\"%zu\" "
			"data-passed=\"%zu\" data-skipped=\"%zu\" title=\"%zu passed, %zu failed, "
			"%zu skipped, of %zu\">",
			cls, c, total, ok, counts[HT_SKIP], ok, applicable - ok, counts[HT_SKIP],
			total);
		if (!total)
			fputs("&#8212;", f);
		else if (!applicable)
			fputs("skipped", f);
		else
			fprintf(f, "%zu/%zu", ok, applicable);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static void write_row(FILE *f, const struct ht_html *h, const struct row *row)
{
	enum ht_outcome seen = HT_OUTCOME_MAX;
	bool bad = false, differ = false;
	const char *file = jstr(row->first, "file");

	for (size_t c = 0; c < h->n_cols; c++) {
		const struct cell *cell = cell_at(row, c);
		enum ht_outcome o;

		if (!cell)
			continue;
		o = outcome_of(cell->result);
		bad |= ht_outcome_is_failure(o) != 0;
		differ |= seen != HT_OUTCOME_MAX && seen != o;
		seen = o;
	}
	fprintf(f, "<tr class=\"test%s%s\" data-lesson=\"%d\" data-test=\"", bad ? " bad" : "",
		differ ? " diff" : "", row->lesson);
	esc(f, row->key);
	fputs("\"><th class=\"name\" scope=\"row\" title=\"", f);
	esc(f, row->key);
	if (file) {
		fputs("\n", f);
		esc(f, file);
		if (json_is_integer(json_object_get(row->first, "line")))
			fprintf(f, ":%lld",
				(long long)json_integer_value(json_object_get(row->first, "line")));
	}
	fputs("\">", f);
	esc(f, row->name);
	fputs("<span class=\"area\">", f);
	esc(f, row->area);
	fputs("</span></th>", f);
	for (size_t c = 0; c < h->n_cols; c++)
		write_cell(f, h, row, c);
	fputs("</tr>\n", f);
}

static void write_matrix(FILE *f, const struct ht_html *h, const struct col_counts *cc)
{
	_cleanup_free_ int *lessons = ht_xcalloc(h->n_rows + 1, sizeof(int));
	size_t n_lessons = 0;

	fprintf(f,
		"<table class=\"matrix\" id=\"matrix\" data-rows=\"%zu\" data-columns=\"%zu\">\n",
		h->n_rows, h->n_cols);
	fputs("<thead><tr><th class=\"name\">behaviour</th>", f);
	for (size_t c = 0; c < h->n_cols; c++)
		write_column_head(f, &h->cols[c], c, &cc[c]);
	fputs("</tr></thead>\n<tbody>\n", f);

	for (size_t r = 0; r < h->n_rows; r++) {
		size_t k;

		for (k = 0; k < n_lessons && lessons[k] != h->rows[r].lesson; k++)
			;
		if (k == n_lessons)
			lessons[n_lessons++] = h->rows[r].lesson;
	}
	qsort(lessons, n_lessons, sizeof(*lessons), lesson_cmp);
	for (size_t k = 0; k < n_lessons; k++) {
		size_t n = 0;

		for (size_t r = 0; r < h->n_rows; r++)
			n += h->rows[r].lesson == lessons[k];
		write_lesson_head(f, h, lessons[k], n);
		for (size_t r = 0; r < h->n_rows; r++)
			if (h->rows[r].lesson == lessons[k])
				write_row(f, h, &h->rows[r]);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* The details panel and the filters; the page reads fine without them. */
static const char page_script[] =
	"(function () {\n"
	"\tvar m = document.getElementById('matrix'), panel = document.getElementById('panel');\n"
	"\tvar body = document.getElementById('panel-body'), sel = null;\n"
	"\tfunction close() {\n"
	"\t\tpanel.hidden = true;\n"
	"\t\tif (sel) sel.classList.remove('sel');\n"
	"\t\tsel = null;\n"
	"\t}\n"
	"\tfunction open(td) {\n"
	"\t\tvar info = td.querySelector('.info');\n"
	"\t\tif (!info) return;\n"
	"\t\tif (sel) sel.classList.remove('sel');\n"
	"\t\tsel = td;\n"
	"\t\ttd.classList.add('sel');\n"
	/* A copy of nodes the page already parsed from escaped text: no new markup. */
	"\t\tbody.replaceChildren.apply(body, Array.prototype.map.call(info.childNodes,\n"
	"\t\t\tfunction (n) { return n.cloneNode(true); }));\n"
	"\t\tpanel.hidden = false;\n"
	"\t}\n"
	"\tm.addEventListener('click', function (e) {\n"
	"\t\tvar td = e.target.closest('td.cell');\n"
	"\t\tif (td) open(td);\n"
	"\t});\n"
	"\tm.addEventListener('keydown', function (e) {\n"
	"\t\tif ((e.key === 'Enter' || e.key === ' ') && e.target.matches('td.cell')) {\n"
	"\t\t\te.preventDefault();\n"
	"\t\t\topen(e.target);\n"
	"\t\t}\n"
	"\t});\n"
	"\tdocument.addEventListener('keydown', function (e) {\n"
	"\t\tif (e.key === 'Escape') close();\n"
	"\t});\n"
	"\tpanel.querySelector('.close').addEventListener('click', close);\n"
	"\tvar fbad = document.getElementById('f-bad'), fdiff = document.getElementById('f-diff');\n"
	"\tfunction filter() {\n"
	"\t\tvar rows = m.tBodies[0].rows, head = null, shown = 0;\n"
	"\t\tfor (var i = 0; i < rows.length; i++) {\n"
	"\t\t\tvar r = rows[i];\n"
	"\t\t\tif (r.classList.contains('lesson')) {\n"
	"\t\t\t\tif (head) head.classList.toggle('hidden', !shown);\n"
	"\t\t\t\thead = r;\n"
	"\t\t\t\tshown = 0;\n"
	"\t\t\t\tcontinue;\n"
	"\t\t\t}\n"
	"\t\t\tvar hide = (fbad.checked && !r.classList.contains('bad')) ||\n"
	"\t\t\t\t(fdiff.checked && !r.classList.contains('diff'));\n"
	"\t\t\tr.classList.toggle('hidden', hide);\n"
	"\t\t\tif (!hide) shown++;\n"
	"\t\t}\n"
	"\t\tif (head) head.classList.toggle('hidden', !shown);\n"
	"\t}\n"
	"\tfbad.addEventListener('change', filter);\n"
	"\tfdiff.addEventListener('change', filter);\n"
	"})();\n";

int ht_html_write(FILE *f, const struct ht_html *h, const char *generated)
{
	_cleanup_free_ struct col_counts *cc = ht_xcalloc(h->n_cols + 1, sizeof(*cc));

	count_columns(h, cc);
	write_head(f);
	fprintf(f, "<body data-rows=\"%zu\" data-columns=\"%zu\" data-inputs=\"%zu\">\n", h->n_rows,
		h->n_cols, h->n_inputs);
	fputs("<header><h1>isolab report</h1><p class=\"meta\">generated <time id=\"generated\" "
	      "datetime=\"",
	      f);
	esc(f, generated);
	fputs("\">", f);
	esc(f, generated);
	fprintf(f, "</time> from %zu input%s · %zu behaviour%s × %zu column%s</p></header>\n",
		h->n_inputs, h->n_inputs == 1 ? "" : "s", h->n_rows, h->n_rows == 1 ? "" : "s",
		h->n_cols, h->n_cols == 1 ? "" : "s");
	write_summary(f, h, cc);
	write_inputs(f, h);
	write_toolbar(f);
	write_matrix(f, h, cc);
	fputs("<aside id=\"panel\" hidden aria-live=\"polite\"><button class=\"close\" "
	      "title=\"close (Esc)\">&#215;</button><div id=\"panel-body\" class=\"info\"></div>"
	      "</aside>\n<script>\n",
	      f);
	fputs(page_script, f);
	fputs("</script>\n</body>\n</html>\n", f);
	return ht_report_flush(f);
}
