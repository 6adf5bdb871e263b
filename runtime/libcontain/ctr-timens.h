/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Time namespaces with clock offsets (time_namespaces(7)).
 *
 * Offsets can be written only before the first process enters the
 * namespace, and clone3(CLONE_NEWTIME) puts the child in at once. So the
 * caller unshares a new time namespace for its *children* (unshare(2) with
 * CLONE_NEWTIME moves only time_for_children), writes the offsets through
 * /proc/self/timens_offsets, clones the child without CLONE_NEWTIME (it
 * enters through time_for_children), then restores its own
 * time_for_children. No extra process is needed, and the caller's own
 * clocks never change.
 */
#ifndef CTR_TIMENS_H
#define CTR_TIMENS_H

#include <stdbool.h>
#include <stdint.h>

#include "ctr-error.h"

struct ctr_timens_offsets {
	bool has_monotonic;
	bool has_boottime;
	int64_t monotonic; /* seconds */
	int64_t boottime;  /* seconds */
};

/*
 * Create the namespace and write the offsets. *ret_saved is a descriptor of
 * the caller's time namespace, for ctr_timens_restore(). The caller must be
 * single-threaded.
 */
int ctr_timens_prepare(const struct ctr_timens_offsets *off, int *ret_saved, struct ctr_error *err);

/* Put the caller's future children back in *saved and close it; -1 is a no-op. */
int ctr_timens_restore(int *saved, struct ctr_error *err);

/* Cleanup form of ctr_timens_restore(), for error paths. */
void ctr_timens_restorep(int *saved);

/* "monotonic 10 0\nboottime 20 0\n"; returns 0 or -ENOBUFS. */
int ctr_timens_format(const struct ctr_timens_offsets *off, char *buf, size_t n);

#endif
