// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The resource journal (interface and entry kinds in ht-journal.h): writing
 * entries, telling dead runs from live ones, and undoing what a run left
 * behind, newest entry first.
 *
 * Liveness is an flock(2) on the journal file. flock(2) locks belong to the
 * open file description, and fork(2) shares descriptions, so a test child
 * that outlived a SIGKILLed `isolab` would keep the run "alive" forever and
 * block its reaping (the pgrp entries exist precisely to kill such
 * children). So the lock sits on a second description of the same file,
 * which a pthread_atfork(3) child handler closes in every forked child: only
 * the process that opened the journal holds the lock. The append descriptor
 * (ht_journal_fd) stays shared with children, which is what they write to.
 * (A child holds the lock from fork(2) until it first runs its handler, and
 * one made by a raw clone(2) keeps it: the run then looks alive, the safe
 * way to be wrong, and the next reap takes it.)
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
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/magic.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif

#include "ht-journal.h"
#include "ht-util.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

#define STATE_DIR_DEFAULT "/run/isolab"
#define RUN_ID_LEN	  8
/* How long the processes of a killed cgroup or process group may take to die. */
#define KILL_DEADLINE_NS   (10ull * 1000000000ull)
#define TREE_MAX_DEPTH	   128
#define MAX_STACKED_MOUNTS 64
#define MAX_OPEN_JOURNALS  64

struct ht_journal {
	int fd;	     /* O_APPEND, shared with forked children */
	int lock_fd; /* holds the flock(2); closed in forked children */
	pid_t owner;
	char *path;
	char run_id[16];
};

/* ---- lock descriptors closed in forked children ---------------------- */

static pthread_mutex_t lock_fds_mutex = PTHREAD_MUTEX_INITIALIZER;
static int lock_fds[MAX_OPEN_JOURNALS];
static size_t n_lock_fds;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
	pthread_mutex_lock(&lock_fds_mutex);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&lock_fds_mutex);
}

static void atfork_child(void)
{
	for (size_t i = 0; i < n_lock_fds; i++)
		close(lock_fds[i]);
	n_lock_fds = 0;
	pthread_mutex_unlock(&lock_fds_mutex);
}

static void atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static int lock_fd_track(int fd)
{
	int r = 0;

	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_lock(&lock_fds_mutex);
	if (n_lock_fds < MAX_OPEN_JOURNALS)
		lock_fds[n_lock_fds++] = fd;
	else
		r = -EMFILE;
	pthread_mutex_unlock(&lock_fds_mutex);
	return r;
}

static void lock_fd_untrack(int fd)
{
	pthread_mutex_lock(&lock_fds_mutex);
	for (size_t i = 0; i < n_lock_fds; i++)
		if (lock_fds[i] == fd) {
			lock_fds[i] = lock_fds[--n_lock_fds];
			break;
		}
	pthread_mutex_unlock(&lock_fds_mutex);
}

/* ---- small helpers ----------------------------------------------------- */

static void say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *out, const char *fmt, ...)
{
	va_list ap;

	if (!out)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
}

static int set_cause(char **ret_cause, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set_cause(char **ret_cause, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(*ret_cause);
	*ret_cause = ht_xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

/* Field 22 of /proc/<pid>/stat, in clock ticks since boot (proc(5)). */
static int proc_starttime(pid_t pid, unsigned long long *ret)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *buf = NULL;
	char *p, *save = NULL, *tok;
	int r;

	r = ht_read_file(AT_FDCWD, path, &buf);
	if (r < 0)
		return r;
	/* comm (field 2) may hold spaces and parentheses: skip past the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	tok = strtok_r(p + 1, " ", &save); /* field 3 */
	for (int field = 3; tok; field++, tok = strtok_r(NULL, " ", &save))
		if (field == 22) {
			char *end;

			errno = 0;
			*ret = strtoull(tok, &end, 10);
			if (errno || end == tok)
				return -EIO;
			return 0;
		}
	return -EIO;
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_send_signal_(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = ht_now_ns();

	if (now >= deadline)
		return 0;
	return (int)((deadline - now + 999999) / 1000000);
}

static void unescape_mountinfo(char *s)
{
	char *w = s;

	/* proc(5): space, tab, newline and backslash appear as \ooo octal. */
	for (char *r = s; *r; w++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w = *r++;
		}
	}
	*w = '\0';
}

/*
 * A directory stream on dfd with a file offset of its own: a dup(2) would
 * share dfd's offset, and an earlier listing would leave it at the end.
 */
static DIR *opendir_at(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* Is path a mount point in our mount namespace, per /proc/self/mountinfo? */
static int is_mount_point(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;
	int r;

	r = ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &buf);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f = line, *mnt;

		/* Field 5 is the mount point; fields are separated by single spaces. */
		for (int i = 0; i < 4 && f; i++) {
			f = strchr(f, ' ');
			if (f)
				f++;
		}
		if (!f)
			continue;
		mnt = f;
		f = strchr(mnt, ' ');
		if (f)
			*f = '\0';
		unescape_mountinfo(mnt);
		if (strcmp(mnt, path) == 0)
			return 1;
	}
	return 0;
}

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
			return set_cause(ret_cause, r, "stat %s: %s", what, ht_errno_name(r));
		if (r == 0)
			return 0;
		/* The fd path pins the directory we checked, whatever renames happen. */
		snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dfd, name);
		if (umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
			int err = errno;

			/* Someone else detached it meanwhile: fine. */
			if (is_mount_root_at(dfd, name) == 0)
				return 0;
			return set_cause(ret_cause, -err, "umount %s: %s", what,
					 ht_errno_name(err));
		}
	}
	return set_cause(ret_cause, -ELOOP, "umount %s: more than %d stacked mounts", what,
			 MAX_STACKED_MOUNTS);
}

