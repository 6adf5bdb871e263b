// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Root filesystem checks, safe path resolution under the new root, and
 * pivot_root(2). See ctr-rootfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctr-rootfs.h"
#include "ctr-util.h"

int ctr_rootfs_check(const char *rootfs, char **ret_path, struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	path = realpath(rootfs, NULL);
	if (!path)
		return ctr_error_errno(err, errno, "rootfs %s", rootfs);
	if (stat(path, &st) < 0)
		return ctr_error_errno(err, errno, "rootfs %s", rootfs);
	if (!S_ISDIR(st.st_mode))
		return ctr_error_errno(err, ENOTDIR, "rootfs %s", rootfs);
	*ret_path = TAKE_PTR(path);
	return 0;
}

/*
 * The kernel does the whole walk in one call and refuses any symlink or
 * escape (openat2(2), RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS). Returns -errno
 * without filling err: the caller falls back to the walk, which names the
 * culprit or creates what is missing.
 */
static int resolve_fast(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int ctr_rootfs_resolve(int rootfd, const char *path, enum ctr_resolve_create create, mode_t mode,
		       const char *purpose, int *ret_fd, struct ctr_error *err)
{
	_cleanup_close_ int cur = -1;
	char walked[PATH_MAX];
	size_t wlen = 0;
	const char *p = path;
	int fd;

	fd = resolve_fast(rootfd, path);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}

	/*
	 * One component at a time, each opened with O_NOFOLLOW relative to
	 * the previous one, so nothing can redirect the walk.
	 */
	cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return ctr_error_errno(err, errno, "dup rootfs descriptor");
	walked[0] = '\0';
	while (*p) {
		const char *next;
		char comp[NAME_MAX + 1];
		size_t len;
		bool last;
		struct stat st;
		int nfd;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		next = strchrnul(p, '/');
		len = (size_t)(next - p);
		if (len > NAME_MAX)
			return ctr_error_errno(err, ENAMETOOLONG, "%s", path);
		memcpy(comp, p, len);
		comp[len] = '\0';
		p = next;
		while (*p == '/')
			p++;
		last = *p == '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0)
			return ctr_error_set(err, EXDEV, "%s: \"..\" is not allowed in the rootfs",
					     path);
		if (wlen + 1 + len >= sizeof(walked))
			return ctr_error_errno(err, ENAMETOOLONG, "%s", path);
		walked[wlen++] = '/';
		memcpy(walked + wlen, comp, len + 1);
		wlen += len;

		nfd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create != CTR_RESOLVE_EXISTING) {
			if (!last || create == CTR_RESOLVE_MKDIR) {
				if (mkdirat(cur, comp, last ? mode : 0755) < 0 && errno != EEXIST)
					return ctr_error_errno(err, errno, "mkdir %s", walked);
			} else {
				int f = openat(cur, comp,
					       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
						       O_CLOEXEC | O_NOCTTY,
					       mode);

				if (f < 0 && errno != EEXIST)
					return ctr_error_errno(err, errno, "create %s", walked);
				if (f >= 0)
					close(f);
			}
			nfd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0)
			return ctr_error_errno(err, errno, "open %s in the rootfs", walked);
		ctr_closep(&cur);
		cur = nfd;
		if (fstat(cur, &st) < 0)
			return ctr_error_errno(err, errno, "stat %s in the rootfs", walked);
		if (S_ISLNK(st.st_mode))
			return ctr_error_set(err, ELOOP, "%s is a symlink: refusing to %s", walked,
					     purpose);
		if (!last && !S_ISDIR(st.st_mode))
			return ctr_error_errno(err, ENOTDIR, "open %s in the rootfs", walked);
	}
	*ret_fd = TAKE_FD(cur);
	return 0;
}

int ctr_rootfs_resolve_parent(int rootfd, const char *path, const char *purpose, int *ret_fd,
			      const char **ret_name, struct ctr_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *name;
	size_t len;

	if (!slash || slash[1] == '\0')
		return ctr_error_set(err, EINVAL, "%s: not a path to a file", path);
	name = slash + 1;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ctr_error_set(err, EINVAL, "%s: not a path to a file", path);
	len = (size_t)(slash - path);
	if (len >= sizeof(dir))
		return ctr_error_errno(err, ENAMETOOLONG, "%s", path);
	memcpy(dir, path, len);
	dir[len] = '\0';
	if (len == 0)
		strcpy(dir, "/");
	*ret_name = name;
	return ctr_rootfs_resolve(rootfd, dir, CTR_RESOLVE_MKDIR, 0755, purpose, ret_fd, err);
}

int ctr_rootfs_pivot(int rootfd, struct ctr_error *err)
{
	if (fchdir(rootfd) < 0)
		return ctr_error_errno(err, errno, "chdir to the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		int e = errno;

		ctr_error_errno(err, e, "pivot_root");
		if (e == EINVAL)
			return ctr_error_hint(err,
					      "new root must be a mount point not on the same "
					      "mount as the current root, and the current root "
					      "must not be the initramfs rootfs (use "
					      "switch_root there)");
		if (e == EPERM)
			return ctr_error_hint(err, "pivot_root needs CAP_SYS_ADMIN in the user "
						   "namespace that owns the mount namespace");
		return -e;
	}
	return 0;
}
