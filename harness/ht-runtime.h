/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Driving the runtime under test from a suite: run it with the test's
 * deadline, and read the in-container probe's nonce-bound JSON.
 */
#ifndef HT_RUNTIME_H
#define HT_RUNTIME_H

#include <jansson.h>

#include "ht-proc.h"
#include "isolab.h"

#define HT_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Run the runtime under test (its word list, then args) and wait for it.
 * A runtime that cannot even be started makes the test BROKEN.
 */
void ht_runtime_run(struct ht_ctx *t, struct ht_proc *p, const char *const *args,
		    const struct ht_proc_opts *o);
/* Same, but return once it is started (for background containers). */
void ht_runtime_start(struct ht_ctx *t, struct ht_proc *p, const char *const *args,
		      const struct ht_proc_opts *o);
/* Run any command (stock tools on the host); BROKEN if it cannot start. */
void ht_cmd_run(struct ht_ctx *t, struct ht_proc *p, const char *const *argv,
		const struct ht_proc_opts *o);

/*
 * A wait of ms milliseconds as this run should see it: scaled by
 * --timeout-multiplier (valgrind), and never past the test's own deadline,
 * so that a slow step is reported by the test, not killed by the runner.
 */
int ht_timeout_ms(struct ht_ctx *t, int ms);

/* A fresh random nonce for this test (hex, 16 chars). */
const char *ht_nonce(struct ht_ctx *t);

/*
 * Parse the probe's JSON from the last line of p's stdout and check that it
 * carries this test's nonce. A missing or wrong nonce is a FAIL: the runtime
 * did not really run the probe. Returns NULL after reporting.
 */
json_t *ht_probe_json(struct ht_ctx *t, const struct ht_proc *p);
/* The same for one given line of probe output (len bytes, no newline needed). */
json_t *ht_probe_json_line(struct ht_ctx *t, const char *line, size_t len);

/* Expect an exit code; on mismatch the message carries stderr. */
bool ht_check_exit(struct ht_ctx *t, bool fatal, const char *file, int line,
		   const struct ht_proc *p, int want);
#define HT_EXPECT_EXIT(t, p, want) ht_check_exit(t, false, __FILE__, __LINE__, p, want)
#define HT_ASSERT_EXIT(t, p, want) ht_check_exit(t, true, __FILE__, __LINE__, p, want)

#endif
