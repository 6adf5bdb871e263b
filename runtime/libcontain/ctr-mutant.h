/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mutants: single-fault variants of the reference runtime, to check that
 * the suite catches each fault in the lesson that teaches the behaviour
 * (tests/mutants, README "Self-test of the suite").
 *
 * Only the test binary `contain-mutant` is built with CONTAIN_MUTANTS; it
 * takes `--mutant=NAME` before the verb. In the production `contain`,
 * ctr_mutant() is the constant false, so every fault site is dead code
 * the compiler drops, names included.
 */
#ifndef CTR_MUTANT_H
#define CTR_MUTANT_H

#include <stdbool.h>

#ifdef CONTAIN_MUTANTS

struct ctr_mutant_info {
	const char *name;
	unsigned int lesson; /* the lesson whose tests must catch it */
	const char *fault;   /* what the fault site does instead */
};

/* The table, ended by an entry whose name is NULL. */
extern const struct ctr_mutant_info ctr_mutants[];

/* Select the active mutant; -EINVAL when NAME is not in the table. */
int ctr_mutant_select(const char *name);

/* Whether NAME is the active mutant: the fault site takes the wrong path. */
bool ctr_mutant(const char *name);

#else

#define ctr_mutant(name) false

#endif

#endif
