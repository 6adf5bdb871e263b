// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The undo step of each journal entry kind (the kinds are listed in
 * ht-journal.h; ht-journal.c parses the entries and runs the steps, newest
 * first): kill a cgroup or a process group, detach a mount or a network
 * namespace, delete a link or an nft table or restore a sysctl inside the
 * namespace that holds it, remove a directory, a file or a scratch tree.
 *
 * Every undo step first checks whether its resource still exists and counts
 * "already gone" as done, so undoing twice is harmless and a run that
 * cleaned up after itself leaves nothing to do.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include <linux/magic.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif

#include "ht-cgroup.h"
#include "ht-host.h"
#include "ht-journal-undo.h"
#include "ht-journal.h"
#include "ht-util.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* How long the processes of a killed cgroup or process group may take to die. */
#define KILL_DEADLINE_NS   (10ull * 1000000000ull)
#define TREE_MAX_DEPTH	   128
#define MAX_STACKED_MOUNTS 64

/* ---- mounts ------------------------------------------------------------ */

/*
 * Is dfd/name the root of a mount? STATX_ATTR_MOUNT_ROOT (statx(2), 5.8)
 * also sees bind mounts within one filesystem, which share st_dev with their
 * parent; older kernels fall back to the st_dev comparison.
 */
static int is_mount_root_at(int dfd, const char *name)
{
	struct statx stx, parent;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	if (statx(dfd, "", AT_EMPTY_PATH, STATX_TYPE, &parent) < 0)
		return -errno;
	return stx.stx_dev_major != parent.stx_dev_major ||
	       stx.stx_dev_minor != parent.stx_dev_minor;
}

/* Detach every mount stacked on dfd/name (umount2(2) MNT_DETACH). */
static int detach_mounts_at(int dfd, const char *name, const char *what, char **ret_cause)
{
	for (int i = 0; i < MAX_STACKED_MOUNTS; i++) {
		char p[64 + NAME_MAX];
		int r = is_mount_root_at(dfd, name);

		if (r < 0)
			return ht_set_cause(ret_cause, r, "stat %s: %s", what, ht_errno_name(r));
		if (r == 0)
			return 0;
		/* The fd path pins the directory we checked, whatever renames happen. */
		snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dfd, name);
		if (umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
			int err = errno;

			/* Someone else detached it meanwhile: fine. */
			if (is_mount_root_at(dfd, name) == 0)
				return 0;
			return ht_set_cause(ret_cause, -err, "umount %s: %s", what,
					    ht_errno_name(err));
		}
	}
	return ht_set_cause(ret_cause, -ELOOP, "umount %s: more than %d stacked mounts", what,
			    MAX_STACKED_MOUNTS);
}

/* ---- cgroup ---------------------------------------------------------- */

/* rmdir every descendant group, deepest first; control files need no unlink. */
static int rmdir_children(int dfd, const char *what, unsigned depth, char **ret_cause)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > TREE_MAX_DEPTH)
		return ht_set_cause(ret_cause, -ELOOP, "%s: nested too deep", what);
	d = ht_opendir_at(dfd);
	if (!d)
		return ht_set_cause(ret_cause, -errno, "opendir %s: %s", what,
				    ht_errno_name(errno));
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *sub_what = NULL;
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub_what = ht_xasprintf("%s/%s", what, de->d_name);
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				r = ht_set_cause(ret_cause, -errno, "open %s: %s", sub_what,
						 ht_errno_name(errno));
			continue;
		}
		r = rmdir_children(sub, sub_what, depth + 1, ret_cause);
		close(sub);
		if (r == 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			r = ht_set_cause(ret_cause, -errno, "rmdir %s: %s", sub_what,
					 ht_errno_name(errno));
	}
	closedir(d);
	return r;
}

