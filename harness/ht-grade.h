/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Grading (`isolab grade`): turn one run's results into a score per lesson,
 * attribute the shell-outs the tracer saw to the runtime under test, and
 * write the grade as a console table, JSON (reports/isolab-grade.schema.json)
 * and JUnit (one testsuite per lesson).
 *
 * Per lesson, every selected test lands in exactly one column:
 *
 *	passed         PASS, WARN or XFAIL
 *	not attempted  FAIL/BROKEN/TIMEOUT whose reason, messages or output say
 *	               "not implemented": the runtime answered that it does not
 *	               implement the verb (the starter's answer, exit 125), so
 *	               the test says nothing about a wrong behaviour
 *	failed         every other FAIL, BROKEN or TIMEOUT
 *	skipped        SKIP: neither the host nor a VM could run it (reason kept)
 *
 * applicable = passed + failed + not attempted, and the score is
 * passed/applicable. A lesson "passes" when it has applicable tests and all
 * of them passed; it is "not-attempted" when nothing passed and every
 * applicable test was not attempted; "ungraded" when every test was skipped.
 *
 * Native: a lesson is "native: no" when the runtime (the process that
 * executed the runtime's program, or a descendant of it) executed one of the
 * lesson's core tools outside the container's root (ht-shellout.h), "yes"
 * when a complete trace of the lesson's host tests shows no such tool, and
 * "unknown" (with the reason) when no complete trace covers the lesson.
 */
#ifndef HT_GRADE_H
#define HT_GRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ht-result.h"
#include "ht-shellout.h"

enum ht_grade_status {
	HT_GRADE_PASS,
	HT_GRADE_FAIL,
	HT_GRADE_NOT_ATTEMPTED,
	HT_GRADE_UNGRADED,
};

enum ht_grade_native {
	HT_NATIVE_UNKNOWN,
	HT_NATIVE_YES,
	HT_NATIVE_NO,
};

struct ht_grade_lesson {
	int lesson;
	const char *title;
	unsigned passed, failed, not_attempted, skipped;
	enum ht_grade_status status;
	/* Where the lesson's tests ran: "host", "vm:debian-6.1", or both ("host,vm:..."). */
	char *where;
	enum ht_grade_native native;
	/* The core tools the runtime ran (comma list), or why native is unknown. */
	char *native_detail;
	/* Every tool the runtime ran while this lesson was graded (comma list). */
	char *shellouts;
	bool traced; /* a complete trace covered this lesson's host tests */
};

struct ht_grade {
	char *runtime; /* the word list */
	char *mode;    /* "host" (VM for the host's skips) or "vm" (everything in a VM) */
	struct ht_grade_lesson *lessons;
	size_t n_lessons;
};

/* The core tools of a lesson (NULL-terminated; empty for an unknown lesson). */
const char *const *ht_grade_core_tools(int lesson);

/* Whether a failed result says the runtime does not implement what was asked. */
bool ht_grade_not_implemented(const struct ht_result *r);

/* A grade with one zeroed entry per lesson (titles from ht_lesson_list()). */
void ht_grade_init(struct ht_grade *g, const char *runtime, const char *mode, const int *lessons,
		   size_t n);
struct ht_grade_lesson *ht_grade_find(struct ht_grade *g, int lesson);
/* Count run's results into their lessons (results of other lessons are ignored). */
void ht_grade_score(struct ht_grade *g, const struct ht_run *run);

/*
 * The shell-outs of the runtime under test in a trace of many invocations
 * (a whole lesson's tests): the hits of ht_shellout_scan() made by a process
 * that executed runtime_prog (the runtime's first word: an exact filename,
 * or for a bare name, any $PATH entry of that basename) or by one of its
 * descendants. The runtime's own start, and execs by the harness, the test
 * processes or the tracer, do not count. Returns 0 and fills ret.
 */
int ht_grade_runtime_shellouts(json_t *events, const char *runtime_prog, struct ht_shellout *ret);

/*
 * Set the lesson's native verdict from the runtime's shell-outs during it:
 * "no" when one is a core tool of the lesson (a busybox applet counts as
 * the tool it is), else "yes".
 */
void ht_grade_set_native(struct ht_grade_lesson *l, const struct ht_shellout *s);
/* Mark the lesson "native: unknown" because of why (when it is not already "no"). */
void ht_grade_set_unknown(struct ht_grade_lesson *l, const char *why);

/* True when every lesson passed. */
bool ht_grade_all_passed(const struct ht_grade *g);

/* `isolab grade`'s exit status for a finished grade (the CLI adds 2, 3 and 128+N). */
enum ht_grade_exit {
	HT_GRADE_EXIT_PASS = 0,	    /* every lesson passed */
	HT_GRADE_EXIT_FAIL = 1,	    /* a lesson failed or was not attempted */
	HT_GRADE_EXIT_UNGRADED = 4, /* nothing failed, but a lesson (or all) went ungraded */
};
enum ht_grade_exit ht_grade_exit_code(const struct ht_grade *g);

/* Writers; each returns 0 or -errno (a write error). */
int ht_grade_write_console(FILE *f, const struct ht_grade *g);
int ht_grade_write_json(FILE *f, const struct ht_grade *g, const struct ht_run *run);
int ht_grade_write_junit(FILE *f, const struct ht_grade *g, const struct ht_run *run);

void ht_grade_done(struct ht_grade *g);

const char *ht_grade_status_name(enum ht_grade_status s); /* "pass", "not-attempted" */
const char *ht_grade_native_name(enum ht_grade_native n); /* "yes", "no", "unknown" */

#endif
