/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A pollable "this child has exited" handle: a pidfd (pidfd_open(2)), or,
 * where pidfd_open is missing (Linux < 5.3, valgrind 3.19), a SIGCHLD
 * signalfd. The fallback needs SIGCHLD blocked before the child is forked,
 * or a child that exits at once could not be noticed: ht_wait_block_sigchld
 * does that, and children must restore the mask (sigprocmask(2)).
 */
#ifndef HT_WAIT_H
#define HT_WAIT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/wait.h>

struct ht_wait {
	pid_t pid;
	int fd; /* poll for POLLIN */
	bool is_pidfd;
};

/* Block SIGCHLD, saving the old mask in old (for the child to restore). */
void ht_wait_block_sigchld(sigset_t *old);

/* Open the handle for a child forked after ht_wait_block_sigchld. Returns 0 or -errno. */
int ht_wait_open(struct ht_wait *w, pid_t pid);

/*
 * Whether the child has exited, without blocking; when it has, it is reaped
 * and its status stored in ret. Call it after any wakeup of any handle: with
 * the signalfd fallback one SIGCHLD may stand for several children.
 * Returns 1 (reaped), 0 (still running) or -errno.
 */
int ht_wait_reap(struct ht_wait *w, siginfo_t *ret);

/* Block until the child exits and reap it. Returns 0 or -errno. */
int ht_wait_block(struct ht_wait *w, siginfo_t *ret);

/* SIGKILL the child (through the pidfd where there is one). */
void ht_wait_kill(struct ht_wait *w);

void ht_wait_close(struct ht_wait *w);

#endif
