/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Emptying a cgroup: kill every process of a group and its descendants,
 * then wait, with a deadline and no sleeps, until the kernel says the group
 * is empty. The runner empties a test's slot group this way at the end of
 * the test, the journal a group that a dead run left behind.
 *
 * Every function works on an open directory of the group (dfd), so a
 * rename or a path swapped under us cannot redirect the kill. Causes go to
 * *ret_cause as "verb object: cause"; ret_cause may be NULL.
 */
#ifndef HT_CGROUP_H
#define HT_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Every pid in cgroup.procs of the group and of its descendants. A group
 * removed meanwhile counts as empty. Returns 0 (*ret_pids malloc'd, NULL
 * when empty) or -errno.
 */
int ht_cgroup_collect_pids(int dfd, pid_t **ret_pids, size_t *ret_n);

/* The "populated" key of cgroup.events (cgroup v2 only): 1, 0, or -errno. */
int ht_cgroup_populated(int dfd);

/*
 * SIGKILL every process of the subtree: one write to cgroup.kill where the
 * kernel has it, else each pid of cgroup.procs, round after round until
 * none is left or deadline_ns (ht_now_ns() time) passes. Returns 0 or
 * -errno (-ETIMEDOUT, -EPERM, ...).
 */
int ht_cgroup_kill(int dfd, uint64_t deadline_ns, char **ret_cause);

/*
 * Wait until cgroup.events says "populated 0" (cgroup v2: no process left
 * in the group or its descendants) or deadline_ns passes. Returns 0 or
 * -errno (-ETIMEDOUT).
 */
int ht_cgroup_wait_unpopulated(int dfd, uint64_t deadline_ns, char **ret_cause);

#endif
