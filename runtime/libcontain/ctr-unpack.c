// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Secure application of OCI layers (image-spec layer.md) with libarchive.
 *
 * The threat is the layer itself: a tar stream written by someone else. The
 * defence is structural, not a list of bad patterns:
 *
 *  - Names are cleaned first (ctr_unpack_path_clean): absolute names and ".."
 *    components are refused, whatever tar form carried them (ustar prefix,
 *    PAX path, GNU long name: libarchive hands us the merged name).
 *  - A parent directory is only ever reached with openat2(2) RESOLVE_IN_ROOT
 *    on the rootfs fd, so a symlink made by an earlier entry or layer, even
 *    "/" or "../../..", resolves as if the rootfs were "/" and cannot lead
 *    out (openat2(2), "RESOLVE_IN_ROOT"). RESOLVE_NO_XDEV keeps us off any
 *    mount inside the tree, RESOLVE_NO_MAGICLINKS off /proc-style links.
 *  - A leaf is made with a *at() call on that parent fd with O_NOFOLLOW or
 *    O_EXCL, so an existing symlink at the leaf is replaced, never followed.
 *  - A hardlink target is resolved the same way, so it is inside the root.
 *
 * Whiteouts (layer.md#whiteouts): ".wh.NAME" removes NAME of the lower
 * layers; ".wh..wh..opq" removes every lower child of its directory, before
 * the siblings of the same layer, wherever it sits in the stream. To honour
 * "before" without reading a layer twice, the paths this layer made (and
 * their parents) are kept in a set, and an opaque marker only removes what
 * is not in it.
 *
 * libarchive is opened by ctr_unpack_new() and ctr_unpack_layer() rather than
 * linked (ctr-dl-archive.h), so contain's other verbs never load it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctr-dl-archive.h"
#include "ctr-mutant.h"
#include "ctr-unpack.h"
#include "ctr-util.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define WH_META	  ".wh..wh."

#define RESOLVE_FLAGS (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* A set of strings (open addressing), the paths the current layer made. */
struct pathset {
	char **slot;
	size_t cap, n;
};

struct ctr_unpack {
	int rootfd;
	struct ctr_unpack_opts opts;
	struct ctr_unpack_stats st;
	struct pathset made;
	/*
	 * The last parent resolved, reused while entries share it. No removal
	 * invalidates it: an entry only removes children of its own parent, and
	 * removing the cached directory itself takes another parent first.
	 */
	char *cache_path;
	int cache_fd;
	char *buf;
};

void ctr_unpack_opts_default(struct ctr_unpack_opts *o)
{
	*o = (struct ctr_unpack_opts){
		.limits = {
			.max_size = CTR_UNPACK_DEFAULT_MAX_SIZE,
			.max_entries = CTR_UNPACK_DEFAULT_MAX_ENTRIES,
			.max_depth = CTR_UNPACK_DEFAULT_MAX_DEPTH,
			.max_name = CTR_UNPACK_DEFAULT_MAX_NAME,
		},
	};
}

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static char **pathset_find(struct pathset *s, const char *p, size_t n)
{
	size_t i = hash_str(p, n) & (s->cap - 1);

	while (s->slot[i] && (strncmp(s->slot[i], p, n) != 0 || s->slot[i][n] != '\0'))
		i = (i + 1) & (s->cap - 1);
	return &s->slot[i];
}

static bool pathset_has(struct pathset *s, const char *p)
{
	return s->cap && *pathset_find(s, p, strlen(p));
}

static int pathset_add(struct pathset *s, const char *p, size_t n)
{
	char **slot;

	if ((s->n + 1) * 2 > s->cap) {
		struct pathset bigger = { .cap = s->cap ? s->cap * 2 : 1024 };

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				*pathset_find(&bigger, s->slot[i], strlen(s->slot[i])) = s->slot[i];
		bigger.n = s->n;
		free(s->slot);
		*s = bigger;
	}
	slot = pathset_find(s, p, n);
	if (*slot)
		return 0;
	*slot = strndup(p, n);
	if (!*slot)
		return -ENOMEM;
	s->n++;
	return 0;
}

/* Add p and each of its parents ("a/b/c": "a", "a/b", "a/b/c"). */
static int pathset_add_with_parents(struct pathset *s, const char *p)
{
	size_t len = strlen(p);
	int r;

	for (size_t i = 0; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		r = pathset_add(s, p, i);
		if (r < 0)
			return r;
	}
	return 0;
}

static void pathset_clear(struct pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	*s = (struct pathset){ 0 };
}

static void cache_drop(struct ctr_unpack *u)
{
	free(u->cache_path);
	u->cache_path = NULL;
	ctr_closep(&u->cache_fd);
}

int ctr_unpack_new(int rootfd, const struct ctr_unpack_opts *o, struct ctr_unpack **ret,
		   struct ctr_error *err)
{
	struct ctr_unpack *u;
	int r;

	/* First, so that a missing libarchive fails before the first layer is read. */
	r = ctr_dlopen_archive(err);
	if (r < 0)
		return r;
	u = calloc(1, sizeof(*u));
	if (!u)
		return ctr_error_errno(err, ENOMEM, "unpack");
	u->cache_fd = -1;
	u->opts = *o;
	if (u->opts.limits.max_name > NAME_MAX)
		u->opts.limits.max_name = NAME_MAX;
	u->buf = malloc(1 << 20);
	u->rootfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (!u->buf || u->rootfd < 0) {
		int e = u->buf ? errno : ENOMEM;

		ctr_unpack_free(u);
		return ctr_error_errno(err, e, "unpack");
	}
	*ret = u;
	return 0;
}

void ctr_unpack_free(struct ctr_unpack *u)
{
	if (!u)
		return;
	cache_drop(u);
	pathset_clear(&u->made);
	if (u->rootfd >= 0)
		close(u->rootfd);
	free(u->buf);
	free(u);
}

const struct ctr_unpack_stats *ctr_unpack_get_stats(const struct ctr_unpack *u)
{
	return &u->st;
}

int ctr_unpack_path_clean(const char *name, const struct ctr_unpack_limits *l, char **ret,
			  struct ctr_error *err)
{
	_cleanup_free_ char *out = NULL;
	size_t o = 0, depth = 0;
	const char *p = name;

	if (!name || !*name)
		return ctr_error_set(err, EINVAL, "empty name");
	if (name[0] == '/')
		return ctr_error_set(err, EPERM, "absolute name");
	out = malloc(strlen(name) + 1);
	if (!out)
		return ctr_error_errno(err, ENOMEM, "clean path");
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.' && !ctr_mutant("untar-no-path-checks"))
			return ctr_error_set(err, EPERM, "the name has a \"..\" component");
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (n > l->max_name)
				return ctr_error_set(
					err, ENAMETOOLONG,
					"a component is %zu bytes long, over the limit "
					"of %u (--max-name)",
					n, l->max_name);
			if (++depth > l->max_depth)
				return ctr_error_set(err, ELOOP,
						     "the path is more than %u components deep "
						     "(--max-depth)",
						     l->max_depth);
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
			if (o >= PATH_MAX)
				return ctr_error_set(err, ENAMETOOLONG,
						     "the path is longer than %d bytes",
						     PATH_MAX - 1);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

static int xopenat2(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_FLAGS,
	};
	int fd;

	if (ctr_mutant("untar-no-path-checks"))
		how.resolve &= ~(uint64_t)RESOLVE_IN_ROOT;
	/* EAGAIN: a concurrent rename raced the lookup; openat2(2) says retry. */
	for (int i = 0; i < 16; i++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : fd;
}

static int remove_tree_depth(int at, const char *name, dev_t dev, unsigned depth,
			     struct ctr_error *err)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ctr_error_errno(err, errno, "stat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(at, name, 0) < 0 && errno != ENOENT)
			return ctr_error_errno(err, errno, "remove %s", name);
		return 0;
	}
	if (dev != (dev_t)-1 && st.st_dev != dev)
		return ctr_error_set(err, EXDEV, "remove %s: it is another mount", name);
	if (depth > 4096)
		return ctr_error_set(err, ELOOP, "remove %s: too deep", name);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open %s", name);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return ctr_error_errno(err, errno, "open %s", name);
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = remove_tree_depth(dirfd(d), de->d_name, st.st_dev, depth + 1, err);
		if (r < 0)
			break;
	}
	if (r >= 0 && errno)
		r = ctr_error_errno(err, errno, "read directory %s", name);
	closedir(d);
	if (r < 0)
		return r;
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ctr_error_errno(err, errno, "remove %s", name);
	return 0;
}

