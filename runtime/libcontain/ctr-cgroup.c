// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cgroup v2 groups: discovery, creation under a delegated parent,
 * controllers, limits, attaching, and running a command in a group. Killing
 * and deleting are in ctr-cgroup-delete.c. See ctr-cgroup.h; the interface
 * is Documentation/admin-guide/cgroup-v2.rst.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "ctr-cgroup-internal.h"
#include "ctr-cgroup.h"
#include "ctr-mutant.h"
#include "ctr-spawn.h"
#include "ctr-util.h"

static const struct {
	unsigned int bit;
	const char *name;
} ctrls[] = {
	{ CTR_CGROUP_MEMORY, "memory" },
	{ CTR_CGROUP_CPU, "cpu" },
	{ CTR_CGROUP_PIDS, "pids" },
	{ CTR_CGROUP_IO, "io" },
};

const char *ctr_cgroup_ctrl_name(unsigned int ctrl)
{
	for (size_t i = 0; i < CTR_ARRAY_SIZE(ctrls); i++)
		if (ctrls[i].bit == ctrl)
			return ctrls[i].name;
	return NULL;
}

unsigned int ctr_cgroup_limits_controllers(const struct ctr_limits *lim)
{
	unsigned int need = 0;

	if (lim->set & (CTR_LIMIT_MEMORY | CTR_LIMIT_MEMORY_HIGH | CTR_LIMIT_MEMORY_SWAP |
			CTR_LIMIT_MEMORY_NOSWAP))
		need |= CTR_CGROUP_MEMORY;
	if (lim->set & (CTR_LIMIT_CPUS | CTR_LIMIT_CPU_MAX | CTR_LIMIT_CPU_WEIGHT))
		need |= CTR_CGROUP_CPU;
	if (lim->set & CTR_LIMIT_PIDS)
		need |= CTR_CGROUP_PIDS;
	if (lim->set & CTR_LIMIT_IO_MAX)
		need |= CTR_CGROUP_IO;
	return need;
}

uint64_t ctr_cgroup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int ctr_cgroup_remaining_ms(uint64_t deadline)
{
	uint64_t now = ctr_cgroup_now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > INT32_MAX ? INT32_MAX : (int)(deadline - now);
}

int ctr_cgroup_read_at(int dfd, const char *file, char **ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 0;

	fd = openat(dfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (size - len < 1024) {
			char *p = realloc(buf, size ? size * 2 : 4096);

			if (!p)
				return -ENOMEM;
			buf = p;
			size = size ? size * 2 : 4096;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

/* Whether a space-separated list (cgroup.controllers) holds word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* ---- discovery ------------------------------------------------------------ */

/* Undo the octal escapes of mountinfo fields (\040 for a space), in place. */
static void unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/*
 * The first cgroup2 line of mountinfo (proc(5)): field 4 is the root of the
 * mount within the hierarchy, field 5 the mount point; the filesystem type
 * follows the " - " separator.
 */
static int find_mount(char **ret_mount, char **ret_root, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int r;

	r = ctr_cgroup_read_at(AT_FDCWD, "/proc/self/mountinfo", &text);
	if (r < 0)
		return ctr_error_errno(err, -r, "read /proc/self/mountinfo");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, " - "), *f[5], *p = line, *tok_save = NULL;
		int i;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		*sep = '\0';
		for (i = 0; i < 5; i++, p = NULL) {
			f[i] = strtok_r(p, " ", &tok_save);
			if (!f[i])
				break;
		}
		if (i < 5)
			continue;
		unescape(f[3]);
		unescape(f[4]);
		*ret_mount = strdup(f[4]);
		*ret_root = strdup(f[3]);
		if (!*ret_mount || !*ret_root) {
			free(*ret_mount);
			free(*ret_root);
			return ctr_error_errno(err, ENOMEM, "find the cgroup2 mount");
		}
		return 0;
	}
	return ctr_error_set(err, ENOENT,
			     "no cgroup2 filesystem is mounted (/proc/self/mountinfo has none)");
}

int ctr_cgroup_find_mount(char **ret_mount, struct ctr_error *err)
{
	_cleanup_free_ char *root = NULL;

	return find_mount(ret_mount, &root, err);
}

int ctr_cgroup_find_self(char **ret_path, struct ctr_error *err)
{
	_cleanup_free_ char *mount = NULL, *root = NULL, *text = NULL;
	const char *rel = NULL;
	size_t rlen;
	char *line, *save = NULL, *path;
	int r;

	r = find_mount(&mount, &root, err);
	if (r < 0)
		return r;
	r = ctr_cgroup_read_at(AT_FDCWD, "/proc/self/cgroup", &text);
	if (r < 0)
		return ctr_error_errno(err, -r, "read /proc/self/cgroup");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::", 3) == 0) {
			rel = line + 3;
			break;
		}
	if (!rel || rel[0] != '/')
		return ctr_error_set(err, ENOENT,
				     "/proc/self/cgroup has no cgroup2 line (\"0::/PATH\")");
	/*
	 * Both paths are relative to the same root (the cgroup namespace's):
	 * the mount shows the part of the hierarchy below its own root.
	 */
	rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (strncmp(rel, root, rlen) != 0 || (rel[rlen] != '/' && rel[rlen] != '\0'))
		return ctr_error_set(err, ENOENT,
				     "contain's cgroup %s is outside the part of the hierarchy "
				     "mounted on %s (%s)",
				     rel, mount, root);
	rel += rlen;
	if (strcmp(rel, "/") == 0)
		rel = "";
	if (asprintf(&path, "%s%s", mount, rel) < 0)
		return ctr_error_errno(err, ENOMEM, "find contain's cgroup");
	*ret_path = path;
	return 0;
}

