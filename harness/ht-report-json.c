// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * JSON reporter: one document per run, written at the end, in the format
 * "isolab-report/1" that reports/isolab-report.schema.json describes (the
 * schema is the reference for every field; keep the two in step).
 *
 * Keys come out in insertion order and indented, so golden files and diffs
 * between two runs stay readable. Durations are rounded to milliseconds and
 * printed with 9 significant digits, which shows 0.12 as 0.12 rather than
 * jansson's default 17-digit 0.11999999999999999.
 */
#include <jansson.h>
#include <string.h>

#include "ht-report-priv.h"
#include "ht-registry.h"
#include "ht-report.h"
#include "ht-util.h"

#define JSON_REPORT_SCHEMA "isolab-report/1"
#define JSON_REPORT_FLAGS  (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9))

/* jansson returns NULL when it cannot allocate: as ht_xmalloc(), abort loudly. */
static json_t *jx(json_t *v)
{
	static const char msg[] = "isolab: out of memory\n";

	if (!v) {
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		abort();
	}
	return v;
}

static void jset(json_t *obj, const char *key, json_t *val)
{
	if (json_object_set_new(obj, key, jx(val)) < 0)
		jx(NULL);
}

static void jappend(json_t *arr, json_t *val)
{
	if (json_array_append_new(arr, jx(val)) < 0)
		jx(NULL);
}

/* A JSON string, or null for NULL. jansson refuses ill-formed UTF-8: clean it. */
static json_t *jstr(const char *s)
{
	_cleanup_free_ char *clean = ht_utf8_clean(s);

	return clean ? jx(json_string(clean)) : json_null();
}

static json_t *jsecs(double d)
{
	return jx(json_real(ht_report_seconds(d)));
}

/* "spec:config-linux.md#namespaces cve:CVE-2019-5736" -> ["spec:...", "cve:..."] */
static json_t *json_tags(const char *tags)
{
	json_t *arr = jx(json_array());

	while (tags && *tags) {
		size_t n;

		tags += strspn(tags, HT_REPORT_BLANKS);
		n = strcspn(tags, HT_REPORT_BLANKS);
		if (n) {
			_cleanup_free_ char *tag = strndup(tags, n);

			jappend(arr, jstr(tag ? tag : ""));
		}
		tags += n;
	}
	return arr;
}

static json_t *json_skip(const struct ht_result *r)
{
	json_t *skip;

	if (!r->skip_probe)
		return json_null();
	skip = jx(json_object());
	jset(skip, "probe", jstr(r->skip_probe));
	jset(skip, "errno", jx(json_integer(r->skip_errno < 0 ? -r->skip_errno : r->skip_errno)));
	jset(skip, "errno_name", r->skip_errno ? jstr(ht_errno_name(r->skip_errno)) : json_null());
	return skip;
}

static json_t *json_result(const struct ht_result *r)
{
	const struct ht_test *t = r->test;
	json_t *obj = jx(json_object());
	json_t *msgs = jx(json_array());

	jset(obj, "name", jstr(ht_report_test_name(r)));
	jset(obj, "area", jstr(ht_area_name(ht_report_area(r))));
	jset(obj, "lesson", jx(json_integer(t ? t->lesson : 0)));
	jset(obj, "tags", json_tags(t ? t->tags : NULL));
	jset(obj, "outcome", jstr(ht_outcome_name(ht_report_outcome(r))));
	jset(obj, "reason", jstr(r->reason));
	jset(obj, "xfail", jstr(t ? t->xfail : NULL));
	jset(obj, "skip", json_skip(r));
	for (size_t i = 0; i < r->n_msgs; i++) {
		json_t *m = jx(json_object());
		enum ht_outcome o = r->msgs[i].outcome;

		jset(m, "outcome",
		     jstr(ht_outcome_name((unsigned)o < HT_OUTCOME_MAX ? o : HT_BROKEN)));
		jset(m, "text", jstr(r->msgs[i].text ? r->msgs[i].text : ""));
		jappend(msgs, m);
	}
	jset(obj, "messages", msgs);
	jset(obj, "n_pass", jx(json_integer(r->n_pass)));
	jset(obj, "n_fail", jx(json_integer(r->n_fail)));
	jset(obj, "duration_s", jsecs(r->duration_s));
	jset(obj, "where", jstr(r->where));
	jset(obj, "output", jstr(r->output));
	jset(obj, "file", jstr(t ? t->file : NULL));
	jset(obj, "line", t && t->file ? jx(json_integer(t->line)) : json_null());
	return obj;
}

