// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Building the mount plan of a container (see ctr-mount-plan.h). Nothing in
 * this file touches the system.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "ctr-mount-plan.h"
#include "ctr-mutant.h"

/* The device nodes a container gets, bound from the host's /dev. */
static const char *const dev_nodes[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
};

static const struct {
	const char *link;
	const char *to;
} dev_links[] = {
	{ "/dev/fd", "/proc/self/fd" },
	{ "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" },
	{ "/dev/stderr", "/proc/self/fd/2" },
};

static int push(struct ctr_mount_plan *plan, struct ctr_mount_op op, struct ctr_error *err)
{
	if (plan->n == plan->cap) {
		size_t cap = plan->cap ? plan->cap * 2 : 32;
		struct ctr_mount_op *ops = reallocarray(plan->ops, cap, sizeof(*ops));

		if (!ops)
			return ctr_error_errno(err, ENOMEM, "build mount plan");
		plan->ops = ops;
		plan->cap = cap;
	}
	plan->ops[plan->n++] = op;
	return 0;
}

/* Canonical: absolute, no empty, "." or ".." component, no trailing slash. */
static bool path_is_canonical(const char *p)
{
	if (p[0] != '/')
		return false;
	if (strcmp(p, "/") == 0)
		return true;
	for (const char *c = p; *c;) {
		const char *next;
		size_t len;

		c++; /* the slash */
		next = strchrnul(c, '/');
		len = (size_t)(next - c);
		if (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c = next;
	}
	return true;
}

static int check_rootfs(const char *rootfs, struct ctr_error *err)
{
	if (!rootfs || !rootfs[0])
		return ctr_error_set(err, EINVAL, "no rootfs given");
	if (!path_is_canonical(rootfs))
		return ctr_error_set(err, EINVAL,
				     "rootfs \"%s\" is not a canonical absolute path "
				     "(resolve it with realpath(3) first)",
				     rootfs);
	if (strcmp(rootfs, "/") == 0)
		return ctr_error_set(
			err, EINVAL,
			"rootfs \"/\" is the host root: pivot_root(2) needs a separate "
			"directory");
	return 0;
}

static int build_container(struct ctr_mount_plan *plan, const struct ctr_config *cfg,
			   struct ctr_error *err)
{
	const char *root = plan->rootfs;
	int r;

#define PUSH(...)                                                          \
	do {                                                               \
		r = push(plan, (struct ctr_mount_op){ __VA_ARGS__ }, err); \
		if (r < 0)                                                 \
			return r;                                          \
	} while (0)

	/*
	 * pivot_root(2) needs the new root to be a mount point; binding the
	 * directory on itself makes it one without changing what it shows.
	 */
	PUSH(.kind = CTR_MOUNT_OP_BIND_ROOT, .source = root, .target = root,
	     .flags = MS_BIND | MS_REC);

	/*
	 * proc and sysfs are mounted before pivot_root, while the host's
	 * copies are still in this mount namespace: in a user namespace the
	 * kernel allows a new instance only when an unobstructed one is
	 * already visible (mount_namespaces(7), "restrictions on mount
	 * namespaces"; the mnt_already_visible check).
	 */
	if (ctr_mutant("proc-not-remounted"))
		PUSH(.kind = CTR_MOUNT_OP_BIND, .source = "/proc", .target = "/proc",
		     .flags = MS_BIND | MS_REC);
	else
		PUSH(.kind = CTR_MOUNT_OP_MOUNT, .source = "proc", .target = "/proc",
		     .fstype = "proc", .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC);
	/*
	 * A joined namespace (--net NAME) is owned by the initial user
	 * namespace, so only a container without --user may mount its sysfs.
	 */
	if ((cfg->namespaces & CLONE_NEWNET) ||
	    (cfg->net_name && !(cfg->namespaces & CLONE_NEWUSER))) {
		PUSH(.kind = CTR_MOUNT_OP_MOUNT, .source = "sysfs", .target = "/sys",
		     .fstype = "sysfs", .flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	} else {
		/*
		 * sysfs shows the network devices of the mounter's network
		 * namespace, and the kernel refuses a new instance from a
		 * namespace that does not own its network namespace; bind the
		 * host's, read-only, as runc does.
		 */
		PUSH(.kind = CTR_MOUNT_OP_BIND, .source = "/sys", .target = "/sys",
		     .flags = MS_BIND | MS_REC | MS_RDONLY);
	}

	PUSH(.kind = CTR_MOUNT_OP_MOUNT, .source = "tmpfs", .target = "/dev", .fstype = "tmpfs",
	     .flags = MS_NOSUID | MS_STRICTATIME, .data = "mode=755,size=65536k");
	/* mknod(2) is refused in a user namespace; binding the nodes works everywhere. */
	for (size_t i = 0; i < CTR_ARRAY_SIZE(dev_nodes); i++)
		PUSH(.kind = CTR_MOUNT_OP_BIND, .source = dev_nodes[i], .target = dev_nodes[i],
		     .flags = MS_BIND);
	PUSH(.kind = CTR_MOUNT_OP_MKDIR, .target = "/dev/pts", .mode = 0755);
	/* A private devpts instance: the container sees only its own ptys. */
	PUSH(.kind = CTR_MOUNT_OP_MOUNT, .source = "devpts", .target = "/dev/pts",
	     .fstype = "devpts", .flags = MS_NOSUID | MS_NOEXEC,
	     .data = "newinstance,ptmxmode=0666,mode=0620");
	PUSH(.kind = CTR_MOUNT_OP_SYMLINK, .source = "pts/ptmx", .target = "/dev/ptmx");
	PUSH(.kind = CTR_MOUNT_OP_MKDIR, .target = "/dev/shm", .mode = 01777);
	PUSH(.kind = CTR_MOUNT_OP_MOUNT, .source = "shm", .target = "/dev/shm", .fstype = "tmpfs",
	     .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC, .data = "mode=1777,size=65536k");
	for (size_t i = 0; i < CTR_ARRAY_SIZE(dev_links); i++)
		PUSH(.kind = CTR_MOUNT_OP_SYMLINK, .source = dev_links[i].to,
		     .target = dev_links[i].link);

	/*
	 * pivot_root(".", ".") stacks the old root on top of the new one at
	 * "/"; detaching "." then removes it, so no old-root directory is
	 * ever needed (pivot_root(2), NOTES).
	 */
	PUSH(.kind = CTR_MOUNT_OP_PIVOT_ROOT, .source = ".", .target = root);
	PUSH(.kind = CTR_MOUNT_OP_UMOUNT, .target = ".", .flags = MNT_DETACH);
	PUSH(.kind = CTR_MOUNT_OP_CHDIR, .target = "/");
#undef PUSH
	return 0;
}

int ctr_mount_plan_build(const struct ctr_config *cfg, const char *rootfs,
			 struct ctr_mount_plan **ret, struct ctr_error *err)
{
	struct ctr_mount_plan *plan = NULL;
	int r;

	if (cfg->mode == CTR_MODE_CONTAINER) {
		if (!(cfg->namespaces & CLONE_NEWNS))
			return ctr_error_set(err, EINVAL,
					     "a container needs a mount namespace: refusing to "
					     "change the host's mounts");
		r = check_rootfs(rootfs, err);
		if (r < 0)
			return r;
	}

	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return ctr_error_errno(err, ENOMEM, "build mount plan");
	if (cfg->mode == CTR_MODE_CONTAINER) {
		plan->rootfs = strdup(rootfs);
		if (!plan->rootfs) {
			r = ctr_error_errno(err, ENOMEM, "build mount plan");
			goto fail;
		}
	}

	if (cfg->namespaces & CLONE_NEWNS) {
		/*
		 * A new mount namespace starts as a copy whose mounts may be
		 * shared with the host's: anything mounted below a shared
		 * mount would propagate back (mount_namespaces(7), "Shared
		 * subtrees"). Stop that first.
		 */
		r = push(plan,
			 (struct ctr_mount_op){ .kind = CTR_MOUNT_OP_MAKE_PRIVATE,
						.target = "/",
						.flags = MS_REC | MS_PRIVATE },
			 err);
		if (r < 0)
			goto fail;
	}
	if (cfg->mode == CTR_MODE_CONTAINER) {
		r = build_container(plan, cfg, err);
		if (r < 0)
			goto fail;
	}
	*ret = plan;
	return 0;
fail:
	ctr_mount_plan_free(plan);
	return r;
}

void ctr_mount_plan_free(struct ctr_mount_plan *plan)
{
	if (!plan)
		return;
	free(plan->ops);
	free(plan->rootfs);
	free(plan);
}

char *ctr_mount_flags_format(unsigned long flags, char *buf, size_t n)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} names[] = {
		{ MS_RDONLY, "ro" },	 { MS_NOSUID, "nosuid" },	    { MS_NODEV, "nodev" },
		{ MS_NOEXEC, "noexec" }, { MS_STRICTATIME, "strictatime" }, { MS_BIND, "bind" },
		{ MS_REC, "rec" },	 { MS_PRIVATE, "private" },
	};
	size_t len = 0;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < CTR_ARRAY_SIZE(names); i++) {
		int w;

		if (!(flags & names[i].flag))
			continue;
		w = snprintf(buf + len, n - len, "%s%s", len ? "," : "", names[i].name);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	return buf;
}

