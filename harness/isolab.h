/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isolab test API: what a suite file includes.
 *
 * A test is a descriptor (data) plus a function. HT_TEST() registers the
 * descriptor from a constructor, so no list of tests is kept anywhere. The
 * runner forks one child per test; inside the child the function reports
 * through the ht_ctx, and each report travels to the runner over a pipe as it
 * happens, so a crash after the first assertion still leaves a record.
 *
 *	static void pidns_init_is_pid1(struct ht_ctx *t)
 *	{
 *		...
 *		HT_EXPECT_STREQ(t, out, "1\n");
 *	}
 *	HT_TEST(pidns_init_is_pid1, .area = HT_AREA_ISOLATION, .lesson = 1,
 *		.needs = HT_NEEDS("ns.pid"), .timeout_s = 10);
 */
#ifndef ISOLAB_H
#define ISOLAB_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Outcomes, in the LTP sense: FAIL is "the behaviour is wrong", BROKEN is
 * "the setup or the harness broke", SKIP is "the host cannot" (and always
 * carries the probe id and errno). TIMEOUT is set by the runner only.
 * The numeric order is the precedence when a test reports several.
 */
enum ht_outcome {
	HT_PASS = 0,
	HT_SKIP,
	HT_XFAIL,
	HT_WARN,
	HT_FAIL,
	HT_TIMEOUT,
	HT_BROKEN,
	HT_OUTCOME_MAX,
};

enum ht_area {
	HT_AREA_HARNESS = 0,
	HT_AREA_ISOLATION,
	HT_AREA_LIMITS,
	HT_AREA_NETWORK,
	HT_AREA_OCI,
	HT_AREA_TRACING,
	HT_AREA_MAX,
};

struct ht_ctx;

struct ht_test {
	const char *name;
	enum ht_area area;
	/* Lesson number (1-12), 0 when the behaviour belongs to no lesson. */
	int lesson;
	/* NULL-terminated probe ids; each unmet one turns into a SKIP. */
	const char *const *needs;
	/* Seconds; 0 means the default (30 s). */
	unsigned timeout_s;
	/* Space-separated: "spec:config-linux.md#namespaces cve:CVE-2019-5736". */
	const char *tags;
	/* Non-NULL: a known failure; FAIL becomes XFAIL, a PASS becomes FAIL. */
	const char *xfail;
	/* Fixture for the harness's own tests: only run when named with -t. */
	bool selftest;
	void (*fn)(struct ht_ctx *t);
	const char *file;
	int line;
};

#define HT_NEEDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

void ht_register(struct ht_test *test);

#define HT_TEST(fn_, ...)                                                                \
	static struct ht_test ht_desc_##fn_ = {                                          \
		.name = #fn_, .fn = fn_, .file = __FILE__, .line = __LINE__, __VA_ARGS__ \
	};                                                                               \
	__attribute__((constructor)) static void ht_reg_##fn_(void)                      \
	{                                                                                \
		ht_register(&ht_desc_##fn_);                                             \
	}

/* Reporting from inside a test. Messages are one line, no trailing period. */
void ht_report(struct ht_ctx *t, enum ht_outcome o, const char *file, int line, const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));
/* Report and end the test now (the child exits). */
__attribute__((noreturn)) void ht_report_exit(struct ht_ctx *t, enum ht_outcome o, const char *file,
					      int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* End the test as SKIP because probe `probe_id` failed on this host. */
__attribute__((noreturn)) void ht_skip_probe(struct ht_ctx *t, const char *probe_id);

#define ht_pass(t, ...)	  ht_report(t, HT_PASS, __FILE__, __LINE__, __VA_ARGS__)
#define ht_fail(t, ...)	  ht_report(t, HT_FAIL, __FILE__, __LINE__, __VA_ARGS__)
#define ht_warn(t, ...)	  ht_report(t, HT_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define ht_broken(t, ...) ht_report_exit(t, HT_BROKEN, __FILE__, __LINE__, __VA_ARGS__)

/* The test's own name, its run id, and a per-test scratch directory. */
const char *ht_test_name(const struct ht_ctx *t);
const char *ht_run_id(const struct ht_ctx *t);
const char *ht_scratch_dir(struct ht_ctx *t);

/*
 * Journal a host resource *before* creating it, so that `isolab reap` can
 * undo it if this run dies. kind and fields are those of ht-journal.h.
 * Returns 0, or -errno (the test should then not create the resource).
 */
int ht_journal_add(struct ht_ctx *t, const char *kind, const char *a, const char *b, const char *c);

/* Assertion back ends: they print both values and file:line. */
bool ht_check_int(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr_got,
		  const char *op, const char *expr_want, long long got, long long want);
bool ht_check_str(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr_got,
		  const char *expr_want, const char *got, const char *want);
bool ht_check_true(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr);
bool ht_check_close(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr_got,
		    double got, double want, double pct);
bool ht_check_ok(struct ht_ctx *t, const char *file, int line, const char *expr, long long rc,
		 int err);

#define HT_EXPECT_OP_(t, fatal, got, op, want)                                         \
	ht_check_int(t, fatal, __FILE__, __LINE__, #got, #op, #want, (long long)(got), \
		     (long long)(want))
#define HT_EXPECT_EQ(t, got, want) HT_EXPECT_OP_(t, false, got, ==, want)
#define HT_EXPECT_NE(t, got, want) HT_EXPECT_OP_(t, false, got, !=, want)
#define HT_EXPECT_GT(t, got, want) HT_EXPECT_OP_(t, false, got, >, want)
#define HT_EXPECT_GE(t, got, want) HT_EXPECT_OP_(t, false, got, >=, want)
#define HT_EXPECT_LT(t, got, want) HT_EXPECT_OP_(t, false, got, <, want)
#define HT_ASSERT_EQ(t, got, want) HT_EXPECT_OP_(t, true, got, ==, want)
#define HT_ASSERT_NE(t, got, want) HT_EXPECT_OP_(t, true, got, !=, want)
#define HT_EXPECT_STREQ(t, got, want) \
	ht_check_str(t, false, __FILE__, __LINE__, #got, #want, got, want)
#define HT_ASSERT_STREQ(t, got, want) \
	ht_check_str(t, true, __FILE__, __LINE__, #got, #want, got, want)
#define HT_EXPECT(t, expr) ht_check_true(t, false, __FILE__, __LINE__, (expr) ? NULL : #expr)
#define HT_ASSERT(t, expr) ht_check_true(t, true, __FILE__, __LINE__, (expr) ? NULL : #expr)
/* got within pct percent of want; the tolerance is printed with the values. */
#define HT_EXPECT_CLOSE(t, got, want, pct) \
	ht_check_close(t, false, __FILE__, __LINE__, #got, (double)(got), (double)(want), pct)
/*
 * Setup step: a negative result (or -1 with errno) is BROKEN, not FAIL,
 * because the behaviour under test was never reached.
 */
#define HT_SETUP(t, expr)                                              \
	({                                                             \
		errno = 0;                                             \
		long long _r_ = (long long)(expr);                     \
		ht_check_ok(t, __FILE__, __LINE__, #expr, _r_, errno); \
		_r_;                                                   \
	})

#endif
