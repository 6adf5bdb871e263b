/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * contain trace's output: the names of the traced syscalls, the flag
 * decoders (CLONE_*, MS_*, MNT_*), and one event as a human line or as a
 * JSON object (runtime/CONTRACT.md, "trace"). Pure functions: they need
 * neither root nor BPF, so the unit tests call them directly.
 */
#ifndef CTR_TRACE_FORMAT_H
#define CTR_TRACE_FORMAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr-error.h"
#include "trace.h"

/* "clone3" for TRACE_SYS_CLONE3; NULL when out of range. */
const char *ctr_trace_syscall_name(unsigned int sc);

/*
 * Parse a comma list of syscall names ("clone3,mount") into a mask of
 * (1 << enum ctr_trace_syscall) bits. Unknown or empty names are usage errors.
 */
int ctr_trace_syscall_parse_list(const char *list, uint64_t *ret_mask, struct ctr_error *err);

/*
 * Flag decoders: "A|B|0x40" (unknown bits in hex at the end), "0" for none.
 * clone: the low byte of clone(2)'s flags is the exit signal, appended as
 * its name ("SIGCHLD"); pass exit_signal >= 0 to append one for clone3.
 * They return what snprintf would have (the length without truncation).
 */
int ctr_trace_clone_flags(uint64_t flags, int exit_signal, char *buf, size_t size);
int ctr_trace_mount_flags(uint64_t flags, char *buf, size_t size);
int ctr_trace_umount_flags(uint64_t flags, char *buf, size_t size);

/*
 * One event as a line without the newline: "[PID/NSPID COMM] SYSCALL(ARGS) = RET".
 * Returns what snprintf would have.
 */
int ctr_trace_format_human(const struct ctr_trace_event *e, char *buf, size_t size);

/* One event as a JSON object (new reference), NULL when out of memory. */
json_t *ctr_trace_event_json(const struct ctr_trace_event *e);

#endif
