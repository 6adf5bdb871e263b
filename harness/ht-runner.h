/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runner: one forked child per test, in its own process group and (when
 * cgroup2 is writable) its own slot cgroup, a pidfd deadline, the whole tree
 * killed at expiry, -j parallelism, and a clean stop on SIGINT/SIGTERM.
 */
#ifndef HT_RUNNER_H
#define HT_RUNNER_H

#include <stddef.h>

#include "ht-journal.h"
#include "ht-report.h"
#include "ht-result.h"

struct ht_run_opts {
	unsigned jobs;		   /* >= 1 */
	double timeout_multiplier; /* scales every test's timeout; >= 1 under valgrind */
	struct ht_reporter *reporters;
	size_t n_reporters;
	/*
	 * When set, tests whose declared needs fail on this host (or, with
	 * all_elsewhere, every test) are not skipped in place: after the host's
	 * tests, elsewhere() gets their result slots (indices into run->results,
	 * each holding the host's SKIP) to fill, e.g. from a fresh VM (`isolab
	 * run --vm`). stop_fd turns readable on SIGINT/SIGTERM.
	 */
	void (*elsewhere)(void *ctx, struct ht_run *run, const size_t *idx, size_t n, int stop_fd);
	void *elsewhere_ctx;
	bool all_elsewhere;
};

/*
 * Run the selected tests, filling run->results (one per test, in the given
 * order) and feeding every reporter. The journal records each resource the
 * runner creates (slot cgroups, process groups, the scratch tree).
 * Returns 0 (whatever the outcomes), or -errno when the harness itself broke.
 */
int ht_runner_run(struct ht_run *run, const struct ht_test *const *tests, size_t n,
		  const struct ht_run_opts *opts, struct ht_journal *journal);

#endif
