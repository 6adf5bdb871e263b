/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one result model every reporter reads: a run holds host facts, the
 * probe verdicts it used, and one result per selected test.
 */
#ifndef HT_RESULT_H
#define HT_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "isolab.h"

/* One line a test reported (assertion failure, warning, skip reason...). */
struct ht_msg {
	enum ht_outcome outcome;
	char *text; /* "file.c:12: got 3 == want 4" */
};

struct ht_result {
	const struct ht_test *test;
	enum ht_outcome outcome;
	/* One line: the skip reason, the first failure, the signal... */
	char *reason;
	/* For SKIP: the probe that failed and its errno (0 when none). */
	char *skip_probe;
	int skip_errno;
	struct ht_msg *msgs;
	size_t n_msgs;
	unsigned n_pass, n_fail;
	double duration_s;
	/* What the test process wrote to stdout/stderr (tail, may be NULL). */
	char *output;
	/* "host", or "vm:debian-6.1" when the test ran inside a fresh VM. */
	char *where;
};

/* A fact about the host worth keeping with the results (kernel, cgroups). */
struct ht_fact {
	char *key;
	char *value;
};

/* One fresh VM that ran tests of this run (`isolab vm`, `isolab run --vm`). */
struct ht_run_vm {
	char *where;   /* "vm:debian-6.1", as in the results it ran */
	char *spec;    /* "debian:6.1" */
	char *release; /* the guest's uname -r */
	char *package, *version, *sha256;
	char *accel;	       /* "tcg" or "kvm" */
	char *boot;	       /* "pvh" (uncompressed vmlinux) or "bzimage" */
	char *classification;  /* "RESULTS", "KERNEL_PANIC", "SPLAT", ... */
	char *detail;	       /* one line; NULL when there is nothing to add */
	char *excerpt;	       /* console or kernel log lines for a panic or splat */
	char *probe_json;      /* the guest's `isolab probe --json`, or NULL */
	double boot_s;	       /* qemu started to the init's hello */
	double first_result_s; /* qemu started to the first test result; < 0: none */
	double wall_s;	       /* qemu started to its exit, over all attempts */
	unsigned attempts;
};

struct ht_run {
	char run_id[16];
	char *tool_version;
	char *hostname;
	char *kernel;  /* uname -r */
	char *started; /* ISO 8601 UTC */
	double duration_s;
	struct ht_fact *facts;
	size_t n_facts;
	struct ht_result *results;
	size_t n_results;
	/* Set when SIGINT/SIGTERM stopped the run before every test ran. */
	int interrupted_by;
	struct ht_run_vm *vms;
	size_t n_vms;
	/* Descriptors the run made itself (tests a guest reported, VM verdicts). */
	struct ht_test **own_tests;
	size_t n_own_tests;
};

const char *ht_outcome_name(enum ht_outcome o); /* "PASS", "FAIL", ... */
int ht_outcome_parse(const char *name, enum ht_outcome *ret);
const char *ht_area_name(enum ht_area a); /* "isolation", ... */
int ht_area_parse(const char *name, enum ht_area *ret);

/* Whether the outcome makes the run fail (FAIL, TIMEOUT, BROKEN). */
int ht_outcome_is_failure(enum ht_outcome o);

void ht_run_init(struct ht_run *run, const char *run_id);
void ht_run_add_fact(struct ht_run *run, const char *key, const char *value);
/* Append a result slot for test and return it (zeroed, outcome BROKEN). */
struct ht_result *ht_run_add_result(struct ht_run *run, const struct ht_test *test);
/* A zeroed VM record appended to run->vms. */
struct ht_run_vm *ht_run_add_vm(struct ht_run *run);
/* Keep t (malloc'd, with a malloc'd name) until ht_run_done(); returns it. */
const struct ht_test *ht_run_own_test(struct ht_run *run, struct ht_test *t);
/* Free what r owns (messages, reason, where, output...), not r itself. */
void ht_result_free_fields(struct ht_result *r);
/* Drop (and free) the results from index n on. */
void ht_run_truncate(struct ht_run *run, size_t n);
void ht_result_add_msg(struct ht_result *r, enum ht_outcome o, const char *text);
void ht_run_done(struct ht_run *run);

/* Counts per outcome, for summaries. */
void ht_run_count(const struct ht_run *run, size_t counts[HT_OUTCOME_MAX]);

#endif