/* ---- entry kinds ------------------------------------------------------- */

enum field_type {
	F_PATH,	 /* absolute, no ".." component */
	F_NETNS, /* F_PATH or "-" for the root network namespace */
	F_UINT,
	F_IFNAME,
	F_NFT_FAMILY,
	F_NFT_NAME,
	F_SYSCTL_KEY,
	F_TEXT, /* anything without tab or newline, may be empty */
	F_RUN_ID,
};

struct entry;
typedef int (*undo_fn)(const struct entry *e, char **ret_cause);

struct kind_desc {
	const char *name;
	unsigned n_fields;
	enum field_type types[3];
	/* Returns 1 when something was undone, 0 when it was already gone, or -errno. */
	undo_fn undo;
};

struct entry {
	unsigned line;
	const struct kind_desc *kind; /* NULL: malformed, see error */
	const char *field[3];
	char *error;
};

static bool valid_path(const char *s)
{
	const char *c;

	if (s[0] != '/')
		return false;
	for (c = s; *c; c++)
		if (c[0] == '/' && c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			return false;
	return strlen(s) < PATH_MAX;
}

#define ALPHA "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

static bool valid_field(enum field_type type, const char *s)
{
	static const char *const families[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };
	size_t n = strlen(s);

	if (strpbrk(s, "\t\n"))
		return false;
	switch (type) {
	case F_PATH:
		return valid_path(s);
	case F_NETNS:
		return strcmp(s, "-") == 0 || valid_path(s);
	case F_UINT:
		return n > 0 && n <= 20 && strspn(s, "0123456789") == n;
	case F_IFNAME:
		/* dev_valid_name() in net/core/dev.c */
		return n > 0 && n < 16 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		       !strpbrk(s, "/: \r\v\f");
	case F_NFT_FAMILY:
		for (size_t i = 0; i < HT_ARRAY_SIZE(families); i++)
			if (strcmp(s, families[i]) == 0)
				return true;
		return false;
	case F_NFT_NAME:
		/* It is pasted into an nft command: an identifier that needs no quoting. */
		return n > 0 && n < 256 && strchr(ALPHA "_", s[0]) &&
		       strspn(s, ALPHA "_0123456789.-") == n;
	case F_SYSCTL_KEY:
		return n > 0 && n < 256 && s[0] != '.' && s[n - 1] != '.' && !strstr(s, "..") &&
		       !strpbrk(s, "/ \r\v\f");
	case F_TEXT:
		return true;
	case F_RUN_ID:
		return n > 0 && n < 16 && strspn(s, "0123456789abcdef") == n;
	}
	return false;
}

static int undo_cgroup(const struct entry *e, char **ret_cause);
static int undo_pgrp(const struct entry *e, char **ret_cause);
static int undo_mount(const struct entry *e, char **ret_cause);
static int undo_netns(const struct entry *e, char **ret_cause);
static int undo_link(const struct entry *e, char **ret_cause);
static int undo_nft(const struct entry *e, char **ret_cause);
static int undo_sysctl(const struct entry *e, char **ret_cause);
static int undo_dir(const struct entry *e, char **ret_cause);
static int undo_tree(const struct entry *e, char **ret_cause);
static int undo_file_entry(const struct entry *e, char **ret_cause);

static const struct kind_desc kinds[] = {
	{ "run", 3, { F_RUN_ID, F_UINT, F_UINT }, NULL },
	{ "cgroup", 1, { F_PATH }, undo_cgroup },
	{ "pgrp", 2, { F_UINT, F_UINT }, undo_pgrp },
	{ "mount", 1, { F_PATH }, undo_mount },
	{ "netns", 1, { F_PATH }, undo_netns },
	{ "link", 2, { F_NETNS, F_IFNAME }, undo_link },
	{ "nft", 3, { F_NETNS, F_NFT_FAMILY, F_NFT_NAME }, undo_nft },
	{ "sysctl", 3, { F_NETNS, F_SYSCTL_KEY, F_TEXT }, undo_sysctl },
	{ "dir", 1, { F_PATH }, undo_dir },
	{ "tree", 1, { F_PATH }, undo_tree },
	{ "file", 1, { F_PATH }, undo_file_entry },
};

static const struct kind_desc *kind_find(const char *name)
{
	for (size_t i = 0; i < HT_ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* ---- cgroup ---------------------------------------------------------- */

/* Every pid in the cgroup.procs of dfd and of its descendants. */
static int cgroup_collect_pids(int dfd, unsigned depth, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *procs = NULL;
	DIR *d;
	struct dirent *de;
	char *p, *save = NULL;
	int r;

	if (depth > TREE_MAX_DEPTH)
		return -ELOOP;
	r = ht_read_file(dfd, "cgroup.procs", &procs);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (p = strtok_r(procs, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		long pid = strtol(p, NULL, 10);

		if (pid <= 0)
			continue;
		*pids = ht_xrealloc(*pids, (*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)pid;
	}

	d = opendir_at(dfd);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	r = 0;
	while (r == 0 && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				r = -errno;
			continue;
		}
		r = cgroup_collect_pids(sub, depth + 1, pids, n);
		close(sub);
	}
	closedir(d);
	return r;
}

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * SIGKILL every process of the subtree without cgroup.kill (v1 hierarchies,
 * kernels before 5.14), round after round until the group is empty, since
 * forks can race the kill. Each victim is pinned by a pidfd first and
 * signalled only if it is still listed after pinning, so a recycled pid is
 * never hit; then we wait on the pidfds (pidfd_open(2): readable once it
 * has exited). Without pidfds (before 5.3, or under valgrind) this spins,
 * yielding, until the deadline.
 */
static int cgroup_kill_procs(int dfd, uint64_t deadline, char **ret_cause)
{
	for (;;) {
		_cleanup_free_ pid_t *pids = NULL, *again = NULL;
		_cleanup_free_ struct pollfd *pfds = NULL;
		size_t n = 0, n_again = 0, left = 0;
		int r;

		r = cgroup_collect_pids(dfd, 0, &pids, &n);
		if (r < 0)
			return set_cause(ret_cause, r, "read cgroup.procs: %s", ht_errno_name(r));
		if (n == 0)
			return 0;
		if (remaining_ms(deadline) == 0)
			return set_cause(ret_cause, -ETIMEDOUT,
					 "%zu processes still in the group %llu s after SIGKILL", n,
					 KILL_DEADLINE_NS / 1000000000ull);
		pfds = ht_xcalloc(n, sizeof(*pfds));
		for (size_t i = 0; i < n; i++) {
			pfds[i].fd = pidfd_open_(pids[i]);
			pfds[i].events = POLLIN;
			if (pfds[i].fd < 0 && errno == ENOSYS && kill(pids[i], SIGKILL) < 0 &&
			    errno == EPERM)
				return set_cause(ret_cause, -EPERM, "kill %d: EPERM", (int)pids[i]);
		}
		r = cgroup_collect_pids(dfd, 0, &again, &n_again);
		if (r < 0)
			n_again = 0;
		for (size_t i = 0; i < n; i++) {
			if (pfds[i].fd < 0)
				continue;
			if (pid_in(pids[i], again, n_again) &&
			    pidfd_send_signal_(pfds[i].fd, SIGKILL) == 0) {
				left++;
				continue;
			}
			if (errno == EPERM)
				r = -EPERM;
			close(pfds[i].fd);
			pfds[i].fd = -1;
		}
		if (r == -EPERM) {
			for (size_t i = 0; i < n; i++)
				ht_closep(&pfds[i].fd);
			return set_cause(ret_cause, -EPERM, "kill: EPERM");
		}
		while (left > 0) {
			int ms = remaining_ms(deadline);

			if (ms == 0)
				break;
			r = poll(pfds, n, ms);
			if (r < 0 && errno != EINTR)
				break;
			for (size_t i = 0; r > 0 && i < n; i++)
				if (pfds[i].fd >= 0 && pfds[i].revents) {
					close(pfds[i].fd);
					pfds[i].fd = -1;
					left--;
				}
		}
		for (size_t i = 0; i < n; i++)
			ht_closep(&pfds[i].fd);
		sched_yield();
	}
}

/*
 * Wait until cgroup.events says "populated 0". kernfs signals every change
 * of that file with POLLPRI|POLLERR (cgroup-v2.rst, "cgroup.events"), so
 * this is a poll(2) with a deadline, never a sleep.
 */
static int cgroup_wait_unpopulated(int dfd, uint64_t deadline, char **ret_cause)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_cause(ret_cause, -errno, "open cgroup.events: %s", ht_errno_name(errno));
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		char buf[256], *p;
		ssize_t n;
		int ms;

		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return set_cause(ret_cause, -errno, "read cgroup.events: %s",
					 ht_errno_name(errno));
		buf[n] = '\0';
		p = strstr(buf, "populated ");
		if (!p)
			return set_cause(ret_cause, -EIO, "cgroup.events has no populated key");
		if (p[10] == '0')
			return 0;
		ms = remaining_ms(deadline);
		if (ms == 0)
			return set_cause(ret_cause, -ETIMEDOUT,
					 "cgroup.events still says populated 1 after %llu s",
					 KILL_DEADLINE_NS / 1000000000ull);
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return set_cause(ret_cause, -errno, "poll cgroup.events: %s",
					 ht_errno_name(errno));
	}
}

/* rmdir every descendant group, deepest first; control files need no unlink. */
static int cgroup_rmdir_children(int dfd, const char *what, unsigned depth, char **ret_cause)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > TREE_MAX_DEPTH)
		return set_cause(ret_cause, -ELOOP, "%s: nested too deep", what);
	d = opendir_at(dfd);
	if (!d)
		return set_cause(ret_cause, -errno, "opendir %s: %s", what, ht_errno_name(errno));
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *sub_what = NULL;
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub_what = ht_xasprintf("%s/%s", what, de->d_name);
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				r = set_cause(ret_cause, -errno, "open %s: %s", sub_what,
					      ht_errno_name(errno));
			continue;
		}
		r = cgroup_rmdir_children(sub, sub_what, depth + 1, ret_cause);
		close(sub);
		if (r == 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			r = set_cause(ret_cause, -errno, "rmdir %s: %s", sub_what,
				      ht_errno_name(errno));
	}
	closedir(d);
	return r;
}

