// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mount plan executor. Targets inside the new root are opened with
 * ctr_rootfs_resolve() (no symlinks, no escape) and the mount goes onto the
 * opened descriptor through /proc/self/fd/N, so what is mounted on is
 * exactly what was checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ctr-mount.h"
#include "ctr-mutant.h"
#include "ctr-rootfs.h"
#include "ctr-util.h"

struct fd_path {
	char s[32];
};

static struct fd_path fd_path(int fd)
{
	struct fd_path p;

	snprintf(p.s, sizeof(p.s), "/proc/self/fd/%d", fd);
	return p;
}

static int mount_hint(struct ctr_error *err, int e, const char *fstype)
{
	if (e == ENOSPC)
		return ctr_error_hint(err, "a limit was hit (fs.mount-max, or the tmpfs size), "
					   "not a full disk");
	if (e == ENODEV)
		return ctr_error_hint(err, "this kernel does not support the filesystem type");
	if (e == EPERM && fstype && strcmp(fstype, "proc") == 0)
		return ctr_error_hint(err, "a new proc needs a PID namespace owned by the caller's "
					   "user namespace and an unobstructed /proc on the host");
	if (e == EPERM && fstype && strcmp(fstype, "sysfs") == 0)
		return ctr_error_hint(err, "a new sysfs needs a network namespace owned by the "
					   "caller's user namespace");
	return -e;
}

static unsigned long locked_flags(int fd)
{
	struct statvfs sv;
	unsigned long keep = 0;

	/*
	 * A remount must repeat the flags the kernel locked when the mount
	 * namespace was copied into a user namespace (mount_namespaces(7),
	 * "Restrictions on mount namespaces"), or it fails with EPERM.
	 */
	if (fstatvfs(fd, &sv) == 0)
		keep = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME |
				    ST_RELATIME);
	return keep;
}

/* Remount the mount whose root fd is read-only, through its descriptor. */
static int remount_readonly(int fd)
{
	return mount("none", fd_path(fd).s, "none",
		     MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(fd), NULL);
}

/* Undo the octal escapes of /proc/self/mountinfo ("\040" for a space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * Without mount_setattr(2) (before Linux 5.12, or under valgrind): remount
 * the top mount and every mount below it, one by one, in mountinfo order
 * (parents first). Each is reached from the top's descriptor, so no host
 * directory above it has to be searchable.
 */
static int remount_readonly_tree(int fd, bool recursive, const struct ctr_mount_op *op,
				 struct ctr_error *err)
{
	_cleanup_free_ char *line = NULL;
	FILE *f = NULL;
	char top[PATH_MAX];
	size_t cap = 0, toplen;
	ssize_t n;
	int r = 0;

	if (remount_readonly(fd) < 0)
		return ctr_error_errno(err, errno, "make %s read-only", op->target);
	if (!recursive)
		return 0;

