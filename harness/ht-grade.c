// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Scoring, shell-out attribution and the grade's writers (see ht-grade.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ht-grade.h"
#include "ht-probe.h"
#include "ht-report-priv.h"
#include "ht-util.h"

#define TOOLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * The tools that do a lesson's core act for a runtime that delegates it.
 * docker and podman do every lesson's. Lesson 12 has the pids limit too,
 * so the cgroup tools count there as well as the namespace ones.
 */
static const char *const *core_tools[] = {
	[1] = TOOLS("unshare", "nsenter", "chroot", "docker", "podman"),
	[2] = TOOLS("unshare", "nsenter", "chroot", "docker", "podman"),
	[3] = TOOLS("unshare", "nsenter", "chroot", "ip", "bridge", "nft", "iptables", "docker",
		    "podman"),
	[4] = TOOLS("unshare", "nsenter", "chroot", "docker", "podman"),
	[5] = TOOLS("cgcreate", "cgexec", "systemd-run", "docker", "podman"),
	[6] = TOOLS("cgcreate", "cgexec", "systemd-run", "docker", "podman"),
	[7] = TOOLS("cgcreate", "cgexec", "systemd-run", "docker", "podman"),
	[8] = TOOLS("tar", "umoci", "skopeo", "docker", "podman"),
	[9] = TOOLS("runc", "crun", "docker", "podman"),
	[10] = TOOLS("strace", "bpftrace", "docker", "podman"),
	[11] = TOOLS("ip", "bridge", "nft", "iptables", "docker", "podman"),
	[12] = TOOLS("unshare", "nsenter", "chroot", "cgcreate", "cgexec", "systemd-run", "docker",
		     "podman"),
};

const char *const *ht_grade_core_tools(int lesson)
{
	static const char *const none[] = { NULL };

	if (lesson < 0 || (size_t)lesson >= HT_ARRAY_SIZE(core_tools) || !core_tools[lesson])
		return none;
	return core_tools[lesson];
}

const char *ht_grade_status_name(enum ht_grade_status s)
{
	switch (s) {
	case HT_GRADE_PASS:
		return "pass";
	case HT_GRADE_FAIL:
		return "fail";
	case HT_GRADE_NOT_ATTEMPTED:
		return "not-attempted";
	default:
		return "ungraded";
	}
}

const char *ht_grade_native_name(enum ht_grade_native n)
{
	return n == HT_NATIVE_YES ? "yes" : n == HT_NATIVE_NO ? "no" : "unknown";
}

static bool says_not_implemented(const char *s)
{
	return s && strcasestr(s, "not implemented");
}

bool ht_grade_not_implemented(const struct ht_result *r)
{
	if (!ht_outcome_is_failure(r->outcome))
		return false;
	if (says_not_implemented(r->reason) || says_not_implemented(r->output))
		return true;
	for (size_t i = 0; i < r->n_msgs; i++)
		if (says_not_implemented(r->msgs[i].text))
			return true;
	return false;
}

void ht_grade_init(struct ht_grade *g, const char *runtime, const char *mode, const int *lessons,
		   size_t n)
{
	size_t n_titles;
	const struct ht_lesson *titles = ht_lesson_list(&n_titles);

	*g = (struct ht_grade){ .runtime = ht_xstrdup(runtime), .mode = ht_xstrdup(mode) };
	g->lessons = ht_xcalloc(n ? n : 1, sizeof(*g->lessons));
	g->n_lessons = n;
	for (size_t i = 0; i < n; i++) {
		struct ht_grade_lesson *l = &g->lessons[i];

		l->lesson = lessons[i];
		l->title = "";
		for (size_t k = 0; k < n_titles; k++)
			if (titles[k].number == lessons[i])
				l->title = titles[k].title;
		l->native = HT_NATIVE_UNKNOWN;
		l->status = HT_GRADE_UNGRADED;
	}
}

struct ht_grade_lesson *ht_grade_find(struct ht_grade *g, int lesson)
{
	for (size_t i = 0; i < g->n_lessons; i++)
		if (g->lessons[i].lesson == lesson)
			return &g->lessons[i];
	return NULL;
}