static int undo_cgroup(const struct entry *e, char **ret_cause)
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
		return set_cause(ret_cause, -errno, "open: %s", ht_errno_name(errno));
	if (fstatfs(dfd, &sfs) < 0)
		return set_cause(ret_cause, -errno, "statfs: %s", ht_errno_name(errno));
	if (sfs.f_type != CGROUP2_SUPER_MAGIC && sfs.f_type != CGROUP_SUPER_MAGIC)
		return set_cause(ret_cause, -EINVAL, "not on a cgroup filesystem");
	v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
	/* The root's cgroup.procs lists every process on the host. */
	r = is_mount_point(path);
	if (r < 0)
		return set_cause(ret_cause, r, "read mountinfo: %s", ht_errno_name(r));
	if (r > 0)
		return set_cause(ret_cause, -EPERM, "refusing to kill the root of a hierarchy");
	r = cgroup_collect_pids(dfd, 0, &pids, &n);
	if (r < 0)
		return set_cause(ret_cause, r, "read cgroup.procs: %s", ht_errno_name(r));
	if (pid_in(getpid(), pids, n))
		return set_cause(ret_cause, -EDEADLK,
				 "refusing to kill the cgroup of isolab itself");

	/*
	 * cgroup.kill (cgroup-v2.rst, 5.14) kills the whole subtree at once,
	 * forks included; EOPNOTSUPP on threaded groups sends us to the loop.
	 */
	r = -ENOENT;
	if (v2 && n > 0 && faccessat(dfd, "cgroup.kill", F_OK, 0) == 0)
		r = ht_write_file(dfd, "cgroup.kill", "1");
	if (r < 0 && n > 0) {
		r = cgroup_kill_procs(dfd, deadline, ret_cause);
		if (r < 0)
			return r;
	}
	if (v2) {
		r = cgroup_wait_unpopulated(dfd, deadline, ret_cause);
		if (r < 0)
			return r;
	}
	r = cgroup_rmdir_children(dfd, path, 0, ret_cause);
	if (r < 0)
		return r;
	if (rmdir(path) < 0) {
		if (errno == ENOENT)
			return 1;
		/* Not "device busy": something is still populated or has sub-groups. */
		if (errno == EBUSY)
			return set_cause(ret_cause, -EBUSY, "rmdir: EBUSY (still populated)");
		return set_cause(ret_cause, -errno, "rmdir: %s", ht_errno_name(errno));
	}
	return 1;
}

