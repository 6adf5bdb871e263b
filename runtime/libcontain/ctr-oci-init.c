// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The container's init: what the cloned child of `contain oci create` does
 * between the parent's go and the exec of process.args.
 *
 *   join a user namespace, then a mount namespace (paths in the config)
 *   unshare the cgroup namespace (the parent has moved us into the group)
 *   make / private, bind the rootfs on itself
 *   [new user namespace] become its root
 *   mounts in config order, devices, sysctl, oom_score_adj,
 *   maskedPaths, readonlyPaths, root.readonly
 *   pivot_root(2), detach the old root, hostname
 *   close every fd but 0-2, the sync socket and exec.fifo
 *   chdir(process.cwd) and check it is inside the new root
 *   find the executable, refuse the runtime binary itself
 *   rlimits, groups, gid, capabilities, uid, noNewPrivileges
 *   close the sync socket (the parent reads "created")
 *   block reading exec.fifo until `start`, then execve
 *
 * Targets inside the rootfs are opened with ctr_rootfs_resolve() (no
 * symlink, no ".."), and mounts go onto the opened descriptor through
 * /proc/self/fd/N, so a hostile rootfs cannot redirect one onto the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctr-oci-runtime.h"
#include "ctr-rootfs.h"
#include "ctr-spawn.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct fd_path {
	char s[32];
};

static struct fd_path fdp(int fd)
{
	struct fd_path p;

	snprintf(p.s, sizeof(p.s), "/proc/self/fd/%d", fd);
	return p;
}

/* MS_* flags that mount_setattr(2) can set on a bind mount, as MOUNT_ATTR_*. */
static uint64_t attr_from_flags(unsigned long flags)
{
	uint64_t a = 0;

	if (flags & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	return a;
}

/*
 * A bind mount takes no flags of its own (mount(2), "Creating a bind
 * mount"): ro, nosuid, nodev, noexec are set on the new mount afterwards,
 * through a descriptor of it.
 */
static int set_attrs(int rootfd, const char *target, uint64_t attr, bool recursive,
		     struct ctr_error *err)
{
	_cleanup_close_ int top = -1;
	struct mount_attr ma = { .attr_set = attr };
	int r;

	if (!attr)
		return 0;
	r = ctr_rootfs_resolve(rootfd, target, CTR_RESOLVE_EXISTING, 0, "mount over it", &top, err);
	if (r < 0)
		return r;
	if (mount_setattr(top, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &ma,
			  sizeof(ma)) < 0)
		return ctr_error_errno(err, errno, "set the options of %s", target);
	return 0;
}

static int bind_into(int rootfd, const char *source, const char *target, unsigned long flags,
		     struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (stat(source, &st) < 0)
		return ctr_error_errno(err, errno, "bind %s on %s: stat %s", source, target,
				       source);
	r = ctr_rootfs_resolve(rootfd, target,
			       S_ISDIR(st.st_mode) ? CTR_RESOLVE_MKDIR : CTR_RESOLVE_MKFILE,
			       S_ISDIR(st.st_mode) ? 0755 : 0644, "mount over it", &fd, err);
	if (r < 0)
		return r;
	if (mount(source, fdp(fd).s, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
		return ctr_error_errno(err, errno, "bind %s on %s", source, target);
	return 0;
}

static int do_mount(int rootfd, const struct ctr_oci_mount *m, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	const char *type = m->type;
	int r;

	if (m->bind) {
		r = bind_into(rootfd, m->source, m->destination, m->flags, err);
		if (r < 0)
			return r;
		r = set_attrs(rootfd, m->destination,
			      attr_from_flags(m->flags) | (m->recursive_ro ? MOUNT_ATTR_RDONLY : 0),
			      (m->flags & MS_REC) || m->recursive_ro, err);
		if (r < 0)
			return r;
	} else {
		/*
		 * "cgroup" is v1 in the spec's examples; contain gives the
		 * container the v2 hierarchy, seen through its cgroup
		 * namespace.
		 */
		if (strcmp(type, "cgroup") == 0)
			type = "cgroup2";
		r = ctr_rootfs_resolve(rootfd, m->destination, CTR_RESOLVE_MKDIR, 0755,
				       "mount over it", &fd, err);
		if (r < 0)
			return r;
		if (mount(m->source ? m->source : type, fdp(fd).s, type,
			  m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT),
			  m->data) < 0) {
			int e = errno;

			ctr_error_errno(err, e, "mount %s on %s", type, m->destination);
			if (e == EPERM && strcmp(type, "sysfs") == 0)
				ctr_error_hint(err, "a new sysfs in a user namespace needs a new "
						    "network namespace");
			return -e;
		}
		if (m->recursive_ro) {
			r = set_attrs(rootfd, m->destination, MOUNT_ATTR_RDONLY, true, err);
			if (r < 0)
				return r;
		}
	}
	if (m->propagation) {
		ctr_closep(&fd);
		r = ctr_rootfs_resolve(rootfd, m->destination, CTR_RESOLVE_EXISTING, 0,
				       "mount over it", &fd, err);
		if (r < 0)
			return r;
		if (mount(NULL, fdp(fd).s, NULL, m->propagation, NULL) < 0)
			return ctr_error_errno(err, errno, "set the propagation of %s",
					       m->destination);
	}
	return 0;
}

/* Whether the config mounts a filesystem (not a bind) at /dev: then contain fills it. */
static bool dev_is_mounted(const struct ctr_oci_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].destination, "/dev") == 0 && !cfg->mounts[i].bind)
			return true;
	return false;
}

