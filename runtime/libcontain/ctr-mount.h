/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Executing a mount plan (ctr-mount-plan.h) in the child, inside its new
 * mount namespace. This is the only place in libcontain that mounts.
 */
#ifndef CTR_MOUNT_H
#define CTR_MOUNT_H

#include "ctr-error.h"
#include "ctr-mount-plan.h"

/* Executor state carried from one half of a plan to the other. */
struct ctr_mount_state {
	size_t next; /* index of the next operation */
	int rootfd;  /* the new root, once bind-root has run */
};

#define CTR_MOUNT_STATE_INIT            \
	{                               \
		.next = 0, .rootfd = -1 \
	}

/*
 * Run the operations that walk host paths: everything up to and including
 * bind-root (the whole plan when it has none). In a user namespace they run
 * before the child switches to the namespace's root, while its file system
 * uid is still the host's 0: a rootfs below a 0700 directory stays reachable.
 */
int ctr_mount_plan_apply_host(const struct ctr_mount_plan *plan, struct ctr_mount_state *st,
			      struct ctr_error *err);

/*
 * Run the remaining operations, inside the new root. In a user namespace
 * they run as the namespace's root: files created on a tmpfs mounted there
 * need an owner that is mapped in it.
 */
int ctr_mount_plan_apply_rest(const struct ctr_mount_plan *plan, struct ctr_mount_state *st,
			      struct ctr_error *err);

/* Close the state's descriptors. NULL-safe. */
void ctr_mount_state_done(struct ctr_mount_state *st);

/*
 * Both halves in a row. Stops at the first failure. Must run in a mount
 * namespace of its own: the plan starts by making / private so that nothing
 * propagates back to the host.
 */
int ctr_mount_plan_apply(const struct ctr_mount_plan *plan, struct ctr_error *err);

#endif