static json_t *jsecs_or_null(double d)
{
	return d < 0 ? json_null() : jsecs(d);
}

/* The fresh VMs the results marked "vm:..." ran in, and how each ended. */
static json_t *json_vms(const struct ht_run *run)
{
	json_t *arr = jx(json_array());

	for (size_t i = 0; i < run->n_vms; i++) {
		const struct ht_run_vm *v = &run->vms[i];
		json_t *obj = jx(json_object());
		json_t *probe = v->probe_json ? json_loads(v->probe_json, 0, NULL) : NULL;

		jset(obj, "where", jstr(v->where));
		jset(obj, "spec", jstr(v->spec));
		jset(obj, "release", jstr(v->release));
		jset(obj, "package", jstr(v->package));
		jset(obj, "version", jstr(v->version));
		jset(obj, "sha256", jstr(v->sha256));
		jset(obj, "accel", jstr(v->accel));
		jset(obj, "boot", jstr(v->boot));
		jset(obj, "classification", jstr(v->classification));
		jset(obj, "detail", jstr(v->detail));
		jset(obj, "excerpt", jstr(v->excerpt));
		jset(obj, "boot_s", jsecs_or_null(v->boot_s));
		jset(obj, "first_result_s", jsecs_or_null(v->first_result_s));
		jset(obj, "wall_s", jsecs(v->wall_s));
		jset(obj, "attempts", jx(json_integer(v->attempts)));
		jset(obj, "probe", probe ? probe : json_null());
		jappend(arr, obj);
	}
	return arr;
}

static json_t *json_run(const struct ht_run *run, const struct ht_report_seen *seen, size_t planned)
{
	_cleanup_free_ char *run_id = ht_report_run_id(run);
	json_t *root = jx(json_object());
	json_t *host = jx(json_object());
	json_t *facts = jx(json_object());
	json_t *summary = jx(json_object());
	json_t *results = jx(json_array());
	struct ht_tally tally = { 0 };

	jset(root, "schema", jstr(JSON_REPORT_SCHEMA));
	jset(root, "run_id", jstr(run_id));
	jset(root, "tool_version", jstr(run->tool_version));
	jset(host, "hostname", jstr(run->hostname));
	jset(host, "kernel", jstr(run->kernel));
	jset(root, "host", host);
	jset(root, "started", jstr(run->started));
	jset(root, "duration_s", jsecs(run->duration_s));
	jset(root, "interrupted_by",
	     run->interrupted_by ? jx(json_integer(run->interrupted_by)) : json_null());
	for (size_t i = 0; i < run->n_facts; i++) {
		_cleanup_free_ char *key = ht_utf8_clean(run->facts[i].key);

		if (key)
			jset(facts, key, jstr(run->facts[i].value ? run->facts[i].value : ""));
	}
	jset(root, "facts", facts);

	for (size_t i = 0; i < seen->n; i++) {
		const struct ht_result *r = &run->results[seen->idx[i]];

		ht_tally_add(&tally, r);
		jappend(results, json_result(r));
	}
	/* Keyed by outcome name, so a consumer can count summary[r.outcome]. */
	jset(summary, "total", jx(json_integer((json_int_t)tally.total)));
	jset(summary, "planned", jx(json_integer((json_int_t)planned)));
	for (int o = 0; o < HT_OUTCOME_MAX; o++)
		jset(summary, ht_outcome_name((enum ht_outcome)o),
		     jx(json_integer((json_int_t)tally.counts[o])));
	jset(root, "summary", summary);
	jset(root, "results", results);
	jset(root, "vms", json_vms(run));
	return root;
}

static int json_write(FILE *out, const struct ht_run *run, const struct ht_report_seen *seen,
		      size_t planned)
{
	json_t *root = json_run(run, seen, planned);
	int dumped = json_dumpf(root, out, JSON_REPORT_FLAGS);

	fputc('\n', out);
	json_decref(root);
	return dumped < 0 ? -EIO : 0;
}

static int json_end(struct ht_reporter *rep, const struct ht_run *run)
{
	return ht_file_report_end(rep, run, json_write);
}