/* ---- pgrp -------------------------------------------------------------- */

static int undo_pgrp(const struct entry *e, char **ret_cause)
{
	unsigned long long want, got;
	_cleanup_close_ int pidfd = -1;
	long pgid = strtol(e->field[0], NULL, 10);
	uint64_t deadline = ht_now_ns() + KILL_DEADLINE_NS;
	int r;

	want = strtoull(e->field[1], NULL, 10);
	if (pgid <= 1 || pgid > INT_MAX)
		return set_cause(ret_cause, -EINVAL, "bad process group id");
	/* Pin the leader first, so that the wait below is on the process we checked. */
	pidfd = pidfd_open_((pid_t)pgid);
	if (pidfd < 0 && errno == ESRCH)
		return 0;
	/* Without a pidfd (before 5.3, or pgid not a leader) we kill without waiting. */
	r = proc_starttime((pid_t)pgid, &got);
	if (r == -ENOENT || r == -ESRCH)
		return 0;
	if (r < 0)
		return set_cause(ret_cause, r, "read /proc/%ld/stat: %s", pgid, ht_errno_name(r));
	/* Another process now has that pid: ours is long gone (proc(5) starttime). */
	if (got != want)
		return 0;
	if (kill((pid_t)-pgid, SIGKILL) < 0) {
		if (errno == ESRCH)
			return 0;
		return set_cause(ret_cause, -errno, "kill: %s", ht_errno_name(errno));
	}
	while (pidfd >= 0) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int ms = remaining_ms(deadline);

		if (ms == 0)
			return set_cause(ret_cause, -ETIMEDOUT,
					 "leader still alive %llu s after SIGKILL",
					 KILL_DEADLINE_NS / 1000000000ull);
		r = poll(&pfd, 1, ms);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			return set_cause(ret_cause, -errno, "poll pidfd: %s", ht_errno_name(errno));
	}
	return 1;
}

/* ---- mount, netns ------------------------------------------------------ */

static int undo_mount(const struct entry *e, char **ret_cause)
{
	const char *path = e->field[0];
	int r;

	if (strcmp(path, "/") == 0)
		return set_cause(ret_cause, -EPERM, "refusing to detach the root mount");
	/* Mounts made in a private mount namespace died with it: nothing here. */
	r = is_mount_point(path);
	if (r < 0)
		return set_cause(ret_cause, r, "read mountinfo: %s", ht_errno_name(r));
	if (r == 0)
		return 0;
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
		if (errno == EINVAL || errno == ENOENT)
			return 0;
		return set_cause(ret_cause, -errno, "umount: %s", ht_errno_name(errno));
	}
	return 1;
}