int ht_undo_cgroup(const struct entry *e, char **ret_cause)
{
	const char *path = e->field[0];
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ pid_t *pids = NULL;
	uint64_t deadline = ht_now_ns() + KILL_DEADLINE_NS;
	size_t n = 0;
	struct statfs sfs;
	bool v2;
	int r;

	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return 0;
	if (dfd < 0)
		return ht_set_cause(ret_cause, -errno, "open: %s", ht_errno_name(errno));
	if (fstatfs(dfd, &sfs) < 0)
		return ht_set_cause(ret_cause, -errno, "statfs: %s", ht_errno_name(errno));
	if (sfs.f_type != CGROUP2_SUPER_MAGIC && sfs.f_type != CGROUP_SUPER_MAGIC)
		return ht_set_cause(ret_cause, -EINVAL, "not on a cgroup filesystem");
	v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
	/* The root's cgroup.procs lists every process on the host. */
	r = ht_mount_point_check(0, path);
	if (r < 0)
		return ht_set_cause(ret_cause, r, "read mountinfo: %s", ht_errno_name(r));
	if (r > 0)
		return ht_set_cause(ret_cause, -EPERM, "refusing to kill the root of a hierarchy");
	r = ht_cgroup_collect_pids(dfd, &pids, &n);
	if (r < 0)
		return ht_set_cause(ret_cause, r, "read cgroup.procs: %s", ht_errno_name(r));
	for (size_t i = 0; i < n; i++)
		if (pids[i] == getpid())
			return ht_set_cause(ret_cause, -EDEADLK,
					    "refusing to kill the cgroup of isolab itself");

	if (n > 0) {
		r = ht_cgroup_kill(dfd, deadline, ret_cause);
		if (r < 0)
			return r;
	}
	/* v1 has no cgroup.events; its kill loop above ran until no pid was left. */
	if (v2) {
		r = ht_cgroup_wait_unpopulated(dfd, deadline, ret_cause);
		if (r < 0)
			return r;
	}
	r = rmdir_children(dfd, path, 0, ret_cause);
	if (r < 0)
		return r;
	if (rmdir(path) < 0) {
		if (errno == ENOENT)
			return 1;
		/* Not "device busy": something is still populated or has sub-groups. */
		if (errno == EBUSY)
			return ht_set_cause(ret_cause, -EBUSY, "rmdir: EBUSY (still populated)");
		return ht_set_cause(ret_cause, -errno, "rmdir: %s", ht_errno_name(errno));
	}
	return 1;
}

/* ---- pgrp -------------------------------------------------------------- */

int ht_undo_pgrp(const struct entry *e, char **ret_cause)
{
	unsigned long long want, got;
	_cleanup_close_ int pidfd = -1;
	long pgid = strtol(e->field[0], NULL, 10);
	uint64_t deadline = ht_now_ns() + KILL_DEADLINE_NS;
	int r;

	want = strtoull(e->field[1], NULL, 10);
	if (pgid <= 1 || pgid > INT_MAX)
		return ht_set_cause(ret_cause, -EINVAL, "bad process group id");
	/* Pin the leader first, so that the wait below is on the process we checked. */
	pidfd = pidfd_open((pid_t)pgid, 0);
	/* Without a pidfd (before 5.3, or pgid not a leader) we kill without waiting. */
	r = ht_proc_starttime((pid_t)pgid, &got);
	if (r == -ENOENT || r == -ESRCH) {
		/*
		 * The leader is gone, but members may be left. While any member
		 * lives the kernel does not reuse the pgid as a pid (so no new
		 * group can have taken it): whatever is in it is ours.
		 */
		if (kill((pid_t)-pgid, SIGKILL) == 0)
			return 1;
		return 0;
	}
	if (r < 0)
		return ht_set_cause(ret_cause, r, "read /proc/%ld/stat: %s", pgid,
				    ht_errno_name(r));
	/* Another process now has that pid: ours is long gone (proc(5) starttime). */
	if (got != want)
		return 0;
	if (kill((pid_t)-pgid, SIGKILL) < 0) {
		if (errno == ESRCH)
			return 0;
		return ht_set_cause(ret_cause, -errno, "kill: %s", ht_errno_name(errno));
	}
	while (pidfd >= 0) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int ms = ht_remaining_ms(deadline);

		if (ms == 0)
			return ht_set_cause(ret_cause, -ETIMEDOUT,
					    "leader still alive %llu s after SIGKILL",
					    KILL_DEADLINE_NS / 1000000000ull);
		r = poll(&pfd, 1, ms);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			return ht_set_cause(ret_cause, -errno, "poll pidfd: %s",
					    ht_errno_name(errno));
	}
	return 1;
}