int ctr_cgroup_resolve(const char *mount, const char *path, char **ret_path, struct ctr_error *err)
{
	_cleanup_free_ char *full = NULL, *out = NULL;
	size_t o = 0, mlen = strlen(mount);
	char *comp, *save = NULL;
	bool inside;

	if (!path[0])
		return ctr_error_usage(err, "the cgroup path is empty");
	if (path[0] == '/')
		full = strdup(path);
	else if (asprintf(&full, "%s/%s", mount, path) < 0)
		full = NULL;
	out = full ? malloc(strlen(full) + 2) : NULL;
	if (!out)
		return ctr_error_errno(err, ENOMEM, "resolve cgroup path");
	for (comp = strtok_r(full, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(comp);

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0)
			return ctr_error_usage(err, "cgroup path \"%s\" must not contain \"..\"",
					       path);
		out[o++] = '/';
		memcpy(out + o, comp, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';

	if (strcmp(mount, "/") == 0)
		inside = true;
	else
		inside = strncmp(out, mount, mlen) == 0 && (out[mlen] == '/' || out[mlen] == '\0');
	if (!inside)
		return ctr_error_usage(err, "cgroup path \"%s\" is not inside the cgroup2 mount %s",
				       path, mount);
	*ret_path = TAKE_PTR(out);
	return 0;
}

/* ---- groups ------------------------------------------------------------- */

int ctr_cgroup_open(const char *path, struct ctr_cgroup **ret, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	struct ctr_cgroup *cg;
	struct statfs sfs;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open cgroup %s", path);
	if (fstatfs(fd, &sfs) < 0)
		return ctr_error_errno(err, errno, "statfs %s", path);
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return ctr_error_set(err, ENOTDIR, "%s is not a cgroup2 directory", path);
	cg = calloc(1, sizeof(*cg));
	if (!cg || !(cg->path = strdup(path))) {
		free(cg);
		return ctr_error_errno(err, ENOMEM, "open cgroup %s", path);
	}
	cg->dfd = TAKE_FD(fd);
	*ret = cg;
	return 0;
}

int ctr_cgroup_create(const char *path, struct ctr_cgroup **ret, struct ctr_error *err)
{
	int r;

	if (mkdir(path, 0755) < 0)
		return ctr_error_errno(err, errno, "create cgroup %s", path);
	r = ctr_cgroup_open(path, ret, err);
	if (r < 0)
		rmdir(path);
	return r;
}

void ctr_cgroup_free(struct ctr_cgroup *cg)
{
	if (!cg)
		return;
	ctr_closep(&cg->dfd);
	free(cg->path);
	free(cg);
}

bool ctr_cgroup_is_root(const struct ctr_cgroup *cg)
{
	return faccessat(cg->dfd, "cgroup.type", F_OK, 0) < 0 && errno == ENOENT;
}

int ctr_cgroup_read(const struct ctr_cgroup *cg, const char *file, char **ret,
		    struct ctr_error *err)
{
	int r = ctr_cgroup_read_at(cg->dfd, file, ret);

	if (r < 0)
		return ctr_error_errno(err, -r, "read %s/%s", cg->path, file);
	return 0;
}

int ctr_cgroup_read_key(const struct ctr_cgroup *cg, const char *file, const char *key,
			uint64_t *ret, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t n = strlen(key);
	int r;

	r = ctr_cgroup_read_at(cg->dfd, file, &text);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return ctr_error_errno(err, -r, "read %s/%s", cg->path, file);
	for (char *line = text; *line;) {
		char *next = strchr(line, '\n');

		if (strncmp(line, key, n) == 0 && line[n] == ' ') {
			*ret = strtoull(line + n + 1, NULL, 10);
			return 0;
		}
		if (!next)
			break;
		line = next + 1;
	}
	return -ENOENT;
}

static int cg_write(struct ctr_cgroup *cg, const char *file, const char *value,
		    struct ctr_error *err)
{
	int r = ctr_write_file(cg->dfd, file, value);

	if (r < 0)
		return ctr_error_errno(err, -r, "write \"%s\" to %s/%s", value, cg->path, file);
	return 0;
}

static int has_processes(struct ctr_cgroup *cg, struct ctr_error *err)
{
	_cleanup_free_ char *procs = NULL;
	int r;

	r = ctr_cgroup_read(cg, "cgroup.procs", &procs, err);
	if (r < 0)
		return r;
	return procs[0] != '\0';
}

int ctr_cgroup_enable(struct ctr_cgroup *parent, unsigned int want, struct ctr_error *err)
{
	_cleanup_free_ char *available = NULL, *enabled = NULL;
	int r;

	r = ctr_cgroup_read(parent, "cgroup.controllers", &available, err);
	if (r < 0)
		return r;
	chomp(available);
	for (size_t i = 0; i < CTR_ARRAY_SIZE(ctrls); i++) {
		if (!(want & ctrls[i].bit) || has_word(available, ctrls[i].name))
			continue;
		/*
		 * A group offers only what its parent enabled in
		 * cgroup.subtree_control, and a controller bound to a v1
		 * hierarchy is never offered (cgroup-v2.rst, "Enabling
		 * and Disabling", "Mounting").
		 */
		ctr_error_set(err, ENOENT,
			      "cgroup2 controller %s is not available in %s (cgroup.controllers: "
			      "\"%s\")",
			      ctrls[i].name, parent->path, available);
		return ctr_error_hint(err, "a group is offered a controller only when its parent "
					   "enables it in cgroup.subtree_control, and never while "
					   "a cgroup v1 hierarchy holds it");
	}

	r = ctr_cgroup_read(parent, "cgroup.subtree_control", &enabled, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < CTR_ARRAY_SIZE(ctrls); i++) {
		char plus[32];

		if (!(want & ctrls[i].bit) || has_word(enabled, ctrls[i].name))
			continue;
		/* One controller per write, so that a refusal names it. */
		snprintf(plus, sizeof(plus), "+%s", ctrls[i].name);
		r = cg_write(parent, "cgroup.subtree_control", plus, err);
		if (r == -EBUSY)
			return ctr_error_hint(
				err, "EBUSY here is the no-internal-process rule: the group has "
				     "processes of its own, so it cannot enable controllers for "
				     "child groups (cgroup-v2.rst, \"No Internal Process "
				     "Constraint\")");
		if (r == -EINVAL && ctrls[i].bit == CTR_CGROUP_CPU)
			return ctr_error_hint(err, "the cpu controller cannot be enabled while a "
						   "realtime process runs outside the root group "
						   "(cgroup-v2.rst, \"CPU\")");
		if (r < 0)
			return r;
	}
	return 0;
}

static void format_u64(char *buf, size_t size, uint64_t v)
{
	if (v == CTR_LIMIT_MAX)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

static int apply_error(struct ctr_cgroup *cg, const char *file, int r, struct ctr_error *err)
{
	if (r == -ENOENT && strcmp(file, "memory.swap.max") == 0)
		return ctr_error_hint(err, "the kernel does not account swap (CONFIG_SWAP off, or "
					   "swapaccount=0)");
	if (r == -ENOENT)
		return ctr_error_hint(err, "the interface file is missing: the controller is not "
					   "enabled for this group (its parent's "
					   "cgroup.subtree_control)");
	if (r == -ENODEV && strcmp(file, "io.max") == 0)
		return ctr_error_hint(err, "MAJ:MIN must be a whole block device of this host, "
					   "not a partition (see /sys/dev/block)");
	(void)cg;
	return r;
}

int ctr_cgroup_apply(struct ctr_cgroup *cg, const struct ctr_limits *lim, struct ctr_error *err)
{
	struct {
		unsigned int bit;
		const char *file;
		uint64_t value;
	} plain[] = {
		{ CTR_LIMIT_MEMORY, "memory.max", lim->memory_max },
		{ CTR_LIMIT_MEMORY_HIGH, "memory.high", lim->memory_high },
		{ CTR_LIMIT_MEMORY_SWAP, "memory.swap.max", lim->memory_swap_max },
		{ CTR_LIMIT_CPU_WEIGHT, "cpu.weight", lim->cpu_weight },
		{ CTR_LIMIT_PIDS, "pids.max", lim->pids_max },
	};
	char buf[128];
	int r;

	for (size_t i = 0; i < CTR_ARRAY_SIZE(plain); i++) {
		if (!(lim->set & plain[i].bit))
			continue;
		if (ctr_mutant("memory-max-not-written") && plain[i].bit == CTR_LIMIT_MEMORY)
			continue;
		if (ctr_mutant("pids-max-ignored") && plain[i].bit == CTR_LIMIT_PIDS)
			continue;
		format_u64(buf, sizeof(buf), plain[i].value);
		r = cg_write(cg, plain[i].file, buf, err);
		if (r < 0)
			return apply_error(cg, plain[i].file, r, err);
	}
	/* Only where the kernel accounts swap: elsewhere there is no swap to cap. */
	if ((lim->set & CTR_LIMIT_MEMORY_NOSWAP) && !(lim->set & CTR_LIMIT_MEMORY_SWAP)) {
		r = ctr_write_file(cg->dfd, "memory.swap.max", "0");
		if (r < 0 && r != -ENOENT)
			return ctr_error_errno(err, -r, "write \"0\" to %s/memory.swap.max",
					       cg->path);
	}
	/* cpu.max is "QUOTA PERIOD" in microseconds (cgroup-v2.rst, "CPU Interface Files"). */
	if (lim->set & (CTR_LIMIT_CPUS | CTR_LIMIT_CPU_MAX)) {
		uint64_t quota = lim->cpu_quota_us, period = lim->cpu_period_us;
		char q[32];

		if (lim->set & CTR_LIMIT_CPUS) {
			quota = lim->cpus_milli * (CTR_CPU_PERIOD_US / 1000);
			period = CTR_CPU_PERIOD_US;
		}
		format_u64(q, sizeof(q), quota);
		snprintf(buf, sizeof(buf), "%s %" PRIu64, q, period);
		r = cg_write(cg, "cpu.max", buf, err);
		if (r < 0)
			return apply_error(cg, "cpu.max", r, err);
	}
	/* io.max takes one device per write. */
	for (size_t i = 0; (lim->set & CTR_LIMIT_IO_MAX) && i < lim->n_io_max; i++) {
		if (ctr_io_max_format(&lim->io_max[i], buf, sizeof(buf)) < 0)
			return ctr_error_set(err, EINVAL, "io.max line too long");
		r = cg_write(cg, "io.max", buf, err);
		if (r < 0)
			return apply_error(cg, "io.max", r, err);
	}
	return 0;
}

int ctr_cgroup_attach(struct ctr_cgroup *cg, pid_t pid, struct ctr_error *err)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = cg_write(cg, "cgroup.procs", buf, err);
	if (r == -EBUSY)
		return ctr_error_hint(err, "EBUSY here is the no-internal-process rule: the group "
					   "enables controllers for its children in "
					   "cgroup.subtree_control, so only child groups may hold "
					   "processes");
	if (r == -EOPNOTSUPP)
		return ctr_error_hint(err, "the group is threaded; only a domain group takes a "
					   "whole process");
	if (r == -EACCES || r == -EPERM)
		return ctr_error_hint(err, "moving a process needs write access to cgroup.procs "
					   "of the common ancestor of its old and new group "
					   "(cgroup-v2.rst, \"Delegation Containment\")");
	return r;
}

void ctr_cgroup_oom_read(const struct ctr_cgroup *cg, struct ctr_cgroup_oom *ret)
{
	struct ctr_error ignored;
	_cleanup_free_ char *max = NULL;

	memset(ret, 0, sizeof(*ret));
	if (ctr_cgroup_read_key(cg, "memory.events", "oom_kill", &ret->oom_kill, &ignored) < 0)
		return;
	ret->known = true;
	(void)ctr_cgroup_read_key(cg, "memory.events", "oom_group_kill", &ret->oom_group_kill,
				  &ignored);
	if (ctr_cgroup_read_at(cg->dfd, "memory.max", &max) == 0) {
		chomp(max);
		snprintf(ret->memory_max, sizeof(ret->memory_max), "%s", max);
	}
}

/* ---- a container's group ------------------------------------------------- */

/*
 * Remove empty contain-self-PID groups whose PID is gone: callers that
 * moved themselves there cannot remove them while they live in them.
 * rmdir(2) fails harmlessly on a group that is in use.
 */
static void sweep_self_groups(struct ctr_cgroup *parent)
{
	size_t plen = strlen(CTR_CGROUP_SELF_PREFIX);
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(parent->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (de->d_type != DT_DIR || strncmp(de->d_name, CTR_CGROUP_SELF_PREFIX, plen))
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (*end || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* Move the caller into parent/contain-self-PID; *ret_leaf is that group. */
static int move_self(struct ctr_cgroup *parent, struct ctr_cgroup **ret_leaf, struct ctr_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct ctr_cgroup *leaf = NULL;
	int r;

	sweep_self_groups(parent);
	if (asprintf(&path, "%s/" CTR_CGROUP_SELF_PREFIX "%d", parent->path, (int)getpid()) < 0) {
		path = NULL;
		return ctr_error_errno(err, ENOMEM, "move contain into a leaf group");
	}
	/* An empty one left by an earlier process with our pid will do. */
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return ctr_error_errno(err, errno, "create cgroup %s", path);
	r = ctr_cgroup_open(path, &leaf, err);
	if (r < 0)
		goto fail;
	r = ctr_cgroup_attach(leaf, 0, err);
	if (r < 0)
		goto fail;
	*ret_leaf = leaf;
	return 0;
fail:
	ctr_cgroup_free(leaf);
	rmdir(path);
	return ctr_error_prefix(err, "move contain out of %s (no-internal-process rule)",
				parent->path);
}

/* Undo move_self: back into the parent (it enabled nothing), and remove the leaf. */
static void move_self_back(struct ctr_cgroup *parent, struct ctr_cgroup *leaf)
{
	if (ctr_write_file(parent->dfd, "cgroup.procs", "0") == 0)
		rmdir(leaf->path);
	ctr_cgroup_free(leaf);
}

static int enabled_controllers(struct ctr_cgroup *cg, unsigned int *ret, struct ctr_error *err)
{
	_cleanup_free_ char *enabled = NULL;
	unsigned int have = 0;
	int r;

	r = ctr_cgroup_read(cg, "cgroup.subtree_control", &enabled, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < CTR_ARRAY_SIZE(ctrls); i++)
		if (has_word(enabled, ctrls[i].name))
			have |= ctrls[i].bit;
	*ret = have;
	return 0;
}

static int prepare_parent(struct ctr_cgroup *parent, const char *self, unsigned int need,
			  struct ctr_error *err)
{
	struct ctr_cgroup *leaf = NULL;
	unsigned int have;
	int r;

	r = enabled_controllers(parent, &have, err);
	if (r < 0)
		return r;
	if ((need & ~have) == 0)
		return 0;

	/*
	 * Controllers can be enabled for the children of a group only while
	 * it has no process of its own; the root is exempt (cgroup-v2.rst,
	 * "No Internal Process Constraint"). The caller can at least take
	 * itself out of the way.
	 */
	if (strcmp(parent->path, self) == 0 && !ctr_cgroup_is_root(parent)) {
		_cleanup_free_ char *available = NULL;

		/* Refuse a missing controller before moving anything. */
		r = ctr_cgroup_read(parent, "cgroup.controllers", &available, err);
		if (r < 0)
			return r;
		for (size_t i = 0; i < CTR_ARRAY_SIZE(ctrls); i++)
			if ((need & ctrls[i].bit) && !has_word(available, ctrls[i].name))
				return ctr_cgroup_enable(parent, need, err);
		r = has_processes(parent, err);
		if (r < 0)
			return r;
		if (r > 0) {
			r = move_self(parent, &leaf, err);
			if (r < 0)
				return r;
		}
	}
	r = ctr_cgroup_enable(parent, need, err);
	if (r < 0) {
		if (leaf)
			move_self_back(parent, leaf);
		if (r == -EBUSY && leaf)
			ctr_error_hint(err, "contain moved itself out, but other processes are "
					    "still there");
		if (r == -EBUSY)
			ctr_error_hint(err,
				       "give --cgroup-parent (or CONTAIN_CGROUP_PARENT) a group "
				       "without processes of its own");
		return r;
	}
	/* The caller stays in its leaf: the parent may no longer hold processes. */
	ctr_cgroup_free(leaf);
	return 0;
}

int ctr_cgroup_container_new(const char *parent, const struct ctr_limits *lim,
			     struct ctr_cgroup **ret, struct ctr_error *err)
{
	_cleanup_free_ char *mount = NULL, *self = NULL, *parent_path = NULL, *path = NULL;
	struct ctr_cgroup *pcg = NULL, *cg = NULL;
	int r;

	r = ctr_cgroup_find_mount(&mount, err);
	if (r < 0)
		return r;
	r = ctr_cgroup_find_self(&self, err);
	if (r < 0)
		return r;
	if (parent) {
		r = ctr_cgroup_resolve(mount, parent, &parent_path, err);
		if (r < 0)
			return ctr_error_prefix(err, "--cgroup-parent");
	} else {
		parent_path = strdup(self);
		if (!parent_path)
			return ctr_error_errno(err, ENOMEM, "cgroup parent");
	}
	r = ctr_cgroup_open(parent_path, &pcg, err);
	if (r < 0)
		return r;
	r = prepare_parent(pcg, self, ctr_cgroup_limits_controllers(lim), err);
	if (r < 0)
		goto out;

	if (asprintf(&path, "%s/" CTR_CGROUP_CONTAINER_PREFIX "%d", pcg->path, (int)getpid()) < 0) {
		path = NULL;
		r = ctr_error_errno(err, ENOMEM, "create the container's cgroup");
		goto out;
	}
	r = ctr_cgroup_create(path, &cg, err);
	/* Left by an earlier contain with our pid that was killed: take it over if empty. */
	if (r == -EEXIST && rmdir(path) == 0)
		r = ctr_cgroup_create(path, &cg, err);
	if (r < 0)
		goto out;
	r = ctr_cgroup_apply(cg, lim, err);
	if (r < 0) {
		rmdir(cg->path);
		ctr_cgroup_free(cg);
		goto out;
	}
	*ret = cg;
out:
	ctr_cgroup_free(pcg);
	return r;
}

/* ---- running a command in a group ---------------------------------------- */

static int exec_child(struct ctr_spawn *sp, void *userdata, struct ctr_error *err)
{
	return ctr_spawn_exec(sp, userdata, err);
}

int ctr_cgroup_exec(struct ctr_cgroup *cg, char **argv, struct ctr_run_result *ret,
		    struct ctr_error *err)
{
	_cleanup_(ctr_spawn_destroy) struct ctr_spawn sp = CTR_SPAWN_INIT;
	struct ctr_cgroup_oom before, after;
	int status, r;

	if (!argv || !argv[0] || !argv[0][0])
		return ctr_error_usage(err, "no command given after --");
	ctr_cgroup_oom_read(cg, &before);
	r = ctr_spawn_start(&sp, 0, exec_child, argv, err);
	if (r < 0)
		return r;
	/* The child waits for the go: it is in the group before it execs. */
	r = ctr_cgroup_attach(cg, sp.pid, err);
	if (r < 0)
		return ctr_error_prefix(err, "move the command into %s", cg->path);
	r = ctr_spawn_release(&sp, err);
	if (r < 0)
		return r;
	r = ctr_spawn_wait(&sp, &status, err);
	if (r < 0)
		return r;
	ctr_cgroup_oom_read(cg, &after);
	memset(ret, 0, sizeof(*ret));
	ret->status = status;
	if (after.known) {
		ret->oom_kills = after.oom_kill - before.oom_kill;
		snprintf(ret->memory_max, sizeof(ret->memory_max), "%s", after.memory_max);
	}
	snprintf(ret->cgroup, sizeof(ret->cgroup), "%s", cg->path);
	return 0;
}