static int undo_netns(const struct entry *e, char **ret_cause)
{
	const char *path = e->field[0];
	bool did = false;
	int r;

	r = is_mount_point(path);
	if (r < 0)
		return set_cause(ret_cause, r, "read mountinfo: %s", ht_errno_name(r));
	if (r > 0) {
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			did = true;
		else if (errno != EINVAL && errno != ENOENT)
			return set_cause(ret_cause, -errno, "umount: %s", ht_errno_name(errno));
	}
	if (unlink(path) == 0)
		did = true;
	else if (errno != ENOENT)
		return set_cause(ret_cause, -errno, "unlink: %s", ht_errno_name(errno));
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
			return set_cause(ret_cause, -errno, "open %s: %s", ns,
					 ht_errno_name(errno));
		if (fstatfs(nsfd, &sfs) < 0)
			return set_cause(ret_cause, -errno, "statfs %s: %s", ns,
					 ht_errno_name(errno));
		/* No nsfs bind mount on it any more: the namespace and its contents are gone. */
		if (sfs.f_type != NSFS_MAGIC)
			return 0;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return set_cause(ret_cause, -errno, "pipe: %s", ht_errno_name(errno));
	rfd = p[0];
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[1]);
		return set_cause(ret_cause, -errno, "fork: %s", ht_errno_name(errno));
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
			return set_cause(ret_cause, -errno, "waitpid: %s", ht_errno_name(errno));
	if (len == 0) {
		if (WIFSIGNALED(status))
			return set_cause(ret_cause, -EIO, "undo child killed by signal %d",
					 WTERMSIG(status));
		return set_cause(ret_cause, -EIO, "undo child reported nothing");
	}
	if (buf[0] == 'U')
		return 1;
	if (buf[0] == 'G')
		return 0;
	return set_cause(ret_cause, -EIO, "%s", buf + 1);
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

static int undo_link(const struct entry *e, char **ret_cause)
{
	return in_netns(e, link_work, ret_cause);
}

static int undo_nft(const struct entry *e, char **ret_cause)
{
#if HAVE_LIBNFTABLES
	return in_netns(e, nft_work, ret_cause);
#else
	return set_cause(ret_cause, -EOPNOTSUPP,
			 "isolab was built without libnftables: delete it with "
			 "`nft delete table %s %s` in that namespace",
			 e->field[1], e->field[2]);
#endif
}

static int undo_sysctl(const struct entry *e, char **ret_cause)
{
	return in_netns(e, sysctl_work, ret_cause);
}

/* ---- dir, file, tree --------------------------------------------------- */

