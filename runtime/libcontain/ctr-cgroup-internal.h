/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the ctr-cgroup*.c files only (the library's own
 * interface is ctr-cgroup.h).
 */
#ifndef CTR_CGROUP_INTERNAL_H
#define CTR_CGROUP_INTERNAL_H

#include <stdint.h>

/* Read a whole file below dfd (NUL-terminated, malloc'd). Returns 0 or -errno. */
int ctr_cgroup_read_at(int dfd, const char *file, char **ret);

/* CLOCK_MONOTONIC in milliseconds, and what is left until a deadline on it (>= 0). */
uint64_t ctr_cgroup_now_ms(void);
int ctr_cgroup_remaining_ms(uint64_t deadline);

#endif