const struct ht_reporter_ops ht_report_json = {
	.name = "json",
	.begin = ht_file_report_begin,
	.started = NULL,
	.result = ht_file_report_result,
	.end = json_end,
};

/*
 * The event stream: one compact JSON object per line, written as tests start
 * and end, for a supervisor that reads results while the run goes on (the
 * guest init of `isolab vm`). Each line is flushed at once.
 */
static void stream_line(struct ht_reporter *rep, json_t *obj)
{
	if (json_dumpf(obj, rep->out,
		       JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9)) == 0)
		fputc('\n', rep->out);
	fflush(rep->out);
	json_decref(obj);
}

static void stream_begin(struct ht_reporter *rep, const struct ht_run *run, size_t n_planned)
{
	json_t *obj = jx(json_object());

	jset(obj, "event", jstr("begin"));
	jset(obj, "planned", jx(json_integer((json_int_t)n_planned)));
	stream_line(rep, obj);
}

static void stream_started(struct ht_reporter *rep, const struct ht_run *run,
			   const struct ht_test *test)
{
	json_t *obj = jx(json_object());

	jset(obj, "event", jstr("start"));
	jset(obj, "name", jstr(test->name));
	stream_line(rep, obj);
}

static void stream_result(struct ht_reporter *rep, const struct ht_run *run,
			  const struct ht_result *r, size_t index)
{
	json_t *obj = jx(json_object());

	jset(obj, "event", jstr("result"));
	jset(obj, "result", json_result(r));
	stream_line(rep, obj);
}

static int stream_end(struct ht_reporter *rep, const struct ht_run *run)
{
	json_t *obj = jx(json_object());

	jset(obj, "event", jstr("end"));
	jset(obj, "duration_s", jsecs(run->duration_s));
	stream_line(rep, obj);
	return ht_report_flush(rep->out);
}

const struct ht_reporter_ops ht_report_stream = {
	.name = "stream",
	.begin = stream_begin,
	.started = stream_started,
	.result = stream_result,
	.end = stream_end,
};

static char *jdup(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? ht_xstrdup(s) : NULL;
}

struct ht_result *ht_result_load_json(struct ht_run *run, json_t *obj, const char *where)
{
	const struct ht_test *test = NULL;
	const char *name = json_string_value(json_object_get(obj, "name"));
	const char *outcome = json_string_value(json_object_get(obj, "outcome"));
	json_t *skip = json_object_get(obj, "skip"), *msgs = json_object_get(obj, "messages"), *m;
	struct ht_result *r;
	enum ht_outcome o;
	size_t i;

	if (!name || !outcome || ht_outcome_parse(outcome, &o) < 0)
		return NULL;
	test = ht_registry_find(name);
	if (!test) {
		/* A test this build does not know: keep what the report says of it. */
		struct ht_test *t = ht_xcalloc(1, sizeof(*t));
		enum ht_area area = HT_AREA_HARNESS;
		const char *a = json_string_value(json_object_get(obj, "area"));

		if (a)
			(void)ht_area_parse(a, &area);
		t->name = ht_xstrdup(name);
		t->area = area;
		t->lesson = (int)json_integer_value(json_object_get(obj, "lesson"));
		test = ht_run_own_test(run, t);
	}
	r = ht_run_add_result(run, test);
	r->outcome = o;
	r->reason = jdup(obj, "reason");
	if (json_is_object(skip)) {
		r->skip_probe = jdup(skip, "probe");
		r->skip_errno = (int)json_integer_value(json_object_get(skip, "errno"));
	}
	json_array_foreach(msgs, i, m) {
		const char *text = json_string_value(json_object_get(m, "text"));
		enum ht_outcome mo = HT_BROKEN;

		(void)ht_outcome_parse(json_string_value(json_object_get(m, "outcome")), &mo);
		ht_result_add_msg(r, mo, text ? text : "");
	}
	r->n_pass = (unsigned)json_integer_value(json_object_get(obj, "n_pass"));
	r->n_fail = (unsigned)json_integer_value(json_object_get(obj, "n_fail"));
	r->duration_s = json_number_value(json_object_get(obj, "duration_s"));
	r->output = jdup(obj, "output");
	r->where = ht_xstrdup(where);
	return r;
}
