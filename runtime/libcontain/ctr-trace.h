/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The user side of the eBPF tracer (trace/trace.bpf.c): load and attach
 * it, choose the process trees it follows, and hand its events to a
 * callback. Prints nothing; the contain CLI (cmd-trace.c) does.
 */
#ifndef CTR_TRACE_H
#define CTR_TRACE_H

#include <stdint.h>
#include <sys/types.h>

#include "ctr-error.h"
#include "trace.h"

/*
 * How often the reader drains the ring buffer when the BPF side has not
 * woken it: events are sent in batches, so this bounds their latency.
 */
#define CTR_TRACE_DRAIN_MS 50

struct ctr_tracer;

/* Called for each event; a negative return stops ctr_tracer_consume with that value. */
typedef int (*ctr_trace_event_fn)(const struct ctr_trace_event *e, void *userdata);

/*
 * Load the BPF object with the syscalls in mask (bits 1 << enum
 * ctr_trace_syscall) and attach its tracepoints. Nothing is traced until
 * ctr_tracer_track() names a task.
 */
int ctr_tracer_new(uint64_t syscall_mask, ctr_trace_event_fn fn, void *userdata,
		   struct ctr_tracer **ret_tracer, struct ctr_error *err);

/* Follow tid and every task it forks from now on. */
int ctr_tracer_track(struct ctr_tracer *t, pid_t tid, struct ctr_error *err);

/*
 * Follow a running process: its threads and, through /proc/PID/task/TID/children,
 * the descendants it has now. A fork that races with this walk may be missed.
 */
int ctr_tracer_track_tree(struct ctr_tracer *t, pid_t pid, struct ctr_error *err);

/* An fd that poll(2) reports readable when events are waiting. */
int ctr_tracer_fd(const struct ctr_tracer *t);

/* Pass every waiting event to the callback. Returns the number passed, or an error. */
int ctr_tracer_consume(struct ctr_tracer *t, struct ctr_error *err);

/* Events the kernel side dropped because the ring buffer was full. */
int ctr_tracer_lost(const struct ctr_tracer *t, uint64_t *ret_lost, struct ctr_error *err);

/* Detach and free everything; NULL is a no-op. */
void ctr_tracer_free(struct ctr_tracer *t);

#endif