char *ctr_mount_op_format(const struct ctr_mount_op *op, char *buf, size_t n)
{
	char flags[128];

	ctr_mount_flags_format(op->flags, flags, sizeof(flags));
	switch (op->kind) {
	case CTR_MOUNT_OP_MAKE_PRIVATE:
		snprintf(buf, n, "make-private %s (%s)", op->target, flags);
		break;
	case CTR_MOUNT_OP_BIND_ROOT:
		snprintf(buf, n, "bind-root %s (%s)", op->target, flags);
		break;
	case CTR_MOUNT_OP_MOUNT:
		snprintf(buf, n, "mount %s on %s type %s (%s)%s%s%s", op->source, op->target,
			 op->fstype, flags, op->data ? " [" : "", op->data ? op->data : "",
			 op->data ? "]" : "");
		break;
	case CTR_MOUNT_OP_BIND:
		snprintf(buf, n, "bind %s on %s (%s)", op->source, op->target, flags);
		break;
	case CTR_MOUNT_OP_MKDIR:
		snprintf(buf, n, "mkdir %s %04o", op->target, (unsigned int)op->mode);
		break;
	case CTR_MOUNT_OP_SYMLINK:
		snprintf(buf, n, "symlink %s -> %s", op->target, op->source);
		break;
	case CTR_MOUNT_OP_PIVOT_ROOT:
		snprintf(buf, n, "pivot-root %s", op->target);
		break;
	case CTR_MOUNT_OP_UMOUNT:
		snprintf(buf, n, "umount %s%s", op->target,
			 (op->flags & MNT_DETACH) ? " (detach)" : "");
		break;
	case CTR_MOUNT_OP_CHDIR:
		snprintf(buf, n, "chdir %s", op->target);
		break;
	default:
		snprintf(buf, n, "unknown op %d", (int)op->kind);
		break;
	}
	return buf;
}
