/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The per-test context and the record protocol between a test child and the
 * runner. Each report is one record written with one write(2) of at most
 * PIPE_BUF bytes, so records from a test and its forked helpers never
 * interleave (pipe(7), "PIPE_BUF").
 */
#ifndef HT_CTX_H
#define HT_CTX_H

#include <limits.h>
#include <stdint.h>

#include "isolab.h"

enum ht_rec_kind {
	HT_REC_MSG = 1,	 /* outcome + text ("" for a silent passing check) */
	HT_REC_SKIP = 2, /* text = probe id, NUL, reason; err = probe errno */
};

struct ht_rec_hdr {
	uint8_t kind;
	uint8_t outcome;
	uint16_t len;
	int32_t err;
};

#define HT_REC_MAX (PIPE_BUF - sizeof(struct ht_rec_hdr))

struct ht_ctx {
	const struct ht_test *test;
	int result_fd;
	int journal_fd;
	const char *run_id;
	const char *run_dir;	   /* <state>/runs/<run-id>, journaled as a tree */
	uint64_t deadline_ns;	   /* when the runner kills this test (CLOCK_MONOTONIC) */
	double timeout_multiplier; /* --timeout-multiplier, for waits inside the test */
	char *scratch;
};

#endif