int ctr_remove_tree_at(int dirfd, const char *name, struct ctr_error *err)
{
	return remove_tree_depth(dirfd, name, (dev_t)-1, 0, err);
}

/* Remove every child of dirfd (path `dir` in the rootfs) that this layer did not make. */
static int opaque_apply(struct ctr_unpack *u, int at, char *dir, size_t dirlen,
			struct ctr_error *err)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	fd = openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open directory");
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return ctr_error_errno(err, errno, "open directory");
	}
	while ((errno = 0, de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dirlen + 1 + n >= PATH_MAX) {
			r = ctr_error_set(err, ENAMETOOLONG, "path too long");
			break;
		}
		/* dir holds PATH_MAX bytes; extend it in place, then restore. */
		if (dirlen)
			dir[dirlen] = '/';
		memcpy(dir + dirlen + !!dirlen, de->d_name, n + 1);
		if (!pathset_has(&u->made, dir)) {
			r = ctr_remove_tree_at(dirfd(d), de->d_name, err);
		} else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			   S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				r = ctr_error_errno(err, errno, "open %s", dir);
			} else {
				r = opaque_apply(u, sub, dir, dirlen + !!dirlen + n, err);
				close(sub);
			}
		}
		dir[dirlen] = '\0';
		if (r < 0)
			break;
	}
	if (r >= 0 && errno)
		r = ctr_error_errno(err, errno, "read directory");
	closedir(d);
	return r;
}

