/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shell-out detection: which well-known container tools a runtime executed
 * itself instead of doing the work natively (grading marks such a lesson
 * "native: no"). The input is what `contain trace --json` recorded for one
 * runtime invocation; nothing the runtime says about itself is used.
 *
 * An execve/execveat is a shell-out when all of these hold:
 *
 *  1. It is not the runtime being started: the first exec of the traced
 *     root process is the runtime itself (a script's interpreter runs
 *     inside that same execve(2), see execve(2) "Interpreter scripts").
 *  2. It is not the command the container was asked to run: an exec whose
 *     filename is cmd[0] (or, for a bare name looked up in $PATH, has its
 *     basename) by a process that is already in namespaces of its own.
 *     The same filename run by a process still in the host's namespaces is
 *     not excused: `ns net -- ip` must not hide a runtime that ran `ip`.
 *  3. It happens outside the container's root: the process has not (itself
 *     or through an ancestor) made a successful pivot_root(2) or chroot(2).
 *     Before that, every path resolves against the host's root, so the
 *     program is the host's, whatever the process's namespaces are. After
 *     it, paths resolve inside the rootfs and the program is the
 *     container's own (its /bin/sh may well be busybox).
 *  4. The program is one of the tools below, by the basename of the
 *     filename or of its resolved host path, or it is a busybox binary
 *     (found by its "BusyBox v" banner, so a copy or a hard link under
 *     another name is caught too); busybox is reported as
 *     "busybox:APPLET" with the applet taken from the filename.
 *
 * Process state is followed per process (tgid) in time order: a child
 * starts with its parent's state, and a clone/clone3 with CLONE_NEW* flags
 * puts it in new namespaces. Children made by syscalls the tracer does not
 * follow (fork(2), vfork(2)) are linked to their parent through the
 * event's ppid; a pid that differs from its ns_pid is in a pid namespace
 * of its own whatever else was seen.
 *
 * Limits: paths are resolved on the host after the run, so a tool deleted
 * meanwhile is known by its name only; a relative filename is resolved
 * against the analysing process's cwd, not the runtime's. A runtime that
 * wanted to hide could chroot("/") first: the detector is meant to notice
 * honest delegation, the behaviour suites check what the runtime did.
 */
#ifndef HT_SHELLOUT_H
#define HT_SHELLOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The tools whose execution outside the container counts as a shell-out. */
extern const char *const ht_shellout_tools[];

struct ht_shellout_hit {
	char *tool;	/* "unshare", "busybox:sh" */
	char *filename; /* as the tracer reported it */
	pid_t pid;	/* host tgid of the process that executed it */
	long long ret;	/* the exec's return value (-1: it failed) */
};

struct ht_shellout {
	struct ht_shellout_hit *hits;
	size_t n;
};

/*
 * Split the tracer's stdout: the events (type "syscall" or "exit", in line
 * order) into a new array, the summary object into ret_summary (NULL when
 * there is none: the tracer did not finish). The traced command writes to
 * the same stdout, so every other line is only counted, in ret_other (may
 * be NULL); compare the summary's "events" with the array to know that no
 * event line was broken by the command's output.
 */
void ht_trace_parse(const char *text, size_t len, json_t **ret_events, json_t **ret_summary,
		    size_t *ret_other);

/*
 * Scan a runtime invocation's events for shell-outs (rules above). cmd is
 * the command the runtime was asked to run in the container (NULL-
 * terminated; NULL or empty when there is none). Failed execs are reported
 * too (ret -1): the runtime tried. Returns 0 and fills ret.
 */
int ht_shellout_scan(json_t *events, const char *const *cmd, struct ht_shellout *ret);

/* The distinct tools found, sorted, comma-separated ("" for none); malloc'd. */
char *ht_shellout_list(const struct ht_shellout *s);

void ht_shellout_free(struct ht_shellout *s);

/*
 * For the grader: run argv (a runtime invocation) under the tracer
 * (`tracer trace --json -- argv…`) with a deadline, and scan it. cmd is the
 * container command inside argv, as for ht_shellout_scan. ret_exit gets the
 * traced command's exit status (128+N for a signal). Returns 0, or -errno
 * with a message in ret_cause: the tracer failed, lost events, or some
 * event lines were unreadable (a scan of an incomplete trace cannot clear
 * a runtime).
 */
int ht_shellout_trace(const char *tracer, const char *const *argv, const char *const *cmd,
		      int timeout_ms, struct ht_shellout *ret, int *ret_exit, char **ret_cause);

#endif