static int undo_dir(const struct entry *e, char **ret_cause)
{
	if (rmdir(e->field[0]) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	if (errno == ENOTEMPTY || errno == EEXIST)
		return set_cause(ret_cause, -ENOTEMPTY,
				 "rmdir: ENOTEMPTY (it holds something that was not journaled)");
	return set_cause(ret_cause, -errno, "rmdir: %s", ht_errno_name(errno));
}

static int undo_file_entry(const struct entry *e, char **ret_cause)
{
	if (unlink(e->field[0]) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return set_cause(ret_cause, -errno, "unlink: %s", ht_errno_name(errno));
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

		d = opendir_at(dfd);
		if (!d)
			return set_cause(ret_cause, -errno, "opendir %s: %s", what,
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
		return set_cause(ret_cause, -ELOOP, "%s: nested deeper than %d", what,
				 TREE_MAX_DEPTH);
	r = detach_mounts_at(dfd, name, what, ret_cause);
	if (r < 0)
		return r;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return set_cause(ret_cause, -errno, "stat %s: %s", what, ht_errno_name(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fd = -1;

		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd < 0)
			return set_cause(ret_cause, -errno, "open %s: %s", what,
					 ht_errno_name(errno));
		r = tree_remove_contents(fd, what, depth, ret_cause);
		if (r < 0)
			return r;
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return set_cause(ret_cause, -errno, "rmdir %s: %s", what,
					 ht_errno_name(errno));
		return 1;
	}
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return set_cause(ret_cause, -errno, "unlink %s: %s", what, ht_errno_name(errno));
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
static int tree_remove_path(const char *path, char **ret_cause)
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
		return set_cause(ret_cause, -EINVAL, "not an absolute path");
	base = slash + 1;
	*slash = '\0';
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return set_cause(ret_cause, -EPERM,
				 "refusing: not strictly inside the state directory %s",
				 ht_state_dir());

	real_state = realpath(ht_state_dir(), NULL);
	if (!real_state)
		return set_cause(ret_cause, -EPERM,
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
		return set_cause(ret_cause, -EPERM,
				 "refusing: cannot resolve its parent (%s) inside the state "
				 "directory %s",
				 ht_errno_name(errno), ht_state_dir());
	}
	sl = strlen(real_state);
	if (strncmp(real_parent, real_state, sl) != 0 ||
	    (real_parent[sl] != '\0' && real_parent[sl] != '/') || strcmp(real_state, "/") == 0)
		return set_cause(ret_cause, -EPERM,
				 "refusing: %s is outside the state directory %s", path,
				 real_state);
	rel = real_parent + sl;
	while (*rel == '/')
		rel++;
	if ((!*rel && strcmp(base, "journal") == 0) ||
	    (strncmp(rel, "journal", 7) == 0 && (rel[7] == '\0' || rel[7] == '/')))
		return set_cause(ret_cause, -EPERM, "refusing to remove the journal directory");

	state_fd = open(real_state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (state_fd < 0)
		return set_cause(ret_cause, -errno, "open %s: %s", real_state,
				 ht_errno_name(errno));
	parent_fd = open_below(state_fd, rel);
	if (parent_fd == -ENOENT)
		return 0;
	if (parent_fd < 0)
		return set_cause(ret_cause, parent_fd, "open %s: %s", real_parent,
				 ht_errno_name(parent_fd));
	return tree_remove_at(parent_fd, base, path, 0, ret_cause);
}

static int undo_tree(const struct entry *e, char **ret_cause)
{
	return tree_remove_path(e->field[0], ret_cause);
}

/* ---- parsing and the undo loop ---------------------------------------- */

static void entry_describe(const struct entry *e, char *buf, size_t len)
{
	int o = snprintf(buf, len, "%s", e->kind->name);

	for (unsigned i = 0; i < e->kind->n_fields && o >= 0 && (size_t)o < len; i++)
		o += snprintf(buf + o, len - (size_t)o, " %s", e->field[i]);
}

/* Split one line (modified in place) into e; on failure e->kind is NULL and e->error says why. */
static void entry_parse(char *line, unsigned lineno, struct entry *e)
{
	const struct kind_desc *k;
	char *f[4] = { NULL };
	unsigned nf = 0;
	char *tab;

	memset(e, 0, sizeof(*e));
	e->line = lineno;
	f[nf++] = line;
	while ((tab = strchr(f[nf - 1], '\t'))) {
		*tab = '\0';
		if (nf == HT_ARRAY_SIZE(f)) {
			e->error = ht_xstrdup("too many fields");
			return;
		}
		f[nf++] = tab + 1;
	}
	k = kind_find(f[0]);
	if (!k) {
		e->error = ht_xasprintf("unknown kind \"%.32s\"", f[0]);
		return;
	}
	if (nf - 1 != k->n_fields) {
		e->error =
			ht_xasprintf("%s takes %u fields, found %u", k->name, k->n_fields, nf - 1);
		return;
	}
	for (unsigned i = 0; i < k->n_fields; i++) {
		if (!valid_field(k->types[i], f[i + 1])) {
			e->error = ht_xasprintf("%s: bad field %u \"%.64s\"", k->name, i + 1,
						f[i + 1]);
			return;
		}
		e->field[i] = f[i + 1];
	}
	e->kind = k;
}

/*
 * Remove the run's scratch directory <state>/runs/<id> if it is still there:
 * it normally has a `tree` entry of its own (`covered`), but a run killed
 * before journaling it leaves it unlisted. Returns the number of failures.
 */
static int remove_run_dir(const char *dir, bool covered, FILE *out, bool dry_run)
{
	_cleanup_free_ char *cause = NULL;
	struct stat st;
	int r;

	if (lstat(dir, &st) < 0)
		return 0;
	if (dry_run) {
		if (!covered)
			say(out, "would undo tree %s\n", dir);
		return 0;
	}
	r = tree_remove_path(dir, &cause);
	if (r < 0) {
		say(out, "failed to undo tree %s: %s\n", dir, cause ? cause : ht_errno_name(r));
		return 1;
	}
	if (r > 0)
		say(out, "undone tree %s\n", dir);
	return 0;
}

static bool is_run_dir(const struct entry *e, const char *run_dir)
{
	return run_dir && e->kind && strcmp(e->kind->name, "tree") == 0 &&
	       strcmp(e->field[0], run_dir) == 0;
}

/*
 * Undo the entries in buf (the whole journal text), newest first, then the
 * run's scratch directory run_dir (may be NULL) once all of them are undone.
 * With quiet_gone, entries already gone print nothing (the normal end of a
 * run). Returns the number of failures.
 */
static int undo_buffer(char *buf, size_t len, const char *label, const char *run_dir, FILE *out,
		       bool dry_run, bool quiet_gone)
{
	_cleanup_free_ struct entry *entries = NULL;
	size_t n = 0, cap = 0;
	unsigned lineno = 0;
	int failures = 0;
	bool covered = false;
	char *line = buf;

	if (len > 0 && buf[len - 1] != '\n') {
		char *last = memrchr(buf, '\n', len);
		unsigned total = 1;

		for (char *c = buf; c < buf + len; c++)
			total += *c == '\n';
		/*
		 * The writer died inside its write(2): it never went on to create
		 * the resource, so there is nothing to undo for that line.
		 */
		say(out, "ignoring truncated last line %u of %s (the run died while writing it)\n",
		    total, label);
		if (last)
			last[1] = '\0';
		else
			buf[0] = '\0';
	}
	while (*line) {
		char *nl = strchr(line, '\n');

		*nl = '\0';
		lineno++;
		if (*line) {
			if (n == cap) {
				cap = cap ? 2 * cap : 32;
				entries = ht_xrealloc(entries, cap * sizeof(*entries));
			}
			entry_parse(line, lineno, &entries[n]);
			covered |= is_run_dir(&entries[n], run_dir);
			n++;
		}
		line = nl + 1;
	}

	for (size_t i = n; i-- > 0;) {
		struct entry *e = &entries[i];
		_cleanup_free_ char *cause = NULL;
		char desc[3 * PATH_MAX];
		int r;

		if (!e->kind) {
			say(out, "failed to undo line %u of %s: malformed entry: %s\n", e->line,
			    label, e->error);
			free(e->error);
			failures++;
			continue;
		}
		if (!e->kind->undo)
			continue;
		entry_describe(e, desc, sizeof(desc));
		if (dry_run) {
			say(out, "would undo %s\n", desc);
			continue;
		}
		r = e->kind->undo(e, &cause);
		if (r < 0) {
			say(out, "failed to undo %s: %s\n", desc, cause ? cause : ht_errno_name(r));
			failures++;
		} else if (r > 0) {
			/* At the end of a run, removing its own scratch dir is no leak. */
			if (!quiet_gone || !is_run_dir(e, run_dir))
				say(out, "undone %s\n", desc);
		} else if (!quiet_gone) {
			say(out, "undone %s (already gone)\n", desc);
		}
	}
	if (run_dir && failures == 0)
		failures += remove_run_dir(run_dir, covered, out, dry_run);
	return failures;
}

static int undo_fd(int fd, const char *label, const char *run_id, FILE *out, bool dry_run,
		   bool quiet_gone)
{
	_cleanup_free_ char *run_dir = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	r = ht_read_fd(fd, &buf, &len);
	if (r < 0)
		return r;
	/* A NUL byte would end the text early: treat the file as corrupt, never crash. */
	if (memchr(buf, '\0', len)) {
		say(out, "failed to undo %s: it contains NUL bytes\n", label);
		return 1;
	}
	if (run_id)
		run_dir = ht_xasprintf("%s/runs/%s", ht_state_dir(), run_id);
	return undo_buffer(buf, len, label, run_dir, out, dry_run, quiet_gone);
}

int ht_journal_undo_file(const char *path, FILE *out, bool dry_run)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return undo_fd(fd, path, NULL, out, dry_run, false);
}

/* ---- journal files ----------------------------------------------------- */

const char *ht_state_dir(void)
{
	const char *s = getenv("ISOLAB_STATE_DIR");

	return s && *s ? s : STATE_DIR_DEFAULT;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = ht_xstrdup(path);

	for (char *c = p + 1;; c++) {
		if (*c == '/' || *c == '\0') {
			char saved = *c;

			*c = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return -errno;
			*c = saved;
			if (!saved)
				break;
		}
	}
	return 0;
}

/* Is the process in the journal header ("run <id> <pid> <starttime>") gone? */
static bool journal_owner_dead(int fd)
{
	unsigned long long want, got;
	char buf[128];
	ssize_t n;
	int pid, r;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "run\t%*[0-9a-f]\t%d\t%llu\n", &pid, &want) != 2 || pid <= 0)
		return false;
	r = proc_starttime(pid, &got);
	if (r < 0)
		return r == -ENOENT || r == -ESRCH;
	return got != want;
}

static bool valid_run_id(const char *s)
{
	return strlen(s) == RUN_ID_LEN && strspn(s, "0123456789abcdef") == RUN_ID_LEN;
}

void ht_journal_free(struct ht_journal *j)
{
	if (!j)
		return;
	/* In a forked child, atfork_child() closed lock_fd already: its number may be reused. */
	if (j->lock_fd >= 0 && j->owner == getpid()) {
		lock_fd_untrack(j->lock_fd);
		close(j->lock_fd);
	}
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
}

const char *ht_journal_path(const struct ht_journal *j)
{
	return j ? j->path : NULL;
}

int ht_journal_fd(const struct ht_journal *j)
{
	return j ? j->fd : -EBADF;
}

static int journal_write_line(int fd, const char *kind, const char *const *fields, unsigned n)
{
	_cleanup_free_ char *line = NULL;
	size_t len = strlen(kind) + 2, o;
	ssize_t w;

	for (unsigned i = 0; i < n; i++)
		len += strlen(fields[i]) + 1;
	line = ht_xmalloc(len);
	o = (size_t)sprintf(line, "%s", kind);
	for (unsigned i = 0; i < n; i++)
		o += (size_t)sprintf(line + o, "\t%s", fields[i]);
	line[o++] = '\n';

	/*
	 * One write(2) on an O_APPEND descriptor: the kernel positions and
	 * copies it under the inode lock, so lines of concurrent writers
	 * (forked tests, the runtime) never interleave.
	 */
	do
		w = write(fd, line, o);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w != o) {
		/* End the fragment so the next entry starts on a line of its own. */
		(void)!write(fd, "\n", 1);
		return -EIO;
	}
	return 0;
}