/* ---- mount, netns ------------------------------------------------------ */

int ht_undo_mount(const struct entry *e, char **ret_cause)
{
	const char *path = e->field[0];
	int r;

	if (strcmp(path, "/") == 0)
		return ht_set_cause(ret_cause, -EPERM, "refusing to detach the root mount");
	/* Mounts made in a private mount namespace died with it: nothing here. */
	r = ht_mount_point_check(0, path);
	if (r < 0)
		return ht_set_cause(ret_cause, r, "read mountinfo: %s", ht_errno_name(r));
	if (r == 0)
		return 0;
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
		if (errno == EINVAL || errno == ENOENT)
			return 0;
		return ht_set_cause(ret_cause, -errno, "umount: %s", ht_errno_name(errno));
	}
	return 1;
}

int ht_undo_netns(const struct entry *e, char **ret_cause)
{
	const char *path = e->field[0];
	bool did = false;
	int r;

	r = ht_mount_point_check(0, path);
	if (r < 0)
		return ht_set_cause(ret_cause, r, "read mountinfo: %s", ht_errno_name(r));
	if (r > 0) {
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			did = true;
		else if (errno != EINVAL && errno != ENOENT)
			return ht_set_cause(ret_cause, -errno, "umount: %s", ht_errno_name(errno));
	}
	if (unlink(path) == 0)
		did = true;
	else if (errno != ENOENT)
		return ht_set_cause(ret_cause, -errno, "unlink: %s", ht_errno_name(errno));
	return did;
}

/* ---- work inside a network namespace ---------------------------------- */

typedef int (*netns_work_fn)(const struct entry *e, char *msg, size_t len);

/*
 * Run fn in a forked child that joined the entry's network namespace
 * (setns(2) changes only the caller, and the reaper must stay where it is).
 * The child reports one status byte ('U' undone, 'G' gone, 'F' failed) and a
 * message over a pipe.
 */
static int in_netns(const struct entry *e, netns_work_fn fn, char **ret_cause)
{
	const char *ns = e->field[0];
	_cleanup_close_ int nsfd = -1, rfd = -1;
	char buf[1024];
	size_t len = 0;
	int p[2], status;
	pid_t pid;

	if (strcmp(ns, "-") != 0) {
		struct statfs sfs;

		nsfd = open(ns, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (nsfd < 0 && errno == ENOENT)
			return 0;
		if (nsfd < 0)
			return ht_set_cause(ret_cause, -errno, "open %s: %s", ns,
					    ht_errno_name(errno));
		if (fstatfs(nsfd, &sfs) < 0)
			return ht_set_cause(ret_cause, -errno, "statfs %s: %s", ns,
					    ht_errno_name(errno));
		/* No nsfs bind mount on it any more: the namespace and its contents are gone. */
		if (sfs.f_type != NSFS_MAGIC)
			return 0;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return ht_set_cause(ret_cause, -errno, "pipe: %s", ht_errno_name(errno));
	rfd = p[0];
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[1]);
		return ht_set_cause(ret_cause, -errno, "fork: %s", ht_errno_name(errno));
	}
	if (pid == 0) {
		int r;

		close(p[0]);
		buf[0] = 'F';
		if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) {
			snprintf(buf + 1, sizeof(buf) - 1, "setns %s: %s", ns,
				 ht_errno_name(errno));
		} else {
			buf[1] = '\0';
			r = fn(e, buf + 1, sizeof(buf) - 1);
			buf[0] = r > 0 ? 'U' : r == 0 ? 'G' : 'F';
		}
		(void)!write(p[1], buf, strlen(buf));
		_exit(0);
	}
	close(p[1]);
	len = ht_read_bounded(rfd, buf, sizeof(buf));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ht_set_cause(ret_cause, -errno, "waitpid: %s", ht_errno_name(errno));
	if (len == 0) {
		if (WIFSIGNALED(status))
			return ht_set_cause(ret_cause, -EIO, "undo child killed by signal %d",
					    WTERMSIG(status));
		return ht_set_cause(ret_cause, -EIO, "undo child reported nothing");
	}
	if (buf[0] == 'U')
		return 1;
	if (buf[0] == 'G')
		return 0;
	return ht_set_cause(ret_cause, -EIO, "%s", buf + 1);
}

