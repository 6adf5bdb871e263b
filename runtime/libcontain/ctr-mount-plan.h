/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mount plan: the list of mount operations a container needs, built from
 * the configuration by a pure function (no system calls), then executed in
 * one place by ctr_mount_plan_apply() (ctr-mount.h). Keeping plan and action
 * apart, as bubblewrap does, lets the plan be unit-tested without root.
 *
 * Targets after CTR_MOUNT_OP_BIND_ROOT are paths inside the new root; the
 * executor resolves them under it without following symlinks.
 */
#ifndef CTR_MOUNT_PLAN_H
#define CTR_MOUNT_PLAN_H

#include <stddef.h>
#include <sys/types.h>

#include "ctr-config.h"
#include "ctr-error.h"
#include "ctr-util.h"

enum ctr_mount_op_kind {
	CTR_MOUNT_OP_MAKE_PRIVATE, /* target (a host path) and below stop propagating */
	CTR_MOUNT_OP_BIND_ROOT,	   /* bind source on itself; it becomes the new root */
	CTR_MOUNT_OP_MOUNT,	   /* a new fstype instance at target */
	CTR_MOUNT_OP_BIND,	   /* host path source at target; MS_RDONLY, MS_REC honoured */
	CTR_MOUNT_OP_MKDIR,	   /* directory target with mode */
	CTR_MOUNT_OP_SYMLINK,	   /* symlink target pointing to source */
	CTR_MOUNT_OP_PIVOT_ROOT,   /* pivot_root(2) into the new root */
	CTR_MOUNT_OP_UMOUNT,	   /* umount2(2) target with flags */
	CTR_MOUNT_OP_CHDIR,	   /* chdir(2) to target */
};

struct ctr_mount_op {
	enum ctr_mount_op_kind kind;
	const char *source;
	const char *target;
	const char *fstype;
	unsigned long flags; /* MS_* for mounts, MNT_* for umount */
	const char *data;
	mode_t mode;
};

struct ctr_mount_plan {
	size_t n;
	size_t cap;
	struct ctr_mount_op *ops;
	char *rootfs; /* owned copy of the canonical rootfs path, or NULL */
};

/*
 * Build the plan for cfg. rootfs is the canonical absolute rootfs path
 * (ctr_rootfs_check()) in container mode and is ignored otherwise. Without a
 * mount namespace the plan is empty; with one but no rootfs it only makes /
 * private. A rootfs that is not a canonical absolute path, or is /, is
 * refused.
 */
int ctr_mount_plan_build(const struct ctr_config *cfg, const char *rootfs,
			 struct ctr_mount_plan **ret, struct ctr_error *err);

void ctr_mount_plan_free(struct ctr_mount_plan *plan);
static inline void ctr_mount_plan_freep(struct ctr_mount_plan **p)
{
	ctr_mount_plan_free(*p);
}
#define _cleanup_mount_plan_ _cleanup_(ctr_mount_plan_freep)

/* "mount proc on /proc type proc (nosuid,nodev,noexec)"; returns buf. */
char *ctr_mount_op_format(const struct ctr_mount_op *op, char *buf, size_t n);

/* "nosuid,nodev" for MS_* flags; "" for none. Returns buf. */
char *ctr_mount_flags_format(unsigned long flags, char *buf, size_t n);

#endif