/*
 * The fd of directory `parent` ("" for the root) inside the rootfs, made
 * (0755, like the implicit directories of docker and umoci) when missing.
 * The fd is the cache's: do not close it.
 */
static int open_parent(struct ctr_unpack *u, const char *parent, bool create, int *ret,
		       struct ctr_error *err)
{
	char prefix[PATH_MAX];
	int fd, prev = -1;
	size_t len = strlen(parent);

	if (u->cache_path && strcmp(u->cache_path, parent) == 0) {
		*ret = u->cache_fd;
		return 0;
	}
	cache_drop(u);
	fd = xopenat2(u->rootfd, *parent ? parent : ".", O_PATH | O_DIRECTORY);
	if (fd == -ENOENT && create) {
		/* Walk down from the root, making each missing component. */
		prev = fcntl(u->rootfd, F_DUPFD_CLOEXEC, 3);
		if (prev < 0)
			return ctr_error_errno(err, errno, "dup");
		for (size_t i = 0; i <= len; i++) {
			const char *comp;

			if (parent[i] != '/' && parent[i] != '\0')
				continue;
			memcpy(prefix, parent, i);
			prefix[i] = '\0';
			comp = strrchr(prefix, '/');
			comp = comp ? comp + 1 : prefix;
			fd = xopenat2(u->rootfd, prefix, O_PATH | O_DIRECTORY);
			if (fd == -ENOENT) {
				if (mkdirat(prev, comp, 0755) < 0 && errno != EEXIST) {
					fd = -errno;
				} else {
					fd = xopenat2(u->rootfd, prefix, O_PATH | O_DIRECTORY);
					if (fd == -ENOENT)
						/* What is in the way is a dangling symlink. */
						fd = -ENOTDIR;
				}
			}
			close(prev);
			prev = fd;
			if (fd < 0)
				break;
		}
	}
	if (fd < 0) {
		switch (-fd) {
		case ENOTDIR:
			return ctr_error_set(err, ENOTDIR,
					     "a parent is not a directory (nor a symlink to one "
					     "inside the root)");
		case EXDEV:
			return ctr_error_set(err, EXDEV, "a parent crosses a mount point");
		case ELOOP:
			return ctr_error_set(err, ELOOP,
					     "a parent has too many levels of symlinks");
		case ENOSYS:
			/* No fallback to openat(2): it cannot keep symlinks inside the root. */
			ctr_error_errno(err, ENOSYS, "open parent directory");
			return ctr_error_hint(err, "secure extraction needs openat2(2), Linux 5.6 "
						   "or later");
		default:
			return ctr_error_errno(err, -fd, "open parent directory");
		}
	}
	u->cache_path = strdup(parent);
	if (!u->cache_path) {
		close(fd);
		return ctr_error_errno(err, ENOMEM, "unpack");
	}
	u->cache_fd = fd;
	*ret = fd;
	return 0;
}

