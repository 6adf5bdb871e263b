/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the limits suite: where a test's cgroups live, and how the test
 * reads them from the host.
 *
 * Each test makes a delegated parent, PARENT, beside its own slot under the
 * run's group. The run's group holds no process, so it may enable
 * controllers for its children (cgroup-v2.rst, "No Internal Process
 * Constraint"). The test hands PARENT to the runtime as --cgroup-parent, so
 * whatever the runtime makes lands under PARENT. The test then reads that
 * group's interface files while it lives, reads PARENT's hierarchical
 * counters (memory.events, cpu.stat usage_usec, *.pressure totals) once it
 * is gone, and finally checks that nothing is left under PARENT. It never
 * takes the runtime's word for any of this.
 */
#ifndef LIM_H
#define LIM_H

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "ht-host.h"
#include "ht-proc.h"
#include "ht-runtime.h"
#include "ht-util.h"
#include "isolab.h"

/* The probe inside the test rootfs. */
#define LIM_PROBE "/probe"

/* What `run` needs besides the controllers: its namespaces and pivot_root. */
#define LIM_RUN_NEEDS "ns.pid", "ns.mnt", "ns.cgroup", "pivot_root"

/* The cgroup2 mount point (BROKEN when there is none). */
char *lim_cg_root(struct ht_ctx *t);

/* The run's group: the parent of the slot this test runs in. */
char *lim_run_group(struct ht_ctx *t);

/* Interface files of a group (an absolute directory). Return 0 or -errno. */
int lim_write(const char *group, const char *file, const char *value);
int lim_read(const char *group, const char *file, char **ret);
bool lim_has(const char *group, const char *file);

/* A one-value file (pids.current, memory.peak): its number, LLONG_MAX for "max", -1 if unreadable.
 */
long long lim_value(const char *group, const char *file);

/* KEY of a flat-keyed file ("KEY VALUE" lines: memory.events, cpu.stat), or -1. */
long long lim_key(const char *group, const char *file, const char *key);

/*
 * SUB of the line KEY of a nested-keyed file ("KEY SUB=VALUE ..." lines:
 * io.stat, *.pressure), or -1 when the file, the line or SUB is missing.
 */
double lim_nested_key(const char *group, const char *file, const char *key, const char *sub);

/*
 * Journal, then create, PARENT/NAME, after enabling each of ctrls in
 * PARENT's cgroup.subtree_control (one per write, so a refusal names it).
 * BROKEN on failure. Returns the absolute path.
 */
char *lim_make_group(struct ht_ctx *t, const char *parent, const char *name,
		     const char *const *ctrls);

/* This test's PARENT (TEST-p under the run's group), delegating ctrls to its children. */
char *lim_parent(struct ht_ctx *t, const char *const *ctrls);

/*
 * The child groups of group, as a malloc'd space-separated list of names
 * ("" when there is none): what a run left behind under PARENT.
 */
char *lim_children(const char *group);

/*
 * Wait until a child group of parent other than `known` (an absolute path,
 * or NULL) holds a process (cgroup.events says "populated 1"), woken by
 * inotify and cgroup.events notifications, and return its absolute path. r
 * is the runtime that should make it: if it exits first, or the test's
 * deadline passes, the test FAILs and NULL is returned.
 */
char *lim_wait_group(struct ht_ctx *t, const char *parent, struct ht_proc *r, const char *known);

/*
 * Wait until KEY of the flat-keyed file reaches at least min, woken by the
 * file's notifications (kernfs signals a change of *.events with POLLPRI).
 * Returns the value, or -1 after a FAIL when the test's deadline passed.
 */
long long lim_wait_key(struct ht_ctx *t, const char *group, const char *file, const char *key,
		       long long min);

/*
 * A measurement window: wait ms milliseconds (not synchronisation: the
 * length of the interval is what is measured) or until r exits. Returns
 * true when r is still running at the end.
 */
bool lim_window(struct ht_proc *r, int ms);

/* The one line the probe prints next, parsed (FAIL and NULL when none comes). */
json_t *lim_next_probe_line(struct ht_ctx *t, struct ht_proc *r);

/*
 * The host pid of the container's init: the process with this test's
 * nonce as an argument that is in another PID namespace; -1 when none is.
 */
pid_t lim_container_init(struct ht_ctx *t);

/* The path /proc/PID/cgroup names for pid ("/isolab-x/p/contain-9"), or NULL. */
char *lim_cgroup_of(pid_t pid);

/*
 * The end of every test: nothing is left under PARENT (a FAIL naming what
 * is), and PARENT is removed. What a failed test leaves is the journal's.
 */
void lim_parent_done(struct ht_ctx *t, const char *parent);

#endif