int ht_journal_append(int journal_fd, const char *kind, const char *a, const char *b, const char *c)
{
	const char *fields[3] = { a, b, c };
	const struct kind_desc *k;
	unsigned n = 0;

	if (journal_fd < 0)
		return -EBADF;
	if (!kind)
		return -EINVAL;
	k = kind_find(kind);
	/* The run header is written by ht_journal_open() only. */
	if (!k || !k->undo)
		return -EINVAL;
	while (n < 3 && fields[n])
		n++;
	for (unsigned i = n; i < 3; i++)
		if (fields[i])
			return -EINVAL;
	if (n != k->n_fields)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!valid_field(k->types[i], fields[i]))
			return -EINVAL;
	return journal_write_line(journal_fd, kind, fields, n);
}

int ht_journal_open(struct ht_journal **ret, char ret_run_id[16])
{
	_cleanup_free_ char *jdir = NULL;
	unsigned long long starttime = 0;
	int r;

	/*
	 * Traversable but not listable (0711): tests in user namespaces run as
	 * an unprivileged mapped uid and must reach their scratch dirs under
	 * runs/; the journals stay private (0700). An older 0700 state dir of
	 * ours is opened up the same way.
	 */
	r = mkdir_p(ht_state_dir(), 0711);
	if (r < 0)
		return r;
	{
		struct stat st;

		if (stat(ht_state_dir(), &st) == 0 && st.st_uid == getuid() &&
		    (st.st_mode & 07777) == 0700)
			chmod(ht_state_dir(), 0711);
	}
	jdir = ht_xasprintf("%s/journal", ht_state_dir());
	if (mkdir(jdir, 0700) < 0 && errno != EEXIST)
		return -errno;
	r = proc_starttime(getpid(), &starttime);
	if (r < 0)
		return r;

	for (int attempt = 0; attempt < 16; attempt++) {
		_cleanup_free_ struct ht_journal *j = ht_xcalloc(1, sizeof(*j));
		_cleanup_free_ char *path = NULL, *pid = NULL, *st = NULL;
		_cleanup_close_ int fd = -1, lock_fd = -1;
		const char *header[3];
		struct stat s;
		uint32_t v;
		ssize_t got;

		got = getrandom(&v, sizeof(v), 0);
		if (got < 0)
			return -errno;
		if (got != sizeof(v))
			return -EIO;
		snprintf(j->run_id, sizeof(j->run_id), "%08x", v);
		path = ht_xasprintf("%s/%s", jdir, j->run_id);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		lock_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (lock_fd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		r = lock_fd_track(lock_fd);
		if (r < 0)
			return r;
		/*
		 * Between our create and this flock(2), a reaper may have found
		 * the empty file unlocked: it then holds the lock, or has
		 * already unlinked the file. Both mean: try another id.
		 */
		if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
			r = -errno;
			lock_fd_untrack(lock_fd);
			if (r == -EWOULDBLOCK)
				continue;
			unlink(path);
			return r;
		}
		if (fstat(lock_fd, &s) < 0 || s.st_nlink == 0) {
			lock_fd_untrack(lock_fd);
			continue;
		}
		pid = ht_xasprintf("%d", (int)getpid());
		st = ht_xasprintf("%llu", starttime);
		header[0] = j->run_id;
		header[1] = pid;
		header[2] = st;
		r = journal_write_line(fd, "run", header, 3);
		if (r < 0) {
			lock_fd_untrack(lock_fd);
			unlink(path);
			return r;
		}
		j->fd = TAKE_FD(fd);
		j->lock_fd = TAKE_FD(lock_fd);
		j->owner = getpid();
		j->path = TAKE_PTR(path);
		memcpy(ret_run_id, j->run_id, sizeof(j->run_id));
		*ret = TAKE_PTR(j);
		return 0;
	}
	return -EEXIST;
}

