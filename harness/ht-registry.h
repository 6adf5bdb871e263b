/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test registry (filled by HT_TEST constructors) and test selection.
 */
#ifndef HT_REGISTRY_H
#define HT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "isolab.h"

struct ht_filter {
	unsigned areas;	  /* bit per enum ht_area; 0 = every area */
	uint64_t lessons; /* bit per lesson number; 0 = every lesson */
	char **globs;	  /* fnmatch(3) on "name" or "area/name"; none = all */
	size_t n_globs;
	bool selftest; /* allow selftest fixtures (still only when named by a glob) */
};

/* Every registered test, sorted by area, lesson, name. */
const struct ht_test *const *ht_registry_all(size_t *ret_n);

/* Duplicate names are a build mistake; returns the first duplicate or NULL. */
const char *ht_registry_duplicate(void);

/* The registered test of that name, or NULL. */
const struct ht_test *ht_registry_find(const char *name);

bool ht_filter_match(const struct ht_filter *f, const struct ht_test *t);

/* Parse "isolation,network" into the areas mask. Returns 0 or -EINVAL. */
int ht_filter_add_areas(struct ht_filter *f, const char *list);
/* Parse "1,3-5" into the lessons mask (1..63). Returns 0 or -EINVAL. */
int ht_filter_add_lessons(struct ht_filter *f, const char *list);
void ht_filter_add_glob(struct ht_filter *f, const char *glob);
void ht_filter_done(struct ht_filter *f);

/* Select the matching tests (array of pointers, caller frees the array). */
size_t ht_registry_select(const struct ht_filter *f, const struct ht_test ***ret);

#endif
