/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running commands from a test: the runtime under test, stock tools, the
 * in-container probe. Output is captured whole, the wait has a deadline
 * (pidfd + poll), and the exit status is mapped the shell's way (128+N
 * for a signal) so tests can compare it with what the runtime relays.
 */
#ifndef HT_PROC_H
#define HT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ht-wait.h"

struct ht_proc {
	pid_t pid;
	struct ht_wait w;
	int out_fd, err_fd; /* read ends while running */
	int exit_code;	    /* exit status, or 128+signal; -1 when it never ran */
	int signal;	    /* terminating signal, 0 when it exited */
	bool timed_out;	    /* killed by the deadline */
	char *out, *err;    /* NUL-terminated captures (never NULL after wait) */
	size_t out_len, err_len;
	char *argv0; /* for messages */
};

struct ht_proc_opts {
	int timeout_ms;		/* 0: 30 s */
	const char *stdin_data; /* NULL: /dev/null */
	char *const *env_add;	/* NULL-terminated "K=V" added to the environment */
	bool keep_fds;		/* pass fds 3+ through (for fd-leak tests); default: close them */
};

/* Start argv; output is captured until ht_proc_wait. Returns 0 or -errno. */
int ht_proc_start(struct ht_proc *p, const char *const *argv, const struct ht_proc_opts *o);

/*
 * Read stdout until a full line is available or the deadline passes; the
 * line (without '\n') is returned malloc'd in ret. For "ready" handshakes
 * with a background process (e.g. the probe's `pause`). Returns 0, -ETIMEDOUT,
 * or -EPIPE when the process closed stdout first.
 */
int ht_proc_read_line(struct ht_proc *p, int timeout_ms, char **ret);

/* Wait with the deadline, killing the process group at expiry. Returns 0 or -errno. */
int ht_proc_wait(struct ht_proc *p, int timeout_ms);

/* Start + wait. */
int ht_proc_run(struct ht_proc *p, const char *const *argv, const struct ht_proc_opts *o);

/* Kill (SIGKILL to the process group) and reap a started process; NULL-safe. */
void ht_proc_kill(struct ht_proc *p);
void ht_proc_free(struct ht_proc *p);

/*
 * The runtime under test as a word list ("contain", "contain oci", "runc"),
 * split like a shell would without running anything (wordexp(3), WRDE_NOCMD).
 * Set once by `isolab run --runtime`, else $ISOLAB_RUNTIME, else the
 * `contain` built beside isolab.
 */
int ht_set_runtime(const char *words);
const char *ht_runtime_words(void);
/*
 * The word list a suite of `area` (enum ht_area) drives: ht_runtime_words()
 * when a runtime was given; otherwise the built contain followed by the
 * area's verb group. Only the OCI area has one: its suite speaks runc's
 * command line (create, start, state...), which contain serves under
 * `contain oci`, while `--runtime runc` needs no extra word.
 */
const char *ht_runtime_words_for_area(int area);
/* The test rootfs (busybox + /probe): --rootfs, $ISOLAB_ROOTFS, or the built one. */
void ht_set_rootfs(const char *dir);
const char *ht_rootfs(void);
/* The in-container probe as seen on the host: $ISOLAB_PROBE or the built one. */
const char *ht_probe_host_path(void);

#endif