/* Add where to the lesson's comma list unless it is there. */
static void add_where(struct ht_grade_lesson *l, const char *where)
{
	char *next;

	if (l->where) {
		size_t n = strlen(where);

		for (const char *p = l->where; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
			if (strncmp(p, where, n) == 0 && (p[n] == ',' || p[n] == '\0'))
				return;
	}
	next = ht_xasprintf("%s%s%s", l->where ? l->where : "", l->where ? "," : "", where);
	free(l->where);
	l->where = next;
}

void ht_grade_score(struct ht_grade *g, const struct ht_run *run)
{
	for (size_t i = 0; i < run->n_results; i++) {
		const struct ht_result *r = &run->results[i];
		struct ht_grade_lesson *l = r->test ? ht_grade_find(g, r->test->lesson) : NULL;

		if (!l)
			continue;
		if (r->outcome == HT_SKIP) {
			l->skipped++;
			continue;
		}
		add_where(l, r->where ? r->where : "host");
		if (!ht_outcome_is_failure(r->outcome))
			l->passed++;
		else if (ht_grade_not_implemented(r))
			l->not_attempted++;
		else
			l->failed++;
	}
	for (size_t i = 0; i < g->n_lessons; i++) {
		struct ht_grade_lesson *l = &g->lessons[i];
		unsigned applicable = l->passed + l->failed + l->not_attempted;

		if (applicable == 0)
			l->status = HT_GRADE_UNGRADED;
		else if (l->passed == applicable)
			l->status = HT_GRADE_PASS;
		else if (l->passed == 0 && l->failed == 0)
			l->status = HT_GRADE_NOT_ATTEMPTED;
		else
			l->status = HT_GRADE_FAIL;
	}
}

bool ht_grade_all_passed(const struct ht_grade *g)
{
	for (size_t i = 0; i < g->n_lessons; i++)
		if (g->lessons[i].status != HT_GRADE_PASS)
			return false;
	return g->n_lessons > 0;
}

enum ht_grade_exit ht_grade_exit_code(const struct ht_grade *g)
{
	if (ht_grade_all_passed(g))
		return HT_GRADE_EXIT_PASS;
	for (size_t i = 0; i < g->n_lessons; i++)
		if (g->lessons[i].status == HT_GRADE_FAIL ||
		    g->lessons[i].status == HT_GRADE_NOT_ATTEMPTED)
			return HT_GRADE_EXIT_FAIL;
	return HT_GRADE_EXIT_UNGRADED;
}

/* ---- shell-outs ---------------------------------------------------------- */

static long long get_int(json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool is_runtime_prog(const char *filename, const char *prog)
{
	if (strcmp(filename, prog) == 0)
		return true;
	/* execvp(3) tries each $PATH entry with the bare name appended. */
	return !strchr(prog, '/') && filename[0] == '/' && strcmp(base_name(filename), prog) == 0;
}

/* Per process (tgid): whether it is the runtime or descends from it. */
struct owner {
	long long pid;
	bool runtime;
};

/* One exec as the attribution saw it: by whom, and were they the runtime then. */
struct exec_rec {
	long long pid;
	const char *filename;
	bool by_runtime;
};

static struct owner *owner_find(struct owner *o, size_t n, long long pid)
{
	for (size_t i = n; i-- > 0;)
		if (o[i].pid == pid)
			return &o[i];
	return NULL;
}

static struct owner *owner_add(struct owner **o, size_t *n, long long pid, bool runtime)
{
	*o = ht_xrealloc(*o, (*n + 1) * sizeof(**o));
	(*o)[*n] = (struct owner){ .pid = pid, .runtime = runtime };
	return &(*o)[(*n)++];
}

static int cmp_ts(const void *a, const void *b, void *arg)
{
	json_t *events = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	long long ta = get_int(json_array_get(events, ia), "ts_ns", 0);
	long long tb = get_int(json_array_get(events, ib), "ts_ns", 0);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

int ht_grade_runtime_shellouts(json_t *events, const char *runtime_prog, struct ht_shellout *ret)
{
	size_t n = json_array_size(events), n_owners = 0, n_execs = 0;
	_cleanup_free_ size_t *order = ht_xcalloc(n ? n : 1, sizeof(*order));
	_cleanup_free_ struct owner *owners = NULL;
	_cleanup_free_ struct exec_rec *execs = NULL;
	struct ht_shellout all = { 0 };
	int r;

	*ret = (struct ht_shellout){ 0 };
	r = ht_shellout_scan(events, NULL, &all);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_ts, events);

	/*
	 * Follow ownership in time order: a child made by clone/clone3 starts
	 * with its parent's, one seen first without a clone (fork(2) is not
	 * traced) with its ppid's; a successful exec of the runtime's program
	 * makes the process the runtime; an exit frees the pid for reuse.
	 */
	for (size_t k = 0; k < n; k++) {
		json_t *ev = json_array_get(events, order[k]);
		const char *type = get_str(ev, "type"), *sc = get_str(ev, "syscall");
		long long pid = get_int(ev, "pid", -1), rv = get_int(ev, "ret", -1);
		struct owner *o = owner_find(owners, n_owners, pid);

		if (!type)
			continue;
		if (!o) {
			struct owner *parent =
				owner_find(owners, n_owners, get_int(ev, "ppid", -1));

			o = owner_add(&owners, &n_owners, pid, parent && parent->runtime);
		}
		if (strcmp(type, "exit") == 0) {
			o->pid = -1;
			continue;
		}
		if (!sc)
			continue;
		if ((strcmp(sc, "clone") == 0 || strcmp(sc, "clone3") == 0) && rv > 0) {
			bool runtime = o->runtime;

			owner_add(&owners, &n_owners, rv, runtime);
		} else if (strcmp(sc, "execve") == 0 || strcmp(sc, "execveat") == 0) {
			const char *filename = get_str(json_object_get(ev, "args"), "filename");

			if (!filename)
				continue;
			execs = ht_xrealloc(execs, (n_execs + 1) * sizeof(*execs));
			execs[n_execs++] = (struct exec_rec){
				.pid = pid,
				.filename = filename,
				.by_runtime =
					o->runtime && !is_runtime_prog(filename, runtime_prog),
			};
			if (rv == 0 && is_runtime_prog(filename, runtime_prog))
				o->runtime = true;
		}
	}

	for (size_t i = 0; i < all.n; i++) {
		struct ht_shellout_hit *h = &all.hits[i];
		bool keep = false;

		for (size_t e = 0; e < n_execs && !keep; e++)
			keep = execs[e].by_runtime && execs[e].pid == h->pid &&
			       strcmp(execs[e].filename, h->filename) == 0;
		if (!keep)
			continue;
		ret->hits = ht_xrealloc(ret->hits, (ret->n + 1) * sizeof(*ret->hits));
		ret->hits[ret->n++] = *h;
		*h = (struct ht_shellout_hit){ 0 };
	}
	ht_shellout_free(&all);
	return 0;
}

static bool is_core(int lesson, const char *tool)
{
	/* "busybox:unshare" is unshare; a bare "busybox" names no applet. */
	if (strncmp(tool, "busybox:", 8) == 0)
		tool += 8;
	for (const char *const *t = ht_grade_core_tools(lesson); *t; t++)
		if (strcmp(*t, tool) == 0)
			return true;
	return false;
}

void ht_grade_set_native(struct ht_grade_lesson *l, const struct ht_shellout *s)
{
	struct ht_shellout core = { 0 };
	_cleanup_free_ struct ht_shellout_hit *hits = ht_xcalloc(s->n + 1, sizeof(*hits));

	core.hits = hits;
	for (size_t i = 0; i < s->n; i++)
		if (is_core(l->lesson, s->hits[i].tool))
			core.hits[core.n++] = s->hits[i];
	free(l->shellouts);
	l->shellouts = ht_shellout_list(s);
	free(l->native_detail);
	l->traced = true;
	if (core.n) {
		l->native = HT_NATIVE_NO;
		l->native_detail = ht_shellout_list(&core);
	} else {
		l->native = HT_NATIVE_YES;
		l->native_detail = NULL;
	}
}

void ht_grade_set_unknown(struct ht_grade_lesson *l, const char *why)
{
	if (l->native == HT_NATIVE_NO)
		return;
	l->native = HT_NATIVE_UNKNOWN;
	free(l->native_detail);
	l->native_detail = ht_xstrdup(why);
}

void ht_grade_done(struct ht_grade *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_lessons; i++) {
		free(g->lessons[i].where);
		free(g->lessons[i].native_detail);
		free(g->lessons[i].shellouts);
	}
	free(g->lessons);
	free(g->runtime);
	free(g->mode);
	*g = (struct ht_grade){ 0 };
}

/* ---- writers ------------------------------------------------------------- */

static unsigned applicable(const struct ht_grade_lesson *l)
{
	return l->passed + l->failed + l->not_attempted;
}

int ht_grade_write_console(FILE *f, const struct ht_grade *g)
{
	unsigned lessons_passed = 0;

	fprintf(f, "%-3s %-36s %-10s %7s %6s %13s  %s\n", "#", "lesson", "passed", "skipped",
		"failed", "not-attempted", "native");
	for (size_t i = 0; i < g->n_lessons; i++) {
		const struct ht_grade_lesson *l = &g->lessons[i];
		_cleanup_free_ char *score = ht_xasprintf("%u/%u", l->passed, applicable(l));
		const char *detail = l->native_detail;

		lessons_passed += l->status == HT_GRADE_PASS;
		fprintf(f, "%-3d %-36.36s %-10s %7u %6u %13u  %s%s%s%s\n", l->lesson, l->title,
			score, l->skipped, l->failed, l->not_attempted,
			ht_grade_native_name(l->native), detail ? " (" : "", detail ? detail : "",
			detail ? ")" : "");
	}
	fprintf(f, "%u of %zu lessons passed (runtime: %s, mode: %s)\n", lessons_passed,
		g->n_lessons, g->runtime, g->mode);
	return ht_report_flush(f);
}

static json_t *jstr(const char *s)
{
	_cleanup_free_ char *clean = ht_utf8_clean(s);

	return clean ? json_string(clean) : json_null();
}

/* "a,b" as ["a","b"]. */
static json_t *jlist(const char *csv)
{
	json_t *a = json_array();
	_cleanup_free_ char *copy = ht_xstrdup(csv ? csv : "");

	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, jstr(tok));
	return a;
}

