/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the tracing suite: build command lines (the runtime under test
 * is a word list), run them under the reference tracer, and read its JSON
 * events. The tracer is always the reference contain (ISOLAB_DEFAULT_RUNTIME,
 * or $ISOLAB_TRACER to point the suite at another build): lesson 10 checks
 * the tracer, whichever runtime it watches.
 */
#ifndef TRACE_H
#define TRACE_H

#include <string.h>
#include <wordexp.h>

#include "config.h"
#include "ht-runtime.h"
#include "ht-shellout.h"
#include "ht-util.h"
#include "isolab.h"

/* Every test here belongs to lesson 10 (its needs start with bpf.tracepoint, bpf.btf). */
#define TRACE_AREA .area = HT_AREA_TRACING, .lesson = 10

/* A growing argv; owns the runtime's split words. */
struct targv {
	const char **v;
	size_t n;
	wordexp_t we;
	bool has_we;
};

static inline void targv_add(struct targv *a, const char *s)
{
	a->v = ht_xrealloc(a->v, (a->n + 2) * sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static inline void targv_add_list(struct targv *a, const char *const *list)
{
	for (; *list; list++)
		targv_add(a, *list);
}

/* The runtime under test, as its word list (see ht_runtime_words). */
static inline void targv_add_runtime(struct ht_ctx *t, struct targv *a)
{
	if (a->has_we)
		ht_broken(t, "targv_add_runtime called twice");
	if (wordexp(ht_runtime_words(), &a->we, WRDE_NOCMD | WRDE_UNDEF) != 0 ||
	    a->we.we_wordc == 0)
		ht_broken(t, "cannot split the runtime command '%s'", ht_runtime_words());
	a->has_we = true;
	for (size_t i = 0; i < a->we.we_wordc; i++)
		targv_add(a, a->we.we_wordv[i]);
}

static inline void targv_free(struct targv *a)
{
	if (a->has_we)
		wordfree(&a->we);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static inline const char *trace_tracer(void)
{
	const char *env = getenv("ISOLAB_TRACER");

	return env && *env ? env : ISOLAB_DEFAULT_RUNTIME;
}

static inline long long ev_int(json_t *ev, const char *key, long long dflt)
{
	json_t *v = json_object_get(ev, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static inline const char *ev_str(json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

static inline const char *ev_arg(json_t *ev, const char *key)
{
	return json_string_value(json_object_get(json_object_get(ev, "args"), key));
}

static inline bool ev_is(json_t *ev, const char *syscall)
{
	const char *type = ev_str(ev, "type"), *sc = ev_str(ev, "syscall");

	return type && sc && strcmp(type, "syscall") == 0 && strcmp(sc, syscall) == 0;
}

static inline bool ev_is_exit(json_t *ev)
{
	const char *type = ev_str(ev, "type");

	return type && strcmp(type, "exit") == 0;
}

struct trace_out {
	struct ht_proc p;
	json_t *events;	 /* in line order */
	json_t *summary; /* NULL when the tracer wrote none */
};

/* Start `tracer trace --json [opts…] -- cmd…`; BROKEN when it cannot be started. */
static inline void trace_start(struct ht_ctx *t, struct trace_out *out, const char *const *opts,
			       const char *const *cmd)
{
	struct targv a = { 0 };
	int r;

	memset(out, 0, sizeof(*out));
	targv_add(&a, trace_tracer());
	targv_add(&a, "trace");
	targv_add(&a, "--json");
	if (opts)
		targv_add_list(&a, opts);
	targv_add(&a, "--");
	targv_add_list(&a, cmd);
	r = ht_proc_start(&out->p, a.v, NULL);
	targv_free(&a);
	if (r < 0)
		ht_broken(t, "start %s trace: %s", trace_tracer(), strerror(-r));
}

/*
 * Wait for the tracer (up to the test's deadline) and parse its output.
 * A line that is no event, a missing summary, or a summary whose count
 * differs from the events written is a FAIL of the tracer.
 */
static inline bool trace_finish(struct ht_ctx *t, struct trace_out *out)
{
	int r = ht_proc_wait(&out->p, ht_timeout_ms(t, 3600 * 1000));
	size_t other;

	if (r < 0)
		ht_broken(t, "wait for %s trace: %s", trace_tracer(), strerror(-r));
	ht_trace_parse(out->p.out, out->p.out_len, &out->events, &out->summary, &other);
	/* The suite traces only silent commands: every stdout line is the tracer's. */
	if (other > 0)
		ht_fail(t, "%zu lines of the tracer's stdout are not events or a summary: %.300s",
			other, out->p.out);
	if (!out->summary) {
		ht_fail(t, "the tracer wrote no summary line (exit %d%s): %.400s", out->p.exit_code,
			out->p.timed_out ? ", timed out" : "", out->p.err);
		return false;
	}
	/* The summary counts what was written: none vanished on the way out. */
	HT_EXPECT_EQ(t, ev_int(out->summary, "events", -1), json_array_size(out->events));
	return other == 0;
}

static inline bool trace_run(struct ht_ctx *t, struct trace_out *out, const char *const *opts,
			     const char *const *cmd)
{
	trace_start(t, out, opts, cmd);
	return trace_finish(t, out);
}

static inline void trace_out_free(struct trace_out *out)
{
	json_decref(out->events);
	json_decref(out->summary);
	ht_proc_free(&out->p);
	memset(out, 0, sizeof(*out));
}

/* No event was lost: otherwise every absence the test checks means nothing. */
static inline void trace_expect_no_loss(struct ht_ctx *t, const struct trace_out *out)
{
	if (out->summary)
		HT_EXPECT_EQ(t, ev_int(out->summary, "lost", -1), 0);
}

static inline int trace_cmp_ts(const void *a, const void *b)
{
	json_t *ea = *(json_t *const *)a, *eb = *(json_t *const *)b;
	long long ta = ev_int(ea, "ts_ns", 0), tb = ev_int(eb, "ts_ns", 0);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	/* Equal stamps keep line order: the index was stashed below. */
	return (int)(ev_int(ea, "_line", 0) - ev_int(eb, "_line", 0));
}

/*
 * The events in time order (ts_ns, then line order). The ring buffer is
 * shared by all CPUs, so two processes' events may reach it slightly out of
 * stamp order; the stamp is when the syscall happened. New references.
 */
static inline json_t *trace_sorted(const struct trace_out *out)
{
	size_t n = json_array_size(out->events);
	_cleanup_free_ json_t **v = ht_xcalloc(n ? n : 1, sizeof(*v));
	json_t *sorted = json_array();

	for (size_t i = 0; i < n; i++) {
		v[i] = json_array_get(out->events, i);
		json_object_set_new(v[i], "_line", json_integer((json_int_t)i));
	}
	qsort(v, n, sizeof(*v), trace_cmp_ts);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	return sorted;
}

/* One line per event, for failure messages: "clone3=1234 mount=0 …", truncated. */
static inline char *trace_digest(json_t *events)
{
	char *s = ht_xstrdup("");
	size_t i;
	json_t *ev;

	json_array_foreach(events, i, ev) {
		char *next;

		if (strlen(s) > 600) {
			next = ht_xasprintf("%s …", s);
			free(s);
			return next;
		}
		if (!ev_str(ev, "syscall"))
			continue;
		next = ht_xasprintf("%s%s%s[%lld]=%lld", s, i ? " " : "", ev_str(ev, "syscall"),
				    ev_int(ev, "pid", -1), ev_int(ev, "ret", -1));
		free(s);
		s = next;
	}
	return s;
}

#endif