static int link_work(const struct entry *e, char *msg, size_t len)
{
	const char *name = e->field[1];
	struct nl_sock *sk = NULL;
	struct rtnl_link *link = NULL;
	int err, r;

	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(msg, len, "allocate netlink socket: ENOMEM");
		return -ENOMEM;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		snprintf(msg, len, "connect rtnetlink: %s", nl_geterror(err));
		r = -EIO;
		goto out;
	}
	err = rtnl_link_get_kernel(sk, 0, name, &link);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
		r = 0;
		goto out;
	}
	if (err < 0) {
		snprintf(msg, len, "look up link %s: %s", name, nl_geterror(err));
		r = -EIO;
		goto out;
	}
	/* Deleting one end of a veth pair deletes its peer too. */
	err = rtnl_link_delete(sk, link);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		r = 0;
	else if (err < 0) {
		snprintf(msg, len, "delete link %s: %s", name, nl_geterror(err));
		r = -EIO;
	} else
		r = 1;
out:
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return r;
}

#if HAVE_LIBNFTABLES
static int nft_work(const struct entry *e, char *msg, size_t len)
{
	const char *family = e->field[1], *table = e->field[2];
	_cleanup_free_ char *want = ht_xasprintf("table %s %s", family, table);
	_cleanup_free_ char *list = ht_xasprintf("list tables %s", family);
	_cleanup_free_ char *del = ht_xasprintf("delete table %s %s", family, table);
	_cleanup_free_ char *listing = NULL;
	struct nft_ctx *ctx;
	char *save = NULL;
	const char *o;
	bool found = false;
	int r;

	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		snprintf(msg, len, "create nft context: ENOMEM");
		return -ENOMEM;
	}
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	/* "delete" of a missing table is an error; list first to tell "gone" apart. */
	if (nft_run_cmd_from_buffer(ctx, list) != 0) {
		o = nft_ctx_get_error_buffer(ctx);
		snprintf(msg, len, "%s: %.*s", list, (int)strcspn(o ? o : "", "\n"), o ? o : "");
		r = -EIO;
		goto out;
	}
	listing = ht_xstrdup(nft_ctx_get_output_buffer(ctx));
	for (char *l = strtok_r(listing, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		found |= strcmp(l, want) == 0;
	if (!found) {
		r = 0;
		goto out;
	}
	if (nft_run_cmd_from_buffer(ctx, del) != 0) {
		o = nft_ctx_get_error_buffer(ctx);
		snprintf(msg, len, "%s: %.*s", del, (int)strcspn(o ? o : "", "\n"), o ? o : "");
		r = -EIO;
		goto out;
	}
	r = 1;
out:
	nft_ctx_free(ctx);
	return r;
}
#endif

static int sysctl_work(const struct entry *e, char *msg, size_t len)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/sys/%s", e->field[1]);
	int r;

	for (char *c = path + strlen("/proc/sys/"); *c; c++)
		if (*c == '.')
			*c = '/';
	/*
	 * /proc/sys/net resolves in the opener's network namespace, which is
	 * why this runs after setns(2). A missing key means the device or
	 * namespace it belonged to is gone.
	 */
	r = ht_write_file(AT_FDCWD, path, e->field[2]);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(msg, len, "write %s: %s", path, ht_errno_name(r));
		return r;
	}
	return 1;
}