static json_t *lesson_json(const struct ht_grade_lesson *l, const struct ht_run *run)
{
	json_t *skips = json_array(), *fails = json_array();
	unsigned app = applicable(l);

	for (size_t i = 0; i < run->n_results; i++) {
		const struct ht_result *r = &run->results[i];
		const char *reason = ht_report_reason(r);

		if (!r->test || r->test->lesson != l->lesson)
			continue;
		if (r->outcome == HT_SKIP) {
			_cleanup_free_ char *why = ht_report_skip_text(r);

			json_array_append_new(skips,
					      json_pack("{s:o, s:o}", "test", jstr(r->test->name),
							"reason", jstr(why)));
		} else if (ht_outcome_is_failure(r->outcome)) {
			json_array_append_new(fails,
					      json_pack("{s:o, s:s, s:o, s:b, s:o}", "test",
							jstr(r->test->name), "outcome",
							ht_outcome_name(r->outcome), "reason",
							jstr(reason), "not_attempted",
							ht_grade_not_implemented(r), "where",
							jstr(r->where ? r->where : "host")));
		}
	}
	return json_pack(
		"{s:i, s:o, s:s, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "lesson",
		l->lesson, "title", jstr(l->title), "status", ht_grade_status_name(l->status),
		"passed", l->passed, "applicable", app, "failed", l->failed, "not_attempted",
		l->not_attempted, "skipped", l->skipped, "score",
		app ? json_real((double)l->passed / app) : json_null(), "where", jlist(l->where),
		"native",
		json_pack("{s:s, s:o, s:o, s:o}", "verdict", ht_grade_native_name(l->native),
			  "core_tools", jlist(l->native == HT_NATIVE_NO ? l->native_detail : NULL),
			  "reason",
			  l->native == HT_NATIVE_UNKNOWN ? jstr(l->native_detail) : json_null(),
			  "shellouts", jlist(l->shellouts)),
		"skips", skips, "failures", fails);
}