/*
 * One device node. mknod(2) is refused in a user namespace; then the
 * host's node at the same path is bound instead, as runc does.
 */
static int make_device(int rootfd, const char *path, char type, uint32_t major, uint32_t minor,
		       mode_t mode, uid_t uid, gid_t gid, struct ctr_error *err)
{
	_cleanup_close_ int dirfd = -1;
	const char *name;
	mode_t fmt = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
	int r;

	r = ctr_rootfs_resolve_parent(rootfd, path, "create a device through it", &dirfd, &name,
				      err);
	if (r < 0)
		return r;
	if (mknodat(dirfd, name, fmt | (mode & 07777), makedev(major, minor)) == 0) {
		if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return ctr_error_errno(err, errno, "chown %s", path);
		return 0;
	}
	if (errno == EEXIST) {
		/* A file of the rootfs: replace it, never follow it. */
		if (unlinkat(dirfd, name, 0) < 0)
			return ctr_error_errno(err, errno, "replace %s", path);
		if (mknodat(dirfd, name, fmt | (mode & 07777), makedev(major, minor)) == 0)
			return fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ?
				       ctr_error_errno(err, errno, "chown %s", path) :
				       0;
	}
	if (errno != EPERM)
		return ctr_error_errno(err, errno, "mknod %s", path);
	return bind_into(rootfd, path, path, 0, err);
}