static int whiteout(struct ctr_unpack *u, const char *parent, const char *name, bool opaque,
		    struct ctr_error *err)
{
	char dir[PATH_MAX];
	int pfd, dfd, r;

	u->st.whiteouts++;
	r = open_parent(u, parent, false, &pfd, err);
	if (r < 0)
		/* Nothing below to hide: a whiteout of a missing path is a no-op. */
		return err->err == ENOENT || err->err == ENOTDIR ? 0 : r;
	if (!opaque) {
		if (snprintf(dir, sizeof(dir), "%s%s%s", parent, *parent ? "/" : "", name) >=
		    (int)sizeof(dir))
			return ctr_error_set(err, ENAMETOOLONG, "path too long");
		/* What this same layer made is not "lower": keep it. */
		if (pathset_has(&u->made, dir))
			return 0;
		return ctr_remove_tree_at(pfd, name, err);
	}
	dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ctr_error_errno(err, errno, "open directory");
	snprintf(dir, sizeof(dir), "%s", parent);
	r = opaque_apply(u, dfd, dir, strlen(dir), err);
	close(dfd);
	return r;
}

/* Ownership, mode and times of a new leaf, through an fd of it. */
static int apply_meta(struct ctr_unpack *u, int fd, struct archive_entry *e, mode_t mode,
		      struct ctr_error *err)
{
	if (fchown(fd, sym_archive_entry_uid(e), sym_archive_entry_gid(e)) < 0 && errno != EPERM &&
	    errno != EINVAL)
		return ctr_error_errno(err, errno, "chown");
	/* After fchown(2), which clears setuid/setgid on its own. */
	if (fchmod(fd, mode) < 0)
		return ctr_error_errno(err, errno, "chmod");
	if (sym_archive_entry_mtime_is_set(e)) {
		struct timespec ts[2] = {
			{ .tv_nsec = UTIME_OMIT },
			{ sym_archive_entry_mtime(e), sym_archive_entry_mtime_nsec(e) },
		};

		if (futimens(fd, ts) < 0)
			return ctr_error_errno(err, errno, "set times");
	}
	return 0;
}

static int write_data(struct ctr_unpack *u, struct archive *a, int fd, struct archive_entry *e,
		      struct ctr_error *err)
{
	const struct ctr_unpack_limits *l = &u->opts.limits;
	const void *buf;
	size_t n;
	la_int64_t off, end = 0;
	int r;

