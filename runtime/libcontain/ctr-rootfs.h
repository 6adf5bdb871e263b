/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The root filesystem: checking the --rootfs directory, resolving paths
 * inside it without ever following a symlink (so a hostile rootfs cannot
 * redirect a mount onto the host), and pivot_root(2) into it.
 */
#ifndef CTR_ROOTFS_H
#define CTR_ROOTFS_H

#include <sys/types.h>

#include "ctr-error.h"

/*
 * Canonicalise rootfs (realpath(3)) and check that it is a directory. Runs
 * in the parent before anything is created, so a bad rootfs leaves nothing
 * behind. *ret_path is malloc'ed.
 */
int ctr_rootfs_check(const char *rootfs, char **ret_path, struct ctr_error *err);

enum ctr_resolve_create {
	CTR_RESOLVE_EXISTING, /* every component must exist */
	CTR_RESOLVE_MKDIR,    /* create missing directories, the last one with mode */
	CTR_RESOLVE_MKFILE,   /* create missing directories and an empty last file */
};

/*
 * Open path (absolute, taken as relative to rootfd) as an O_PATH descriptor,
 * following mounts but no symlink and no "..". A symlink anywhere on the way
 * is an error naming it: "/proc is a symlink: refusing to <purpose>".
 */
int ctr_rootfs_resolve(int rootfd, const char *path, enum ctr_resolve_create create, mode_t mode,
		       const char *purpose, int *ret_fd, struct ctr_error *err);

/*
 * Open the directory that holds path (created if missing) and point
 * *ret_name at path's last component, for the *at() calls that create it.
 */
int ctr_rootfs_resolve_parent(int rootfd, const char *path, const char *purpose, int *ret_fd,
			      const char **ret_name, struct ctr_error *err);

/*
 * Make rootfd the root with pivot_root(".", "."): afterwards the old root
 * is stacked on "." and still has to be detached (umount2(".", MNT_DETACH)).
 */
int ctr_rootfs_pivot(int rootfd, struct ctr_error *err);

#endif