int ht_undo_link(const struct entry *e, char **ret_cause)
{
	return in_netns(e, link_work, ret_cause);
}

int ht_undo_nft(const struct entry *e, char **ret_cause)
{
#if HAVE_LIBNFTABLES
	return in_netns(e, nft_work, ret_cause);
#else
	return ht_set_cause(ret_cause, -EOPNOTSUPP,
			    "isolab was built without libnftables: delete it with "
			    "`nft delete table %s %s` in that namespace",
			    e->field[1], e->field[2]);
#endif
}

int ht_undo_sysctl(const struct entry *e, char **ret_cause)
{
	return in_netns(e, sysctl_work, ret_cause);
}

/* ---- dir, file, tree --------------------------------------------------- */

int ht_undo_dir(const struct entry *e, char **ret_cause)
{
	if (rmdir(e->field[0]) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	if (errno == ENOTEMPTY || errno == EEXIST)
		return ht_set_cause(ret_cause, -ENOTEMPTY,
				    "rmdir: ENOTEMPTY (it holds something that was not journaled)");
	return ht_set_cause(ret_cause, -errno, "rmdir: %s", ht_errno_name(errno));
}

int ht_undo_file(const struct entry *e, char **ret_cause)
{
	if (unlink(e->field[0]) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return ht_set_cause(ret_cause, -errno, "unlink: %s", ht_errno_name(errno));
}

static int tree_remove_at(int dfd, const char *name, const char *what, unsigned depth,
			  char **ret_cause);

/*
 * Remove everything inside the directory dfd. Never follows a symlink
 * (O_NOFOLLOW, unlinkat(2) removes the link itself) and never descends into
 * another mount: mounts found inside are detached first. The names are
 * read in full before any removal, so no readdir(3) cursor races our
 * unlinks; a second pass catches anything that appeared meanwhile.
 */
static int tree_remove_contents(int dfd, const char *what, unsigned depth, char **ret_cause)
{
	for (int pass = 0; pass < 2; pass++) {
		char **names = NULL;
		size_t n = 0;
		struct dirent *de;
		DIR *d;
		int r = 0;

		d = ht_opendir_at(dfd);
		if (!d)
			return ht_set_cause(ret_cause, -errno, "opendir %s: %s", what,
					    ht_errno_name(errno));
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			names = ht_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = ht_xstrdup(de->d_name);
		}
		closedir(d);
		for (size_t i = 0; i < n; i++) {
			/* tree_remove_at returns 1 for removed, 0 for already gone. */
			if (r >= 0) {
				_cleanup_free_ char *sub = ht_xasprintf("%s/%s", what, names[i]);

				r = tree_remove_at(dfd, names[i], sub, depth + 1, ret_cause);
			}
			free(names[i]);
		}
		free(names);
		if (r < 0)
			return r;
		if (n == 0)
			break;
	}
	return 0;
}

static int tree_remove_at(int dfd, const char *name, const char *what, unsigned depth,
			  char **ret_cause)
{
	struct stat st;
	int r;

	if (depth > TREE_MAX_DEPTH)
		return ht_set_cause(ret_cause, -ELOOP, "%s: nested deeper than %d", what,
				    TREE_MAX_DEPTH);
	r = detach_mounts_at(dfd, name, what, ret_cause);
	if (r < 0)
		return r;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return ht_set_cause(ret_cause, -errno, "stat %s: %s", what, ht_errno_name(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fd = -1;

		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd < 0)
			return ht_set_cause(ret_cause, -errno, "open %s: %s", what,
					    ht_errno_name(errno));
		r = tree_remove_contents(fd, what, depth, ret_cause);
		if (r < 0)
			return r;
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return ht_set_cause(ret_cause, -errno, "rmdir %s: %s", what,
					    ht_errno_name(errno));
		return 1;
	}
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return ht_set_cause(ret_cause, -errno, "unlink %s: %s", what, ht_errno_name(errno));
	return 1;
}

/*
 * Open the directory `rel` (relative, may be empty) below state_fd one
 * component at a time with O_NOFOLLOW, so a symlink swapped in after
 * realpath(3) cannot lead us outside the state directory.
 */
static int open_below(int state_fd, const char *rel)
{
	_cleanup_free_ char *copy = ht_xstrdup(rel);
	_cleanup_close_ int fd = -1;
	char *c, *save = NULL;

	fd = fcntl(state_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0)
			return -errno;
		close(fd);
		fd = next;
	}
	return TAKE_FD(fd);
}