	for (;;) {
		r = sym_archive_read_data_block(a, &buf, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return ctr_error_set(err, EIO, "read data: %s",
					     sym_archive_error_string(a));
		if (u->st.bytes + n > l->max_size)
			return ctr_error_set(err, EFBIG,
					     "the layers hold more than %llu bytes of file content "
					     "(--max-size)",
					     (unsigned long long)l->max_size);
		u->st.bytes += n;
		for (size_t done = 0; done < n;) {
			ssize_t w = pwrite(fd, (const char *)buf + done, n - done,
					   (off_t)(off + (la_int64_t)done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return ctr_error_errno(err, errno, "write");
			done += (size_t)w;
		}
		if (off + (la_int64_t)n > end)
			end = off + (la_int64_t)n;
	}
	/* A sparse file may end in a hole. */
	if (sym_archive_entry_size_is_set(e) && sym_archive_entry_size(e) > end &&
	    ftruncate(fd, (off_t)sym_archive_entry_size(e)) < 0)
		return ctr_error_errno(err, errno, "truncate");
	return 0;
}

static mode_t sanitise_mode(struct ctr_unpack *u, mode_t perm, bool dir)
{
	perm &= 07777;
	/* A setgid directory only passes its group on; setuid on one means nothing. */
	if (dir)
		return perm & ~S_ISUID;
	if (!u->opts.keep_setid && (perm & (S_ISUID | S_ISGID))) {
		u->st.setid_stripped++;
		perm &= ~(mode_t)(S_ISUID | S_ISGID);
	}
	return perm;
}

/* Make the leaf `name` in pfd for entry e (path `path`, cleaned). */
static int make_leaf(struct ctr_unpack *u, struct archive *a, struct archive_entry *e, int pfd,
		     const char *name, struct ctr_error *err)
{
	mode_t type = sym_archive_entry_filetype(e);
	struct stat st;
	_cleanup_close_ int fd = -1;
	int r;

	if (type == AE_IFCHR || type == AE_IFBLK) {
		/* Device nodes would hand the container the host's hardware. */
		u->st.devices_skipped++;
		return 0;
	}
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO)
		return ctr_error_set(err, EPERM, "unsupported entry type 0%o", (unsigned)type);

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (type == AE_IFDIR && S_ISDIR(st.st_mode)) {
			fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return ctr_error_errno(err, errno, "open directory");
			return apply_meta(u, fd, e,
					  sanitise_mode(u, sym_archive_entry_perm(e), true), err);
		}
		/* A later layer replaces what is there; a symlink is never followed. */
		r = ctr_remove_tree_at(pfd, name, err);
		if (r < 0)
			return r;
	} else if (errno != ENOENT) {
		return ctr_error_errno(err, errno, "stat");
	}

	switch (type) {
	case AE_IFREG:
		if (sym_archive_entry_size_is_set(e) &&
		    (uint64_t)sym_archive_entry_size(e) > u->opts.limits.max_size - u->st.bytes)
			return ctr_error_set(err, EFBIG,
					     "its %lld bytes go over the limit of %llu bytes of "
					     "file content (--max-size)",
					     (long long)sym_archive_entry_size(e),
					     (unsigned long long)u->opts.limits.max_size);
		fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return ctr_error_errno(err, errno, "create file");
		r = write_data(u, a, fd, e, err);
		if (r < 0)
			return r;
		return apply_meta(u, fd, e, sanitise_mode(u, sym_archive_entry_perm(e), false),
				  err);
	case AE_IFDIR:
		if (mkdirat(pfd, name, 0700) < 0)
			return ctr_error_errno(err, errno, "create directory");
		fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return ctr_error_errno(err, errno, "open directory");
		return apply_meta(u, fd, e, sanitise_mode(u, sym_archive_entry_perm(e), true), err);
	case AE_IFIFO:
		/*
		 * Harmless in itself: nothing here (nor anything contain does
		 * with the rootfs later) opens it for I/O. O_NONBLOCK makes
		 * the open for reading return at once (fifo(7)).
		 */
		if (mkfifoat(pfd, name, 0600) < 0)
			return ctr_error_errno(err, errno, "create fifo");
		fd = openat(pfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return ctr_error_errno(err, errno, "open fifo");
		return apply_meta(u, fd, e, sanitise_mode(u, sym_archive_entry_perm(e), false),
				  err);
	default: {
		/* AE_IFLNK: stored as is; it is only ever resolved inside the root. */
		const char *target = sym_archive_entry_symlink(e);

		if (!target)
			target = sym_archive_entry_symlink_utf8(e);
		if (!target || !*target)
			return ctr_error_set(err, EINVAL, "symlink with an empty target");
		if (strlen(target) >= PATH_MAX)
			return ctr_error_set(err, ENAMETOOLONG, "symlink target too long");
		if (symlinkat(target, pfd, name) < 0)
			return ctr_error_errno(err, errno, "create symlink");
		if (fchownat(pfd, name, sym_archive_entry_uid(e), sym_archive_entry_gid(e),
			     AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != EPERM && errno != EINVAL)
			return ctr_error_errno(err, errno, "chown symlink");
		if (sym_archive_entry_mtime_is_set(e)) {
			struct timespec ts[2] = {
				{ .tv_nsec = UTIME_OMIT },
				{ sym_archive_entry_mtime(e), sym_archive_entry_mtime_nsec(e) },
			};

			utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
		}
		return 0;
	}
	}
}

static int make_hardlink(struct ctr_unpack *u, const char *target_raw, int pfd, const char *name,
			 struct ctr_error *err)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_close_ int tfd = -1;
	struct stat st, cur;
	char proc[64];
	int r;

	r = ctr_unpack_path_clean(target_raw, &u->opts.limits, &target, err);
	if (r < 0)
		return ctr_error_prefix(err, "hardlink target");
	if (!*target)
		return ctr_error_set(err, EPERM, "hardlink to the root directory");
	/* O_NOFOLLOW: a hardlink to a symlink links the symlink itself. */
	tfd = xopenat2(u->rootfd, target, O_PATH | O_NOFOLLOW);
	if (tfd < 0)
		return ctr_error_errno(err, -tfd, "hardlink target");
	if (fstat(tfd, &st) < 0)
		return ctr_error_errno(err, errno, "hardlink target");
	if (S_ISDIR(st.st_mode))
		return ctr_error_set(err, EPERM, "hardlink to a directory");
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return ctr_error_set(err, EPERM, "hardlink to a device node");
	if (fstatat(pfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0) {
		if (cur.st_dev == st.st_dev && cur.st_ino == st.st_ino)
			return 0;
		r = ctr_remove_tree_at(pfd, name, err);
		if (r < 0)
			return r;
	}
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the fd's /proc link does not (linkat(2)). */
	if (linkat(tfd, "", pfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
	if (linkat(AT_FDCWD, proc, pfd, name, AT_SYMLINK_FOLLOW) < 0)
		return ctr_error_errno(err, errno, "create hardlink");
	return 0;
}

/* The entry's name as it may be printed: bounded, control bytes as '?'. */
static void printable(const char *s, char *out, size_t size)
{
	size_t j = 0, len = s ? strlen(s) : 0;

	for (size_t i = 0; i < len && j + 4 < size; i++)
		out[j++] = ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f) ? s[i] : '?';
	if (j < len && j + 3 < size)
		out[j++] = '.', out[j++] = '.', out[j++] = '.';
	out[j] = '\0';
}

static int apply_entry(struct ctr_unpack *u, struct archive *a, struct archive_entry *e,
		       const char *raw, struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	const char *base, *hl;
	char *slash;
	int pfd, r;

	r = ctr_unpack_path_clean(raw, &u->opts.limits, &path, err);
	if (r < 0)
		return r;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (slash)
		*slash = '\0';

	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0 && !ctr_mutant("whiteouts-ignored")) {
		const char *hidden = base + strlen(WH_PREFIX);
		const char *parent = slash ? path : "";

		if (strcmp(base, WH_OPAQUE) == 0)
			return whiteout(u, parent, NULL, true, err);
		/* Other ".wh..wh." names are aufs metadata (plnk, aufs), never content. */
		if (strncmp(base, WH_META, strlen(WH_META)) == 0)
			return 0;
		if (!*hidden)
			return ctr_error_set(err, EINVAL, "a whiteout (.wh.) without a name");
		if (strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
			return ctr_error_set(err, EPERM, "a whiteout of \"%s\"", hidden);
		return whiteout(u, parent, hidden, false, err);
	}

	if (!*base) {
		/* The root itself ("./"): only a directory's metadata applies. */
		if (sym_archive_entry_filetype(e) != AE_IFDIR)
			return ctr_error_set(err, EPERM,
					     "the entry would replace the root directory with a "
					     "non-directory");
		return apply_meta(u, u->rootfd, e,
				  sanitise_mode(u, sym_archive_entry_perm(e), true), err);
	}
	if (slash)
		*slash = '/';
	r = pathset_add_with_parents(&u->made, path);
	if (r < 0)
		return ctr_error_errno(err, -r, "unpack");
	if (slash)
		*slash = '\0';

	r = open_parent(u, slash ? path : "", true, &pfd, err);
	if (r < 0)
		return r;
	hl = sym_archive_entry_hardlink(e);
	if (!hl)
		hl = sym_archive_entry_hardlink_utf8(e);
	if (hl)
		return make_hardlink(u, hl, pfd, base, err);
	return make_leaf(u, a, e, pfd, base, err);
}

int ctr_unpack_layer(struct ctr_unpack *u, int fd, const char *what, struct ctr_error *err)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	char shown[256];
	int r = 0, ar;

	/* Loaded by ctr_unpack_new() already: this only returns its result. */
	r = ctr_dlopen_archive(err);
	if (r < 0)
		return r;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return ctr_error_errno(err, errno, "%s: seek", what);
	a = sym_archive_read_new();
	if (!a)
		return ctr_error_errno(err, ENOMEM, "%s", what);
	/* Only what layer.md allows: tar, plain, gzip or zstd. */
	sym_archive_read_support_format_tar(a);
	sym_archive_read_support_filter_gzip(a);
	sym_archive_read_support_filter_zstd(a);
	if (sym_archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		r = ctr_error_set(err, EINVAL, "%s: not a tar stream (plain, gzip or zstd): %s",
				  what, sym_archive_error_string(a));
		goto out;
	}
	pathset_clear(&u->made);
	cache_drop(u);
	for (;;) {
		const char *raw;

		ar = sym_archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			r = ctr_error_set(err, EINVAL, "%s: after %llu entries: %s", what,
					  (unsigned long long)u->st.entries,
					  sym_archive_error_string(a));
			goto out;
		}
		raw = sym_archive_entry_pathname(e);
		if (!raw)
			raw = sym_archive_entry_pathname_utf8(e);
		printable(raw, shown, sizeof(shown));
		if (++u->st.entries > u->opts.limits.max_entries) {
			r = ctr_error_set(
				err, EFBIG,
				"%s: entry \"%s\": the layers hold more than %llu entries "
				"(--max-entries)",
				what, shown, (unsigned long long)u->opts.limits.max_entries);
			goto out;
		}
		r = raw ? apply_entry(u, a, e, raw, err) :
			  ctr_error_set(err, EINVAL, "a name that cannot be read");
		if (r < 0) {
			ctr_error_prefix(err, "%s: entry \"%s\"", what, shown);
			goto out;
		}
	}
	u->st.layers++;
out:
	cache_drop(u);
	pathset_clear(&u->made);
	sym_archive_read_free(a);
	return r;
}
