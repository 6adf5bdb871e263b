/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting the command's process: clone3(2) into new namespaces (clone(2)
 * when clone3 is missing), a SOCK_SEQPACKET sync socket between parent and
 * child, the child's errors relayed to the parent, signal forwarding, and
 * the mapping of a wait status to an exit code.
 *
 * The protocol on the sync socket (both ends SOCK_CLOEXEC):
 *   1. the child waits for one byte from the parent; the parent first does
 *      its own setup (uid/gid maps);
 *   2. the child runs its setup function, which ends in ctr_spawn_exec();
 *   3. a failure in the child is sent as one struct ctr_error message, then
 *      the child _exit()s; a successful execve(2) closes the child's end, so
 *      the parent reads end-of-file.
 * The child never returns into the caller: it is a separate process, and it
 * ends either in execve(2) or in _exit(2) after reporting.
 */
#ifndef CTR_SPAWN_H
#define CTR_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ctr-error.h"

struct ctr_spawn {
	pid_t pid;	   /* the child; -1 once reaped */
	int sock;	   /* our end of the sync socket (the child's end, in the child) */
	int sigfd;	   /* signalfd(2) for SIGCHLD and the forwarded signals */
	bool mask_saved;   /* old_mask holds the caller's mask */
	bool chld_ignored; /* the caller had SIGCHLD ignored; restored by _destroy */
	sigset_t old_mask; /* restored in the child before execve and here by _destroy */
};

#define CTR_SPAWN_INIT                             \
	{                                          \
		.pid = -1, .sock = -1, .sigfd = -1 \
	}

/*
 * The child's setup, run after the parent's go. It ends in ctr_spawn_exec()
 * and returns only on failure, with err filled. sp is the child's copy.
 */
typedef int (*ctr_spawn_child_fn)(struct ctr_spawn *sp, void *userdata, struct ctr_error *err);

/*
 * Block SIGCHLD and the forwarded signals, then clone the child into the
 * namespaces in clone_flags (CLONE_NEW* except CLONE_NEWTIME: see
 * ctr-timens.h). The child waits for ctr_spawn_release().
 */
int ctr_spawn_start(struct ctr_spawn *sp, unsigned long clone_flags, ctr_spawn_child_fn fn,
		    void *userdata, struct ctr_error *err);

/*
 * Let the child run its setup, and wait until it has exec'd the command
 * (0) or has reported an error (negative, err is the child's error; the
 * child is reaped).
 */
int ctr_spawn_release(struct ctr_spawn *sp, struct ctr_error *err);

/*
 * Forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to the child
 * until it ends, then reap it. *ret_status is ctr_exit_status() of it.
 * Signals the kernel sent (si_code SI_KERNEL: a terminal's ^C, ^\, hangup)
 * are not forwarded: they went to the whole foreground process group, child
 * included.
 */
int ctr_spawn_wait(struct ctr_spawn *sp, int *ret_status, struct ctr_error *err);

/* Kill and reap a child still there, close the socket, restore the mask. NULL-safe. */
void ctr_spawn_destroy(struct ctr_spawn *sp);

/*
 * In the child: restore the caller's signal mask and execvp(3) argv.
 * Returns only on failure, with err->kind CTR_ERROR_EXEC.
 */
int ctr_spawn_exec(struct ctr_spawn *sp, char **argv, struct ctr_error *err);

/* A wait(2) status as an exit code: exited N -> N, killed by N -> 128 + N; else -1. */
int ctr_exit_status(int wstatus);

#endif
