/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Namespace types: the names the command line uses ("pid", "mount", ...),
 * their CLONE_NEW* flags (clone(2), namespaces(7)) and their /proc/PID/ns
 * entry names.
 */
#ifndef CTR_NAMESPACE_H
#define CTR_NAMESPACE_H

#include <sched.h>
#include <stddef.h>

#include "ctr-error.h"

/* CLONE_NEWTIME shares its bit with CSIGNAL: clone(2) cannot take it. */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Every namespace flag the runtime knows. */
#define CTR_NS_ALL                                                                  \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME | CLONE_NEWNET)

/* What `ns container` and `run` create; --user and --net add to it. */
#define CTR_NS_CONTAINER \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

/* "pid" -> CLONE_NEWPID; "mnt" is accepted for "mount". 0 when unknown. */
unsigned long ctr_namespace_from_name(const char *name);

/* CLONE_NEWPID -> "pid"; NULL for anything that is not exactly one flag. */
const char *ctr_namespace_name(unsigned long flag);

/* CLONE_NEWNS -> "mnt": the entry in /proc/PID/ns/. */
const char *ctr_namespace_proc_name(unsigned long flag);

/*
 * Parse a comma list such as "pid,uts" into CLONE_NEW* flags. An unknown
 * name, an empty element or a name listed twice is a usage error.
 */
int ctr_namespace_parse_list(const char *list, unsigned long *ret_flags, struct ctr_error *err);

/* "pid,mount,uts" in table order, truncated to fit; returns buf. */
char *ctr_namespace_format(unsigned long flags, char *buf, size_t n);

#endif