static int make_devices(int rootfd, const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	/* runtime-spec config-linux.md, "Default Devices". */
	static const struct {
		const char *path;
		uint32_t major, minor;
	} defaults[] = {
		{ "/dev/null", 1, 3 },	 { "/dev/zero", 1, 5 },	   { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	static const struct {
		const char *link, *to;
	} links[] = {
		{ "/dev/ptmx", "pts/ptmx" },	      { "/dev/fd", "/proc/self/fd" },
		{ "/dev/stdin", "/proc/self/fd/0" },  { "/dev/stdout", "/proc/self/fd/1" },
		{ "/dev/stderr", "/proc/self/fd/2" },
	};
	int r;

	/*
	 * Without a /dev mount of its own, /dev is the rootfs's directory:
	 * the host's nodes are bound over its entries (made empty if missing),
	 * never mknod'ed into the bundle, and a symlink there is refused.
	 */
	if (!dev_is_mounted(cfg)) {
		for (size_t i = 0; i < CTR_ARRAY_SIZE(defaults); i++) {
			r = bind_into(rootfd, defaults[i].path, defaults[i].path, 0, err);
			if (r < 0)
				return r;
		}
	} else {
		for (size_t i = 0; i < CTR_ARRAY_SIZE(defaults); i++) {
			r = make_device(rootfd, defaults[i].path, 'c', defaults[i].major,
					defaults[i].minor, 0666, 0, 0, err);
			if (r < 0)
				return r;
		}
		for (size_t i = 0; i < CTR_ARRAY_SIZE(links); i++) {
			_cleanup_close_ int dirfd = -1;
			const char *name;

			r = ctr_rootfs_resolve_parent(rootfd, links[i].link,
						      "create files through it", &dirfd, &name,
						      err);
			if (r < 0)
				return r;
			if (symlinkat(links[i].to, dirfd, name) < 0 && errno != EEXIST)
				return ctr_error_errno(err, errno, "symlink %s", links[i].link);
		}
	}
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const struct ctr_oci_device *d = &cfg->devices[i];

		r = make_device(rootfd, d->path, d->type, d->major, d->minor, d->mode, d->uid,
				d->gid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Only namespaced sysctls, and only for a namespace the container has
 * (runc's validation): anything else would change the host.
 */
static int write_sysctls(const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	for (size_t i = 0; i < cfg->n_sysctl; i++) {
		const char *key = cfg->sysctl[i].key;
		char path[PATH_MAX];
		const char *njoined = NULL;
		bool ok = false;
		int r;

		if (strncmp(key, "net.", 4) == 0 || strncmp(key, "net/", 4) == 0)
			ok = ctr_oci_config_has_ns(cfg, CLONE_NEWNET, &njoined) && !njoined;
		else if (strncmp(key + 7, "msg", 3) == 0 || strncmp(key + 7, "sem", 3) == 0 ||
			 strncmp(key + 7, "shm", 3) == 0)
			ok = strncmp(key, "kernel", 6) == 0 &&
			     ctr_oci_config_has_ns(cfg, CLONE_NEWIPC, &njoined) && !njoined;
		else if (strncmp(key, "fs.mqueue.", 10) == 0 || strncmp(key, "fs/mqueue/", 10) == 0)
			ok = ctr_oci_config_has_ns(cfg, CLONE_NEWIPC, &njoined) && !njoined;
		else if (strcmp(key, "kernel.hostname") == 0 ||
			 strcmp(key, "kernel.domainname") == 0)
			ok = ctr_oci_config_has_ns(cfg, CLONE_NEWUTS, &njoined) && !njoined;
		if (!ok)
			return ctr_error_set(err, EPERM,
					     "linux.sysctl: \"%s\" is not namespaced, or the "
					     "container has no new namespace for it",
					     key);
		snprintf(path, sizeof(path), "/proc/sys/%s", key);
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		r = ctr_write_file(AT_FDCWD, path, cfg->sysctl[i].value);
		if (r < 0)
			return ctr_error_errno(err, -r, "write sysctl %s", key);
	}
	return 0;
}

/* config-linux.md, "Masked Paths": /dev/null over a file, an empty read-only tmpfs over a
 * directory. */
static int mask_paths(int rootfd, const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	for (size_t i = 0; i < cfg->n_masked_paths; i++) {
		const char *p = cfg->masked_paths[i];
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;

		r = ctr_rootfs_resolve(rootfd, p, CTR_RESOLVE_EXISTING, 0, "mask it", &fd, err);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return ctr_error_prefix(err, "linux.maskedPaths");
		if (fstat(fd, &st) < 0)
			return ctr_error_errno(err, errno, "mask %s", p);
		if (S_ISDIR(st.st_mode))
			r = mount("tmpfs", fdp(fd).s, "tmpfs", MS_RDONLY, "size=0,mode=0555");
		else
			r = mount("/dev/null", fdp(fd).s, NULL, MS_BIND, NULL);
		if (r < 0)
			return ctr_error_errno(err, errno, "mask %s", p);
	}
	return 0;
}

static int readonly_paths(int rootfd, const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	for (size_t i = 0; i < cfg->n_readonly_paths; i++) {
		const char *p = cfg->readonly_paths[i];
		_cleanup_close_ int fd = -1;
		int r;

		r = ctr_rootfs_resolve(rootfd, p, CTR_RESOLVE_EXISTING, 0, "make it read-only", &fd,
				       err);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return ctr_error_prefix(err, "linux.readonlyPaths");
		if (mount(fdp(fd).s, fdp(fd).s, NULL, MS_BIND | MS_REC, NULL) < 0)
			return ctr_error_errno(err, errno, "bind %s on itself", p);
		r = set_attrs(rootfd, p, MOUNT_ATTR_RDONLY, true, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Make process.cwd the cwd, made if missing, and refuse one outside the new root. */
static int enter_cwd(const char *cwd, struct ctr_error *err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0 && errno == ENOENT) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s", cwd);
		for (char *s = p + 1;; s++) {
			if (*s == '/' || !*s) {
				char c = *s;

				*s = '\0';
				if (mkdir(p, 0755) < 0 && errno != EEXIST)
					return ctr_error_errno(err, errno, "process.cwd: mkdir %s",
							       p);
				*s = c;
				if (!c)
					break;
			}
		}
	}
	if (chdir(cwd) < 0)
		return ctr_error_errno(err, errno, "process.cwd: chdir %s", cwd);
	/*
	 * getcwd(3) fails with ENOENT when the cwd is not reachable from the
	 * root: a directory of the host reached through a descriptor the
	 * caller leaked (/proc/self/fd/N, CVE-2024-21626).
	 */
	if (!getcwd(buf, sizeof(buf)))
		return ctr_error_set(err, EPERM,
				     "process.cwd \"%s\" is outside the container's root "
				     "(CVE-2024-21626)",
				     cwd);
	return 0;
}

/* process.args[0] looked up like execvp(3), with PATH from process.env. */
static int find_exe(const struct ctr_oci_config *cfg, char *buf, size_t n, struct ctr_error *err)
{
	const char *a0 = cfg->process.args[0];
	const char *path = DEFAULT_PATH;
	int e = ENOENT;

	if (strchr(a0, '/')) {
		snprintf(buf, n, "%s", a0);
		if (access(buf, X_OK) < 0)
			return ctr_error_errno(err, errno, "exec \"%s\"", a0);
		return 0;
	}
	for (char **v = cfg->process.env; *v; v++)
		if (strncmp(*v, "PATH=", 5) == 0)
			path = *v + 5;
	for (const char *p = path;;) {
		const char *end = strchrnul(p, ':');
		struct stat st;

		snprintf(buf, n, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", a0);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return 0;
			e = EACCES;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	return ctr_error_errno(err, e, "exec \"%s\"", a0);
}

/*
 * CVE-2019-5736: a process whose interpreter (#!) is /proc/self/exe would
 * be the runtime binary itself, run inside the container, where it can be
 * reopened for writing through /proc/PID/exe. The init is still that
 * binary when it execs, so refuse any executable, or #! interpreter up to
 * the kernel's four levels, that is the same file.
 */
static int check_not_runtime(const struct ctr_oci_init *ctx, const char *exe, struct ctr_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", exe);
	for (int depth = 0; depth < 5; depth++) {
		_cleanup_close_ int fd = -1;
		char head[256], *p, *end;
		struct stat st;
		ssize_t n;

		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			return 0; /* execve reports it */
		if (fstat(fd, &st) == 0 && st.st_dev == ctx->exe_dev && st.st_ino == ctx->exe_ino)
			return ctr_error_set(err, EPERM,
					     "exec \"%s\": %s is the runtime binary; refusing to "
					     "run it in the container (CVE-2019-5736)",
					     exe, path);
		n = read(fd, head, sizeof(head) - 1);
		if (n < 3 || head[0] != '#' || head[1] != '!')
			return 0;
		head[n] = '\0';
		for (p = head + 2; *p == ' ' || *p == '\t'; p++)
			;
		for (end = p; *end && *end != ' ' && *end != '\t' && *end != '\n'; end++)
			;
		*end = '\0';
		if (!*p)
			return 0;
		snprintf(path, sizeof(path), "%s", p);
	}
	return 0;
}

static int set_rlimits(const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	for (size_t i = 0; i < cfg->process.n_rlimits; i++) {
		const struct ctr_oci_rlimit *l = &cfg->process.rlimits[i];
		struct rlimit rl = { .rlim_cur = l->soft, .rlim_max = l->hard };

		if (setrlimit(l->resource, &rl) < 0) {
			int e = errno;

			ctr_error_errno(err, e, "process.rlimits: set %s to %llu/%llu",
					ctr_oci_rlimit_name(l->resource),
					(unsigned long long)l->soft, (unsigned long long)l->hard);
			if (e == EPERM)
				return ctr_error_hint(err, "raising a hard limit needs "
							   "CAP_SYS_RESOURCE");
			return -e;
		}
	}
	return 0;
}

static int capset_all(const uint64_t *caps, struct ctr_error *err)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(caps[CTR_OCI_CAP_EFFECTIVE] >> (32 * i));
		d[i].permitted = (uint32_t)(caps[CTR_OCI_CAP_PERMITTED] >> (32 * i));
		d[i].inheritable = (uint32_t)(caps[CTR_OCI_CAP_INHERITABLE] >> (32 * i));
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return ctr_error_errno(err, errno, "process.capabilities: capset");
	return 0;
}

/* The runtime's own permitted set: a capability it lacks cannot be given. */
static uint64_t own_permitted(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
}

static int set_user(const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	const struct ctr_oci_process *pr = &cfg->process;
	uint64_t caps[CTR_OCI_CAPSETS];

	if (setgroups(pr->n_additional_gids, pr->additional_gids) < 0 && errno != EPERM)
		return ctr_error_errno(err, errno, "process.user.additionalGids: setgroups");
	if (setresgid(pr->gid, pr->gid, pr->gid) < 0)
		return ctr_error_errno(err, errno, "process.user.gid: setresgid %u",
				       (unsigned)pr->gid);
	if (!pr->has_capabilities) {
		if (setresuid(pr->uid, pr->uid, pr->uid) < 0)
			return ctr_error_errno(err, errno, "process.user.uid: setresuid %u",
					       (unsigned)pr->uid);
		return 0;
	}

	memcpy(caps, pr->caps, sizeof(caps));
	{
		uint64_t have = own_permitted();

		for (int s = 0; s < CTR_OCI_CAPSETS; s++)
			caps[s] &= have;
	}
	/* capabilities(7), "Capability bounding set": dropped while we still have CAP_SETPCAP. */
	for (int c = 0; c < 64; c++) {
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);

		if (in < 0)
			break;
		if (in && !(caps[CTR_OCI_CAP_BOUNDING] & (1ULL << c)) &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return ctr_error_errno(err, errno, "drop %s from the bounding set",
					       ctr_oci_cap_name((unsigned)c) ?: "?");
	}
	/* Keep the permitted set across the switch to a non-zero uid. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return ctr_error_errno(err, errno, "prctl PR_SET_KEEPCAPS");
	if (setresuid(pr->uid, pr->uid, pr->uid) < 0)
		return ctr_error_errno(err, errno, "process.user.uid: setresuid %u",
				       (unsigned)pr->uid);
	if (capset_all(caps, err) < 0)
		return -err->err;
	for (int c = 0; c < 64; c++)
		if ((caps[CTR_OCI_CAP_AMBIENT] & (1ULL << c)) &&
		    (caps[CTR_OCI_CAP_PERMITTED] & caps[CTR_OCI_CAP_INHERITABLE] & (1ULL << c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return ctr_error_errno(err, errno, "raise ambient %s",
					       ctr_oci_cap_name((unsigned)c) ?: "?");
	return 0;
}

static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Close every fd from 3 up, except keep_a and keep_b. */
static int close_fds_except(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b;
	int hi = keep_a < keep_b ? keep_b : keep_a;

	if (lo > 3 && syscall(SYS_close_range, 3, lo - 1, 0) < 0)
		return -errno;
	if (hi > lo + 1 && syscall(SYS_close_range, lo + 1, hi - 1, 0) < 0)
		return -errno;
	if (syscall(SYS_close_range, hi + 1, ~0U, 0) < 0)
		return -errno;
	return 0;
}

static int setup_rootfs(const struct ctr_oci_init *ctx, struct ctr_error *err)
{
	const struct ctr_oci_config *cfg = ctx->cfg;
	_cleanup_close_ int rootfd = -1;
	int r;

	/* Nothing below may propagate back to the host (mount_namespaces(7)). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ctr_error_errno(err, errno, "make / private");
	/* pivot_root(2) needs the new root to be a mount point. */
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ctr_error_errno(err, errno, "bind %s on itself", ctx->rootfs);
	rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ctr_error_errno(err, errno, "open %s", ctx->rootfs);

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		r = do_mount(rootfd, &cfg->mounts[i], err);
		if (r < 0)
			return ctr_error_prefix(err, "mounts[%zu]", i);
	}
	r = make_devices(rootfd, cfg, err);
	if (r < 0)
		return ctr_error_prefix(err, "linux.devices");
	r = write_sysctls(cfg, err);
	if (r < 0)
		return r;
	if (cfg->process.has_oom_score_adj) {
		char v[16];

		snprintf(v, sizeof(v), "%d", cfg->process.oom_score_adj);
		r = ctr_write_file(AT_FDCWD, "/proc/self/oom_score_adj", v);
		if (r < 0) {
			ctr_error_errno(err, -r, "process.oomScoreAdj: write %s", v);
			if (r == -EACCES)
				return ctr_error_hint(err, "lowering it needs CAP_SYS_RESOURCE");
			return r;
		}
	}
	r = mask_paths(rootfd, cfg, err);
	if (r < 0)
		return r;
	r = readonly_paths(rootfd, cfg, err);
	if (r < 0)
		return r;
	if (cfg->root_readonly) {
		struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };

		if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &ma, sizeof(ma)) < 0)
			return ctr_error_errno(err, errno, "root.readonly");
	}
	r = ctr_rootfs_pivot(rootfd, err);
	if (r < 0)
		return r;
	if (umount2(".", MNT_DETACH) < 0)
		return ctr_error_errno(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return ctr_error_errno(err, errno, "chdir /");
	return 0;
}

static int become_userns_root(const struct ctr_oci_config *cfg, struct ctr_error *err)
{
	const struct ctr_idmap *map;
	size_t n;

	map = ctr_idmap_effective(cfg->gid_map, cfg->n_gid_map, &n);
	if (ctr_idmap_maps_inside(map, n, 0) && setresgid(0, 0, 0) < 0)
		return ctr_error_errno(err, errno, "set gid 0 in the user namespace");
	map = ctr_idmap_effective(cfg->uid_map, cfg->n_uid_map, &n);
	if (ctr_idmap_maps_inside(map, n, 0) && setresuid(0, 0, 0) < 0)
		return ctr_error_errno(err, errno, "set uid 0 in the user namespace");
	return 0;
}

int ctr_oci_init_main(struct ctr_spawn *sp, void *userdata, struct ctr_error *err)
{
	const struct ctr_oci_init *ctx = userdata;
	const struct ctr_oci_config *cfg = ctx->cfg;
	char exe[PATH_MAX], go;
	ssize_t n;
	int r;

	if (ctx->userns_fd >= 0 && setns(ctx->userns_fd, CLONE_NEWUSER) < 0)
		return ctr_error_errno(err, errno, "join the user namespace");
	if (ctx->new_userns || ctx->userns_fd >= 0) {
		r = become_userns_root(cfg, err);
		if (r < 0)
			return r;
	}
	if (ctx->mntns_fd >= 0 && setns(ctx->mntns_fd, CLONE_NEWNS) < 0)
		return ctr_error_errno(err, errno, "join the mount namespace");
	if (ctx->unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return ctr_error_errno(err, errno, "unshare the cgroup namespace");

	r = setup_rootfs(ctx, err);
	if (r < 0)
		return ctr_error_prefix(err, "prepare rootfs");
	if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return ctr_error_errno(err, errno, "set hostname \"%s\"", cfg->hostname);

	/*
	 * Only 0-2 reach the process, and no leaked directory fd can serve
	 * as process.cwd: close, do not just mark close-on-exec, before the
	 * chdir (CVE-2024-21626).
	 */
	r = close_fds_except(sp->sock, ctx->fifo_fd);
	if (r < 0)
		return ctr_error_errno(err, -r, "close inherited fds");
	r = enter_cwd(cfg->process.cwd, err);
	if (r < 0)
		return r;
	r = find_exe(cfg, exe, sizeof(exe), err);
	if (r < 0) {
		err->kind = CTR_ERROR_EXEC;
		return r;
	}
	r = check_not_runtime(ctx, exe, err);
	if (r < 0)
		return r;
	r = set_rlimits(cfg, err);
	if (r < 0)
		return r;
	r = set_user(cfg, err);
	if (r < 0)
		return r;
	if (cfg->process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ctr_error_errno(err, errno, "process.noNewPrivileges");

	/* Created: the container outlives `create`, so no parent-death signal from here on. */
	if (prctl(PR_SET_PDEATHSIG, 0) < 0)
		return ctr_error_errno(err, errno, "clear the parent-death signal");
	ctr_closep(&sp->sock);

	do
		n = read(ctx->fifo_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125);
	close(ctx->fifo_fd);
	reset_signals();
	execve(exe, cfg->process.args, cfg->process.env);
	fprintf(stderr, "contain: exec \"%s\": %s\n", cfg->process.args[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}
