/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reporters. All of them read the same struct ht_run. TAP and the console
 * stream as results arrive; JUnit and JSON are written once, at the end.
 */
#ifndef HT_REPORT_H
#define HT_REPORT_H

#include <stdio.h>

#include "ht-result.h"

struct ht_reporter {
	const struct ht_reporter_ops *ops;
	FILE *out;
	void *priv;
};

struct ht_reporter_ops {
	const char *name;
	void (*begin)(struct ht_reporter *rep, const struct ht_run *run, size_t n_planned);
	/* Called once a test has started (console progress) - may be NULL. */
	void (*started)(struct ht_reporter *rep, const struct ht_run *run,
			const struct ht_test *test);
	void (*result)(struct ht_reporter *rep, const struct ht_run *run, const struct ht_result *r,
		       size_t index);
	/* Finish; returns 0 or -errno (a write error). */
	int (*end)(struct ht_reporter *rep, const struct ht_run *run);
};

extern const struct ht_reporter_ops ht_report_tap;
extern const struct ht_reporter_ops ht_report_junit;
extern const struct ht_reporter_ops ht_report_json;
extern const struct ht_reporter_ops ht_report_console;
/* One JSON object per line as tests start and end: {"event":"start"|"result",...}. */
extern const struct ht_reporter_ops ht_report_stream;

/*
 * Write a whole run with one reporter (what the golden tests and the
 * JUnit/JSON file writers use). Returns 0 or -errno.
 */
int ht_report_write(const struct ht_reporter_ops *ops, FILE *out, const struct ht_run *run);

/*
 * The kernel matrix (rows: behaviours; columns: host and each VM; then each
 * VM's verdict and timings), as `isolab vm` prints it. Returns 0 or -errno.
 */
int ht_report_matrix(FILE *f, const struct ht_run *run);

/*
 * The inverse of the JSON report's result objects: append to run a result
 * read from obj (an element of "results", or a stream "result"), with the
 * host's descriptor of the same name (a guest runs the same build) or one
 * made from obj. where is "vm:...". Returns NULL when obj is not a result.
 */
typedef struct json_t json_t;
struct ht_result *ht_result_load_json(struct ht_run *run, json_t *obj, const char *where);

#endif
