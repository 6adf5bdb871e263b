/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the four reporters share and nobody else needs: a strict UTF-8
 * decoder (test messages are arbitrary bytes, every output format wants
 * valid Unicode), the texts derived from a result (skip and xfail reasons),
 * and the list of results a whole-file reporter has been handed.
 */
#ifndef HT_REPORT_PRIV_H
#define HT_REPORT_PRIV_H

#include <stdint.h>
#include <stdio.h>

#include "ht-result.h"

/* What separates the tags of a test descriptor. */
#define HT_REPORT_BLANKS " \t\n\r\f\v"

/* Unicode's replacement character, written for every invalid sequence. */
#define HT_UTF8_REPLACEMENT 0xFFFDu

/*
 * Decode the UTF-8 sequence at s, which must not start with NUL. Returns
 * its length and sets *ret_cp, or, for an ill-formed sequence, returns the
 * length of its maximal subpart (at least 1) and sets *ret_cp to -1, so the
 * caller writes one U+FFFD per subpart as Unicode 15, section 3.9 (U+FFFD
 * substitution of maximal subparts) recommends. Overlong forms, surrogates
 * and code points above U+10FFFF are ill-formed (RFC 3629, section 3).
 */
size_t ht_utf8_decode(const char *s, int32_t *ret_cp);

/* Write code point cp (at most U+10FFFF) as UTF-8. */
void ht_utf8_put(FILE *f, uint32_t cp);

/* Copy of s with each ill-formed sequence replaced by U+FFFD; NULL for NULL. */
char *ht_utf8_clean(const char *s);

/* run->run_id, cleaned and NUL-terminated even when the array is full; free it. */
char *ht_report_run_id(const struct ht_run *run);

/* The outcome, clamped into the enum so it can index a count array. */
enum ht_outcome ht_report_outcome(const struct ht_result *r);
/* The area, clamped likewise; a result without a descriptor is "harness". */
enum ht_area ht_report_area(const struct ht_result *r);
const char *ht_report_test_name(const struct ht_result *r);

/*
 * The one-line explanation of a result: r->reason, else the first message
 * carrying the result's own outcome, else NULL.
 */
const char *ht_report_reason(const struct ht_result *r);

/*
 * Why a test was skipped, with the probe id and errno when the runner set
 * them: "<reason> (probe cgroup.memory, EOPNOTSUPP)". Never NULL; free it.
 */
char *ht_report_skip_text(const struct ht_result *r);

/* The descriptor's tags, one blank between each; NULL when there are none. */
char *ht_report_tags(const char *tags);

/* Why a failure was expected: the descriptor's xfail note, else the reason. */
const char *ht_report_xfail_text(const struct ht_result *r);

/* Counts of the results a stream reporter was handed. */
struct ht_tally {
	size_t counts[HT_OUTCOME_MAX];
	size_t total;
};

void ht_tally_add(struct ht_tally *t, const struct ht_result *r);
size_t ht_tally_passed(const struct ht_tally *t); /* PASS + WARN + XFAIL */
size_t ht_tally_failed(const struct ht_tally *t); /* FAIL + BROKEN + TIMEOUT */

/*
 * The results handed to result(), as indices into run->results (the array
 * may be reallocated while the run goes on, so pointers would not do).
 */
struct ht_report_seen {
	size_t *idx;
	size_t n;
	size_t cap;
};

void ht_report_seen_add(struct ht_report_seen *seen, const struct ht_run *run,
			const struct ht_result *r, size_t index);
/* Sort into run order; drop duplicates and indices past the end of run. */
void ht_report_seen_finish(struct ht_report_seen *seen, const struct ht_run *run);
/* Every result of run, for end() called without begin(). */
void ht_report_seen_all(struct ht_report_seen *seen, const struct ht_run *run);
void ht_report_seen_free(struct ht_report_seen *seen);

/* Flush f and return 0, or -errno for any write error seen on it. */
int ht_report_flush(FILE *f);

/*
 * What the JUnit and JSON reporters share: begin() and result() collect the
 * results; end() hands them, in run order, to the format's writer, flushes,
 * and frees the state. end() without begin() writes every result of run.
 */
struct ht_reporter;

typedef int (*ht_report_writer)(FILE *out, const struct ht_run *run,
				const struct ht_report_seen *seen, size_t planned);
void ht_file_report_begin(struct ht_reporter *rep, const struct ht_run *run, size_t n_planned);
void ht_file_report_result(struct ht_reporter *rep, const struct ht_run *run,
			   const struct ht_result *r, size_t index);
int ht_file_report_end(struct ht_reporter *rep, const struct ht_run *run, ht_report_writer write);

/* Round a duration to milliseconds; negative, NaN and infinite give 0. */
double ht_report_seconds(double d);

#endif