int ht_journal_reap_all(const struct ht_journal *self, FILE *out, bool dry_run,
			unsigned *ret_journals)
{
	_cleanup_free_ char *jdir = ht_xasprintf("%s/journal", ht_state_dir());
	_cleanup_close_ int dfd = -1;
	char **names = NULL;
	size_t n = 0;
	unsigned journals = 0;
	int failures = 0;
	struct dirent *de;
	DIR *d;

	dfd = open(jdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno != ENOENT)
			return -errno;
		if (ret_journals)
			*ret_journals = 0;
		return 0;
	}
	d = opendir(jdir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!valid_run_id(de->d_name))
			continue;
		if (self && strcmp(de->d_name, self->run_id) == 0)
			continue;
		names = ht_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = ht_xstrdup(de->d_name);
	}
	closedir(d);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *label = ht_xasprintf("%s/%s", jdir, names[i]);
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;

		fd = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		/* The owner finished between readdir and open: nothing left. */
		if (fd < 0 && errno == ENOENT)
			goto next;
		if (fd < 0) {
			say(out, "failed to read journal %s: %s\n", label, ht_errno_name(errno));
			failures++;
			goto next;
		}
		/* flock(2): the owner holds LOCK_EX for its whole life. */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK) {
				say(out, "failed to lock journal %s: %s\n", label,
				    ht_errno_name(errno));
				failures++;
			} else if (journal_owner_dead(fd)) {
				say(out,
				    "skipped journal %s: its run is dead but a process it forked "
				    "still holds the lock; reap again once it exits\n",
				    label);
			}
			goto next;
		}
		/* Unlinked while we waited: its owner closed it, or another reaper took it. */
		if (fstat(fd, &st) < 0 || st.st_nlink == 0)
			goto next;
		journals++;
		r = undo_fd(fd, label, names[i], out, dry_run, false);
		if (r < 0) {
			say(out, "failed to read journal %s: %s\n", label, ht_errno_name(r));
			failures++;
			goto next;
		}
		failures += r;
		/* Unlink while still holding the lock, so no other reaper replays it. */
		if (r == 0 && !dry_run && unlinkat(dfd, names[i], 0) < 0 && errno != ENOENT) {
			say(out, "failed to remove journal %s: %s\n", label, ht_errno_name(errno));
			failures++;
		}
next:
		free(names[i]);
	}
	free(names);
	if (ret_journals)
		*ret_journals = journals;
	return failures;
}

int ht_journal_close(struct ht_journal *j, FILE *out)
{
	int r;

	if (!j)
		return 0;
	/* A forked child only lets go of its copy; the run is the owner's to finish. */
	if (j->owner != getpid()) {
		ht_journal_free(j);
		return 0;
	}
	r = undo_fd(j->lock_fd, j->path, j->run_id, out, false, true);
	if (r == 0) {
		/* Unlink before the lock goes, as reapers do. */
		if (unlink(j->path) < 0 && errno != ENOENT)
			r = -errno;
	} else if (r > 0) {
		say(out, "kept journal %s: `isolab reap` will retry the %d failed entr%s\n",
		    j->path, r, r == 1 ? "y" : "ies");
	}
	ht_journal_free(j);
	return r;
}