int ht_grade_write_json(FILE *f, const struct ht_grade *g, const struct ht_run *run)
{
	json_t *lessons = json_array(), *doc;
	unsigned passed = 0;
	int r;

	for (size_t i = 0; i < g->n_lessons; i++) {
		passed += g->lessons[i].status == HT_GRADE_PASS;
		json_array_append_new(lessons, lesson_json(&g->lessons[i], run));
	}
	doc = json_pack("{s:s, s:o, s:s, s:o, s:o, s:f, s:{s:o, s:o}, s:{s:i, s:i, s:b}, s:o}",
			"schema", "isolab-grade/1", "runtime", jstr(g->runtime), "mode", g->mode,
			"run_id", jstr(run->run_id), "started", jstr(run->started), "duration_s",
			ht_report_seconds(run->duration_s), "host", "hostname", jstr(run->hostname),
			"kernel", jstr(run->kernel), "summary", "lessons", (int)g->n_lessons,
			"passed", (int)passed, "all_passed", ht_grade_all_passed(g), "lessons",
			lessons);
	if (!doc)
		return -ENOMEM;
	r = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (r < 0)
		return -EIO;
	fputc('\n', f);
	return ht_report_flush(f);
}

/* XML 1.0 attribute or text (sections 2.2, 2.4, 3.3.3): markup escaped, controls dropped. */
static void xml_put(FILE *f, const char *s)
{
	while (s && *s) {
		int32_t cp;
		size_t n = ht_utf8_decode(s, &cp);

		if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\n' || cp == '\t')
			fprintf(f, "&#%d;", (int)cp);
		else if (cp < 0 || cp == 0xFFFE || cp == 0xFFFF)
			ht_utf8_put(f, HT_UTF8_REPLACEMENT);
		else if (cp >= 0x20 && cp != 0x7F)
			fwrite(s, 1, n, f);
		s += n;
	}
}