/*
 * `tree` is the only recursive removal, so it is confined: path must be
 * strictly inside the state directory (checked on the realpath(3) of its
 * parent) and not the journal directory.
 */
int ht_undo_tree_path(const char *path, char **ret_cause)
{
	_cleanup_free_ char *copy = ht_xstrdup(path);
	_cleanup_free_ char *real_state = NULL, *real_parent = NULL;
	_cleanup_close_ int state_fd = -1, parent_fd = -1;
	const char *rel;
	char *slash, *base;
	size_t n, sl;

	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (!slash)
		return ht_set_cause(ret_cause, -EINVAL, "not an absolute path");
	base = slash + 1;
	*slash = '\0';
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return ht_set_cause(ret_cause, -EPERM,
				    "refusing: not strictly inside the state directory %s",
				    ht_state_dir());

	real_state = realpath(ht_state_dir(), NULL);
	if (!real_state)
		return ht_set_cause(ret_cause, -EPERM,
				    "refusing: cannot resolve the state directory %s: %s",
				    ht_state_dir(), ht_errno_name(errno));
	real_parent = realpath(*copy ? copy : "/", NULL);
	if (!real_parent) {
		size_t ls = strlen(ht_state_dir());

		/*
		 * No parent, so nothing to remove; still refuse paths that were
		 * never inside the state directory, so the refusal is reported.
		 */
		if (errno == ENOENT &&
		    ((strncmp(path, ht_state_dir(), ls) == 0 && path[ls] == '/') ||
		     (strncmp(path, real_state, strlen(real_state)) == 0 &&
		      path[strlen(real_state)] == '/')))
			return 0;
		return ht_set_cause(ret_cause, -EPERM,
				    "refusing: cannot resolve its parent (%s) inside the state "
				    "directory %s",
				    ht_errno_name(errno), ht_state_dir());
	}
	sl = strlen(real_state);
	if (strncmp(real_parent, real_state, sl) != 0 ||
	    (real_parent[sl] != '\0' && real_parent[sl] != '/') || strcmp(real_state, "/") == 0)
		return ht_set_cause(ret_cause, -EPERM,
				    "refusing: %s is outside the state directory %s", path,
				    real_state);
	rel = real_parent + sl;
	while (*rel == '/')
		rel++;
	if ((!*rel && strcmp(base, "journal") == 0) ||
	    (strncmp(rel, "journal", 7) == 0 && (rel[7] == '\0' || rel[7] == '/')))
		return ht_set_cause(ret_cause, -EPERM, "refusing to remove the journal directory");

	state_fd = open(real_state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (state_fd < 0)
		return ht_set_cause(ret_cause, -errno, "open %s: %s", real_state,
				    ht_errno_name(errno));
	parent_fd = open_below(state_fd, rel);
	if (parent_fd == -ENOENT)
		return 0;
	if (parent_fd < 0)
		return ht_set_cause(ret_cause, parent_fd, "open %s: %s", real_parent,
				    ht_errno_name(parent_fd));
	return tree_remove_at(parent_fd, base, path, 0, ret_cause);
}

int ht_undo_tree(const struct entry *e, char **ret_cause)
{
	return ht_undo_tree_path(e->field[0], ret_cause);
}
