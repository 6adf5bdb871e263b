/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Synthetic runs for the reporter tests: fixed ids, times and durations, so
 * every reporter's output is byte-for-byte reproducible.
 */
#ifndef REPORT_FIXTURE_H
#define REPORT_FIXTURE_H

#include "ht-result.h"

/*
 * Every outcome, hostile text (XML metacharacters, '#', newlines, control
 * characters, ill-formed UTF-8), a NULL reason, a result without tags, file
 * or where, a VM result, and a reason too long for one TAP line.
 */
void fixture_full_run(struct ht_run *run);

/* Only outcomes that keep a meson TAP test green: PASS, WARN, SKIP, XFAIL. */
void fixture_passing_run(struct ht_run *run);

/* No test selected. */
void fixture_empty_run(struct ht_run *run);

#endif