static void xml_prop(FILE *f, const char *name, const char *value)
{
	fprintf(f, "      <property name=\"%s\" value=\"", name);
	xml_put(f, value ? value : "");
	fputs("\"/>\n", f);
}

int ht_grade_write_junit(FILE *f, const struct ht_grade *g, const struct ht_run *run)
{
	unsigned all_tests = 0, all_failures = 0, all_errors = 0, all_skipped = 0;
	double all_time = 0;

	for (size_t k = 0; k < run->n_results; k++) {
		const struct ht_result *r = &run->results[k];

		if (!r->test || !ht_grade_find((struct ht_grade *)g, r->test->lesson))
			continue;
		all_tests++;
		all_time += r->duration_s;
		all_errors += r->outcome == HT_BROKEN || r->outcome == HT_TIMEOUT;
		all_failures += r->outcome == HT_FAIL;
		all_skipped += r->outcome == HT_SKIP;
	}
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"isolab grade\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
		"skipped=\"%u\" time=\"%.3f\">\n",
		all_tests, all_failures, all_errors, all_skipped, ht_report_seconds(all_time));
	for (size_t i = 0; i < g->n_lessons; i++) {
		const struct ht_grade_lesson *l = &g->lessons[i];
		_cleanup_free_ char *score = ht_xasprintf("%u/%u", l->passed, applicable(l));
		unsigned errors = 0, failures = 0, tests = 0;
		double time_s = 0;

		for (size_t k = 0; k < run->n_results; k++) {
			const struct ht_result *r = &run->results[k];

			if (!r->test || r->test->lesson != l->lesson)
				continue;
			tests++;
			time_s += r->duration_s;
			errors += r->outcome == HT_BROKEN || r->outcome == HT_TIMEOUT;
			failures += r->outcome == HT_FAIL;
		}
		fprintf(f,
			"  <testsuite name=\"lesson-%02d\" tests=\"%u\" failures=\"%u\" "
			"errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
			l->lesson, tests, failures, errors, l->skipped, ht_report_seconds(time_s));
		fputs("    <properties>\n", f);
		xml_prop(f, "title", l->title);
		xml_prop(f, "status", ht_grade_status_name(l->status));
		xml_prop(f, "score", score);
		xml_prop(f, "where", l->where);
		xml_prop(f, "native", ht_grade_native_name(l->native));
		xml_prop(f, "native_detail", l->native_detail);
		xml_prop(f, "runtime", g->runtime);
		fputs("    </properties>\n", f);
		for (size_t k = 0; k < run->n_results; k++) {
			const struct ht_result *r = &run->results[k];
			const char *reason = ht_report_reason(r);

			if (!r->test || r->test->lesson != l->lesson)
				continue;
			fprintf(f, "    <testcase classname=\"lesson-%02d.%s\" name=\"", l->lesson,
				ht_area_name(r->test->area));
			xml_put(f, r->test->name);
			fprintf(f, "\" time=\"%.3f\">\n", ht_report_seconds(r->duration_s));
			if (r->outcome == HT_SKIP) {
				_cleanup_free_ char *why = ht_report_skip_text(r);

				fputs("      <skipped message=\"", f);
				xml_put(f, why);
				fputs("\"/>\n", f);
			} else if (ht_outcome_is_failure(r->outcome)) {
				const char *el = r->outcome == HT_FAIL ? "failure" : "error";

				fprintf(f, "      <%s type=\"%s\" message=\"%s", el,
					ht_outcome_name(r->outcome),
					ht_grade_not_implemented(r) ? "not attempted: " : "");
				xml_put(f, reason ? reason : ht_outcome_name(r->outcome));
				fprintf(f, "\"/>\n");
			}
			if (r->where && strcmp(r->where, "host") != 0) {
				fputs("      <system-out>where: ", f);
				xml_put(f, r->where);
				fputs("</system-out>\n", f);
			}
			fputs("    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return ht_report_flush(f);
}
