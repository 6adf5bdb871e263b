/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the OCI lifecycle suite (lesson 9): a bundle per test and the
 * runtime under test driven through runc's command line, whatever the
 * runtime is ("contain oci", runc, crun through fixtures/crun-hybrid.sh).
 *
 *	RUNTIME --root STATE create --bundle BUNDLE --pid-file PIDFILE ID
 *	RUNTIME --root STATE start|state|kill|delete ID ...
 *
 * The bundle's config.json is written by the test from a template it owns
 * (not by `oci spec`), so the suite does not depend on the runtime under
 * test to describe itself. The process runs the probe with the test's
 * nonce in its argv, so the host finds it (iso_host_pid_of's rule) and its
 * output cannot be canned.
 *
 * Layout, shared with the victim oracle of oci.h: SCRATCH/out/bundle is the
 * bundle, SCRATCH/out/victim the victim, and the runtime's own state (the
 * --root dir, the pid file, hook outputs) lives under SCRATCH/in, which the
 * oracle ignores. The container's cgroup is named after the nonce and
 * journaled in every hierarchy before create, so a crashed run leaves no
 * cgroup and no process behind.
 *
 * Profiles ($ISOLAB_OCI_PROFILE): "strict" (the default) grades against
 * runtime-spec; "runc-compat" accepts the documented deviations of runc and
 * crun, each named with the spec section it departs from.
 */
#ifndef OCI_RT_H
#define OCI_RT_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ht-runtime.h"
#include "isolab.h"
#include "oci.h"

#define OCI_RT_AREA .area = HT_AREA_OCI, .lesson = 9

struct oci_rt {
	struct oci_case c; /* the bundle, the victim and the oracle's snapshot */
	char *state;	   /* --root */
	char *pidfile;
	char *id;
	char *cgroup; /* linux.cgroupsPath, or NULL when the test removed it */
	json_t *cfg;
	int ready_fd; /* rootfs/ready, a fifo the container's shell writes to */
};

/*
 * A fresh bundle: a copy of the test rootfs and a config that runs
 * `/probe NONCE pause` with pid, mount, ipc, uts and network namespaces.
 */
void oci_rt_init(struct ht_ctx *t, struct oci_rt *rt);
/* Kill and delete the container (best effort, silent), free everything. */
void oci_rt_destroy(struct ht_ctx *t, struct oci_rt *rt);

json_t *oci_rt_process(struct oci_rt *rt);
json_t *oci_rt_linux(struct oci_rt *rt);
/* process.args = /probe NONCE args... */
void oci_rt_probe_args(struct ht_ctx *t, struct oci_rt *rt, const char *const *args);
/* process.args = /bin/sh -c SCRIPT NONCE ($0 is the nonce, so the host finds it). */
void oci_rt_sh(struct ht_ctx *t, struct oci_rt *rt, const char *script);
/* Write config.json now (create and run do it too). */
void oci_rt_write(struct ht_ctx *t, struct oci_rt *rt);

/* RUNTIME --root STATE args..., waited for. */
void oci_rt_cmd(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p, const char *const *args);
/* create (writes the config and journals the cgroup first); exit code. */
int oci_rt_create(struct ht_ctx *t, struct oci_rt *rt);
/* VERB ID [extra...]: start, kill, delete; exit code, p filled when non-NULL. */
int oci_rt_verb(struct ht_ctx *t, struct oci_rt *rt, const char *verb, const char *extra,
		struct ht_proc *p);
/* `state ID` parsed, or NULL (and *ret_exit set) when it failed or is not JSON. */
json_t *oci_rt_state(struct ht_ctx *t, struct oci_rt *rt, int *ret_exit);
/* The pid in the pid file, or -1. */
pid_t oci_rt_pidfile(struct oci_rt *rt);

/*
 * `run --bundle B ID` in the background; with want_ready, wait for the
 * probe's ready line (its JSON, or NULL after a FAIL/BROKEN report).
 */
json_t *oci_rt_run_bg(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p, bool want_ready);
/* `run` in the foreground: the exit code. */
int oci_rt_run(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p);

/* Wait until pid has exited (pidfd), up to ms; true when it did. */
bool oci_rt_wait_gone(struct ht_ctx *t, pid_t pid, int ms);
/*
 * Wait up to ms for a line on the rootfs's /ready fifo (the container's
 * shell: `echo x > /ready`); the line, malloc'd, or NULL at the deadline.
 */
char *oci_rt_wait_ready(struct ht_ctx *t, struct oci_rt *rt, int ms);

/* The "runc-compat" profile is selected. */
bool oci_rt_compat(void);
/*
 * A documented runtime deviation: PASS with the note under runc-compat,
 * FAIL under strict. The message names the spec section.
 */
#define oci_rt_deviation(t, ...) \
	ht_report(t, oci_rt_compat() ? HT_PASS : HT_FAIL, __FILE__, __LINE__, __VA_ARGS__)
/*
 * Zero against non-zero is graded; the exact code is a SHOULD (WARN).
 */
void oci_rt_expect_code(struct ht_ctx *t, const struct ht_proc *p, int want, const char *what);

/* A line of /proc/PID/status ("NoNewPrivs", "CapEff"): its value, malloc'd. */
char *oci_rt_status_field(pid_t pid, const char *key);
/* Every cgroup directory named by rt->cgroup that exists, newline-separated. */
char *oci_rt_cgroup_dirs(struct oci_rt *rt);

#endif
