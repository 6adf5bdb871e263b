/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the host can observe, for suites that must not trust the runtime:
 * processes found by a nonce in their argv, namespace inodes, mount points.
 */
#ifndef HT_HOST_H
#define HT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The 8 namespace types, as named in /proc/PID/ns (namespaces(7)). */
extern const char *const ht_ns_types[8];

/*
 * Every pid whose argv contains the word `word` (exactly, as one argument),
 * excluding the caller. Returns the count; *ret (malloc'd) holds the pids.
 */
size_t ht_pids_with_arg(const char *word, pid_t **ret);

/* st_ino of /proc/PID/ns/TYPE (pid 0: self); 0 when unreadable. */
unsigned long long ht_ns_inode(pid_t pid, const char *type);

/* The innermost pid in /proc/PID/status "NSpid:" (its pid in its own ns); -1 on error. */
pid_t ht_ns_pid(pid_t pid);

/*
 * The mount points of /proc/PID/mountinfo (pid 0: self), one per line,
 * sorted, as one malloc'd string: for before/after comparisons.
 */
char *ht_mount_points(pid_t pid);

/* True when path is a mount point in /proc/PID/mountinfo (pid 0: self). */
bool ht_is_mount_point(pid_t pid, const char *path);
/* The same, as 1 or 0, or -errno when mountinfo cannot be read. */
int ht_mount_point_check(pid_t pid, const char *path);

#endif