	/* Where the top is, in the terms mountinfo uses. */
	n = readlink(fd_path(fd).s, top, sizeof(top) - 1);
	if (n < 0)
		return ctr_error_errno(err, errno, "make %s read-only: readlink", op->target);
	top[n] = '\0';
	toplen = (size_t)n;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return ctr_error_errno(err, errno, "make %s read-only: open mountinfo", op->target);
	while (getline(&line, &cap, f) > 0) {
		_cleanup_close_ int sub = -1;
		char *mnt = NULL;
		int i = 0;

		/* Field 5 is the mount point (proc(5), /proc/pid/mountinfo). */
		for (char *save = NULL, *tok = strtok_r(line, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			if (++i == 5) {
				mnt = tok;
				break;
			}
		if (!mnt)
			continue;
		unescape(mnt);
		if (strncmp(mnt, top, toplen) != 0 || mnt[toplen] != '/')
			continue;
		r = ctr_rootfs_resolve(fd, mnt + toplen, CTR_RESOLVE_EXISTING, 0, "remount it",
				       &sub, err);
		if (r < 0)
			break;
		if (remount_readonly(sub) < 0) {
			r = ctr_error_errno(err, errno, "make %s read-only: remount %s", op->target,
					    mnt);
			break;
		}
	}
	fclose(f);
	return r;
}

/* Make a bind mount read-only; recursive for MS_REC. */
static int bind_make_readonly(int fd, unsigned long flags, const struct ctr_mount_op *op,
			      struct ctr_error *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	unsigned int at = AT_EMPTY_PATH | ((flags & MS_REC) ? AT_RECURSIVE : 0);

	/*
	 * mount_setattr(2) changes the whole tree at once and leaves the
	 * locked flags alone; a remount changes one mount and must repeat
	 * them.
	 */
	if (mount_setattr(fd, "", at, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return ctr_error_errno(err, errno, "make %s read-only", op->target);
	return remount_readonly_tree(fd, flags & MS_REC, op, err);
}

static int do_bind(int rootfd, const struct ctr_mount_op *op, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int top = -1;
	struct stat st;
	int r;

	if (stat(op->source, &st) < 0)
		return ctr_error_errno(err, errno, "bind %s on %s: stat %s", op->source, op->target,
				       op->source);
	r = ctr_rootfs_resolve(rootfd, op->target,
			       S_ISDIR(st.st_mode) ? CTR_RESOLVE_MKDIR : CTR_RESOLVE_MKFILE,
			       S_ISDIR(st.st_mode) ? 0755 : 0644, "mount over it", &fd, err);
	if (r < 0)
		return r;
	if (mount(op->source, fd_path(fd).s, "none", MS_BIND | (op->flags & MS_REC), NULL) < 0) {
		int e = errno;

		ctr_error_errno(err, e, "bind %s on %s", op->source, op->target);
		return mount_hint(err, e, NULL);
	}
	if (!(op->flags & MS_RDONLY))
		return 0;
	/* fd is the directory under the new mount; the top is found by a new walk. */
	r = ctr_rootfs_resolve(rootfd, op->target, CTR_RESOLVE_EXISTING, 0, "mount over it", &top,
			       err);
	if (r < 0)
		return r;
	return bind_make_readonly(top, op->flags, op, err);
}

static int do_mount(int rootfd, const struct ctr_mount_op *op, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	r = ctr_rootfs_resolve(rootfd, op->target, CTR_RESOLVE_MKDIR, 0755, "mount over it", &fd,
			       err);
	if (r < 0)
		return r;
	if (mount(op->source, fd_path(fd).s, op->fstype, op->flags, op->data) < 0) {
		int e = errno;

		ctr_error_errno(err, e, "mount %s on %s", op->fstype, op->target);
		return mount_hint(err, e, op->fstype);
	}
	return 0;
}

static int do_mkdir(int rootfd, const struct ctr_mount_op *op, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	r = ctr_rootfs_resolve(rootfd, op->target, CTR_RESOLVE_MKDIR, op->mode,
			       "create files through it", &fd, err);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return ctr_error_errno(err, errno, "mkdir %s", op->target);
	if (!S_ISDIR(st.st_mode))
		return ctr_error_errno(err, ENOTDIR, "mkdir %s", op->target);
	return 0;
}

static int do_symlink(int rootfd, const struct ctr_mount_op *op, struct ctr_error *err)
{
	_cleanup_close_ int dirfd = -1;
	const char *name;
	int r;

	r = ctr_rootfs_resolve_parent(rootfd, op->target, "create files through it", &dirfd, &name,
				      err);
	if (r < 0)
		return r;
	if (symlinkat(op->source, dirfd, name) < 0)
		return ctr_error_errno(err, errno, "symlink %s -> %s", op->target, op->source);
	return 0;
}

static int apply_op(const struct ctr_mount_op *op, int *rootfd, struct ctr_error *err)
{
	bool needs_root = op->kind == CTR_MOUNT_OP_MOUNT || op->kind == CTR_MOUNT_OP_BIND ||
			  op->kind == CTR_MOUNT_OP_MKDIR || op->kind == CTR_MOUNT_OP_SYMLINK ||
			  op->kind == CTR_MOUNT_OP_PIVOT_ROOT;

	if (needs_root && *rootfd < 0) {
		char what[256];

		return ctr_error_set(err, EINVAL, "mount plan: \"%s\" comes before bind-root",
				     ctr_mount_op_format(op, what, sizeof(what)));
	}

	switch (op->kind) {
	case CTR_MOUNT_OP_MAKE_PRIVATE:
		if (mount("none", op->target, "none", op->flags, NULL) < 0)
			return ctr_error_errno(err, errno, "make %s private", op->target);
		return 0;
	case CTR_MOUNT_OP_BIND_ROOT:
		if (mount(op->source, op->target, "none", op->flags, NULL) < 0) {
			int e = errno;

			ctr_error_errno(err, e, "bind %s on itself", op->target);
			return mount_hint(err, e, NULL);
		}
		ctr_closep(rootfd);
		/* Opened after the bind: the new mount, not the directory below it. */
		*rootfd = open(op->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*rootfd < 0)
			return ctr_error_errno(err, errno, "open %s", op->target);
		return 0;
	case CTR_MOUNT_OP_MOUNT:
		return do_mount(*rootfd, op, err);
	case CTR_MOUNT_OP_BIND:
		return do_bind(*rootfd, op, err);
	case CTR_MOUNT_OP_MKDIR:
		return do_mkdir(*rootfd, op, err);
	case CTR_MOUNT_OP_SYMLINK:
		return do_symlink(*rootfd, op, err);
	case CTR_MOUNT_OP_PIVOT_ROOT:
		if (ctr_mutant("chroot-not-pivot-root")) {
			if (fchdir(*rootfd) < 0 || chroot(".") < 0)
				return ctr_error_errno(err, errno, "chroot");
			return 0;
		}
		return ctr_rootfs_pivot(*rootfd, err);
	case CTR_MOUNT_OP_UMOUNT:
		if (ctr_mutant("chroot-not-pivot-root"))
			return 0;
		if (umount2(op->target, (int)op->flags) < 0)
			return ctr_error_errno(err, errno, "detach the old root (umount2 %s)",
					       op->target);
		return 0;
	case CTR_MOUNT_OP_CHDIR:
		if (chdir(op->target) < 0)
			return ctr_error_errno(err, errno, "chdir %s", op->target);
		return 0;
	}
	return ctr_error_set(err, EINVAL, "mount plan: unknown operation %d", (int)op->kind);
}

static int apply_until(const struct ctr_mount_plan *plan, struct ctr_mount_state *st,
		       bool stop_after_root, struct ctr_error *err)
{
	mode_t old_umask;
	int r = 0;

	/* The plan's modes are meant literally, not filtered by the caller's umask. */
	old_umask = umask(0);
	while (st->next < plan->n) {
		const struct ctr_mount_op *op = &plan->ops[st->next++];

		r = apply_op(op, &st->rootfd, err);
		if (r < 0 || (stop_after_root && op->kind == CTR_MOUNT_OP_BIND_ROOT))
			break;
	}
	umask(old_umask);
	return r;
}

int ctr_mount_plan_apply_host(const struct ctr_mount_plan *plan, struct ctr_mount_state *st,
			      struct ctr_error *err)
{
	return apply_until(plan, st, true, err);
}

int ctr_mount_plan_apply_rest(const struct ctr_mount_plan *plan, struct ctr_mount_state *st,
			      struct ctr_error *err)
{
	return apply_until(plan, st, false, err);
}

void ctr_mount_state_done(struct ctr_mount_state *st)
{
	if (st)
		ctr_closep(&st->rootfd);
}

int ctr_mount_plan_apply(const struct ctr_mount_plan *plan, struct ctr_error *err)
{
	_cleanup_(ctr_mount_state_done) struct ctr_mount_state st = CTR_MOUNT_STATE_INIT;
	int r;

	r = ctr_mount_plan_apply_host(plan, &st, err);
	if (r < 0)
		return r;
	return ctr_mount_plan_apply_rest(plan, &st, err);
}
