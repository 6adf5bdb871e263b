// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test registry. HT_TEST() descriptors register themselves from
 * constructors (the kselftest way), so adding a test file is the only step
 * needed to add tests. Selection by area, lesson and name glob.
 */
#include <fnmatch.h>
#include <string.h>

#include "ht-registry.h"
#include "ht-result.h"
#include "ht-util.h"

static struct ht_test **tests;
static size_t n_tests;
static bool sorted;

void ht_register(struct ht_test *test)
{
	if (!test->timeout_s)
		test->timeout_s = 30;
	tests = ht_xrealloc(tests, (n_tests + 1) * sizeof(*tests));
	tests[n_tests++] = test;
	sorted = false;
}

static int cmp_test(const void *a, const void *b)
{
	const struct ht_test *x = *(const struct ht_test *const *)a;
	const struct ht_test *y = *(const struct ht_test *const *)b;

	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	if (x->lesson != y->lesson)
		return x->lesson < y->lesson ? -1 : 1;
	return strcmp(x->name, y->name);
}

const struct ht_test *const *ht_registry_all(size_t *ret_n)
{
	if (!sorted && n_tests > 1)
		qsort(tests, n_tests, sizeof(*tests), cmp_test);
	sorted = true;
	*ret_n = n_tests;
	return (const struct ht_test *const *)tests;
}

const char *ht_registry_duplicate(void)
{
	size_t n;
	const struct ht_test *const *all = ht_registry_all(&n);

	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(all[i]->name, all[k]->name) == 0)
				return all[i]->name;
	return NULL;
}

const struct ht_test *ht_registry_find(const char *name)
{
	size_t n;
	const struct ht_test *const *all = ht_registry_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

static bool glob_match(const struct ht_filter *f, const struct ht_test *t)
{
	char full[256];

	if (f->n_globs == 0)
		return !t->selftest;
	if (t->selftest && !f->selftest)
		return false;
	snprintf(full, sizeof(full), "%s/%s", ht_area_name(t->area), t->name);
	for (size_t i = 0; i < f->n_globs; i++)
		if (fnmatch(f->globs[i], t->name, 0) == 0 || fnmatch(f->globs[i], full, 0) == 0)
			return true;
	return false;
}

bool ht_filter_match(const struct ht_filter *f, const struct ht_test *t)
{
	if (f->areas && !(f->areas & (1u << t->area)))
		return false;
	if (f->lessons && (t->lesson <= 0 || t->lesson > 63 || !(f->lessons & (1ull << t->lesson))))
		return false;
	return glob_match(f, t);
}

int ht_filter_add_areas(struct ht_filter *f, const char *list)
{
	_cleanup_free_ char *copy = ht_xstrdup(list);
	char *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum ht_area a;

		if (ht_area_parse(tok, &a) < 0)
			return -EINVAL;
		f->areas |= 1u << a;
	}
	return 0;
}

static int parse_lesson(const char *s, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 63)
		return -EINVAL;
	*ret = v;
	return 0;
}

int ht_filter_add_lessons(struct ht_filter *f, const char *list)
{
	_cleanup_free_ char *copy = ht_xstrdup(list);
	char *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		long lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_lesson(tok, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (dash && (parse_lesson(dash + 1, &hi) < 0 || hi < lo))
			return -EINVAL;
		for (long l = lo; l <= hi; l++)
			f->lessons |= 1ull << l;
	}
	return 0;
}

void ht_filter_add_glob(struct ht_filter *f, const char *glob)
{
	f->globs = ht_xrealloc(f->globs, (f->n_globs + 1) * sizeof(*f->globs));
	f->globs[f->n_globs++] = ht_xstrdup(glob);
}

void ht_filter_done(struct ht_filter *f)
{
	for (size_t i = 0; i < f->n_globs; i++)
		free(f->globs[i]);
	free(f->globs);
	memset(f, 0, sizeof(*f));
}

size_t ht_registry_select(const struct ht_filter *f, const struct ht_test ***ret)
{
	size_t n, k = 0;
	const struct ht_test *const *all = ht_registry_all(&n);
	const struct ht_test **sel = ht_xcalloc(n + 1, sizeof(*sel));

	for (size_t i = 0; i < n; i++)
		if (ht_filter_match(f, all[i]))
			sel[k++] = all[i];
	*ret = sel;
	return k;
}
