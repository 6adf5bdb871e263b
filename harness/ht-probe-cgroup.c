// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cgroup probes: is cgroup v2 mounted and writable, and does it really
 * enforce memory, cpu, pids and io limits here? Each controller probe writes
 * its limit file (memory.max, cpu.max, pids.max, io.max) in a scratch child
 * of the cgroup2 root, reads it back, resets it and removes the group.
 *
 * Host safety (DESIGN.md): the root's cgroup.subtree_control is never
 * written and no cgroup filesystem is ever mounted or remounted, because
 * passing options to an existing cgroup mount changes its live flags even
 * when the call fails. A controller the root does not delegate is a "no".
 *
 * On hybrid hosts a controller bound to a v1 hierarchy cannot appear in
 * cgroup v2 (cgroup-v2.rst "Support for v1 mount options" and cgroups(7)
 * "Cgroups version 1 and version 2" - a controller lives in one hierarchy),
 * which is what the explanation says.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "ht-journal.h"
#include "ht-probe-internal.h"
#include "ht-util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* ---- /proc/self/mountinfo (proc(5)) ------------------------------------ */

struct mnt_entry {
	char *root;
	char *mountpoint;
	char *fstype;
	char *source;
	char *superopts;
};

/* Split one line in place; false when it is malformed. */
static bool mountinfo_split(char *line, struct mnt_entry *e)
{
	char *f[6], *save = NULL, *tok;
	int i = 0;

	for (tok = strtok_r(line, " ", &save); tok && i < 6; tok = strtok_r(NULL, " ", &save))
		f[i++] = tok;
	if (i < 6)
		return false;
	e->root = f[3];
	e->mountpoint = f[4];
	/* Skip the optional fields up to the "-" separator. */
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	if (!tok)
		return false;
	e->fstype = strtok_r(NULL, " ", &save);
	e->source = strtok_r(NULL, " ", &save);
	e->superopts = strtok_r(NULL, " ", &save);
	if (!e->fstype || !e->source || !e->superopts)
		return false;
	ht_mountinfo_unescape(e->root);
	ht_mountinfo_unescape(e->mountpoint);
	return true;
}

/*
 * Call cb for each mount; cb returns > 0 to stop. Returns cb's positive
 * value, 0 when it never stopped, or -errno.
 */
static int mountinfo_each(int (*cb)(const struct mnt_entry *e, void *arg), void *arg)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int ret;

	ret = ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &text);
	if (ret < 0)
		return ret;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mnt_entry e;

		if (!mountinfo_split(line, &e))
			continue;
		ret = cb(&e, arg);
		if (ret > 0)
			return ret;
	}
	return 0;
}

static bool word_in(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, seps);

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}

struct find_mount {
	const char *fstype;
	const char *option; /* a super option that must be present, or NULL */
	char *found;
	bool found_at_root;
};

static int find_mount_cb(const struct mnt_entry *e, void *arg)
{
	struct find_mount *f = arg;
	bool at_root = strcmp(e->root, "/") == 0;

	if (strcmp(e->fstype, f->fstype) != 0)
		return 0;
	if (f->option && !word_in(e->superopts, f->option, ","))
		return 0;
	/* Prefer the mount that shows the whole hierarchy over a bind of a subtree. */
	if (f->found && (f->found_at_root || !at_root))
		return 0;
	free(f->found);
	f->found = ht_xstrdup(e->mountpoint);
	f->found_at_root = at_root;
	return at_root ? 1 : 0;
}

int ht_cgroup2_mount(char **ret_path)
{
	struct find_mount f = { .fstype = "cgroup2" };
	int ret;

	ret = mountinfo_each(find_mount_cb, &f);
	if (ret < 0)
		return ret;
	if (!f.found)
		return -ENOENT;
	*ret_path = f.found;
	return 0;
}

/* /proc/cgroups: "name hierarchy num_cgroups enabled" (cgroups(7)). */
static int proc_cgroups_row(const char *controller, int *ret_hierarchy, int *ret_enabled)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int ret;

	ret = ht_read_file(AT_FDCWD, "/proc/cgroups", &text);
	if (ret < 0)
		return ret;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		int hier, num, enabled;

		if (line[0] == '#' ||
		    sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) != 4)
			continue;
		if (strcmp(name, controller) == 0) {
			*ret_hierarchy = hier;
			*ret_enabled = enabled;
			return 0;
		}
	}
	return -ENOENT;
}

int ht_cgroup_v1_mount(const char *controller, char **ret_path)
{
	struct find_mount f = { .fstype = "cgroup", .option = controller };
	int ret, hier = 0, enabled = 0;

	ret = mountinfo_each(find_mount_cb, &f);
	if (ret < 0)
		return ret;
	if (f.found) {
		*ret_path = f.found;
		return 0;
	}
	if (proc_cgroups_row(controller, &hier, &enabled) == 0 && hier != 0)
		return -ENOTCONN;
	return -ENOENT;
}

/* ---- scratch groups ----------------------------------------------------- */

/*
 * The name carries our pid, so the parent can find and remove the group if
 * this child is killed before it could.
 */
static int scratch_create(struct ht_probe_result *r, const char *root, const char *what,
			  char **ret_path)
{
	_cleanup_free_ char *path =
		ht_xasprintf("%s/isolab-probe-%d-%s", root, (int)getpid(), what);
	int jfd = ht_probe_journal_fd(), ret;

	if (jfd >= 0) {
		ret = ht_journal_append(jfd, "cgroup", path, NULL, NULL);
		if (ret < 0) {
			ht_probe_fail(r, HT_UNKNOWN, ret, "cannot journal the scratch cgroup %s",
				      path);
			return ret;
		}
	}
	if (mkdir(path, 0755) < 0) {
		ret = -errno;
		ht_probe_fail(r, HT_NO, ret, "cannot create the scratch cgroup %s%s", path,
			      ret == -EROFS ? " (the cgroup2 mount is read-only here)" : "");
		return ret;
	}
	ht_probe_note(r, "created %s", path);
	*ret_path = TAKE_PTR(path);
	return 0;
}

static void scratch_remove(struct ht_probe_result *r, const char *path)
{
	if (rmdir(path) < 0) {
		ht_probe_note(r, "rmdir %s failed: %s", path, ht_errno_name(errno));
		ht_probe_fail(r, HT_UNKNOWN, errno, "cannot remove the scratch cgroup %s", path);
		return;
	}
	ht_probe_note(r, "removed it");
}

/* ---- cgroup2.mount ---------------------------------------------------- */

static int read_trimmed(const char *dir, const char *file, char **ret)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/%s", dir, file);
	char *text = NULL;
	int err;

	err = ht_read_file(AT_FDCWD, path, &text);
	if (err < 0)
		return err;
	*ret = ht_strstrip(text);
	return 0;
}

void ht_probe_cgroup2_mount(struct ht_probe_result *r)
{
	_cleanup_free_ char *root = NULL, *ctrls = NULL, *group = NULL, *procs = NULL;
	struct statfs sfs;
	int ret;

	ret = ht_cgroup2_mount(&root);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret,
			      "cgroup2 is not mounted (no cgroup2 line in /proc/self/mountinfo)");
		return;
	}
	if (statfs(root, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		ht_probe_fail(r, HT_NO, EINVAL, "%s is listed as cgroup2 but statfs(2) disagrees",
			      root);
		return;
	}
	ret = read_trimmed(root, "cgroup.controllers", &ctrls);
	ht_probe_note(r, "cgroup2 at %s offers \"%s\"", root, ret < 0 ? "?" : ctrls);
	if (scratch_create(r, root, "mount", &group) < 0)
		return;
	/* The kernel populates a real cgroup directory with its interface files. */
	ret = read_trimmed(group, "cgroup.procs", &procs);
	if (ret < 0)
		ht_probe_fail(r, HT_NO, ret, "the new group %s has no readable cgroup.procs",
			      group);
	else
		ht_probe_note(r, "its cgroup.procs is readable and %s",
			      procs[0] ? "not empty" : "empty");
	scratch_remove(r, group);
	if (ret == 0 && r->verdict == HT_UNKNOWN && !r->explanation)
		ht_probe_yes(r);
}

/* ---- controller probes ------------------------------------------------ */

struct ctrl {
	const char *name; /* cgroup v2 name */
	const char *v1;	  /* cgroup v1 name */
	const char *file;
	const char *kconfig;
};

/*
 * Why a controller is missing from cgroup.controllers, combining where it
 * went (a v1 hierarchy, disabled, not built) with what cgroup2 does offer.
 */
static char *explain_missing(const struct ctrl *c, const char *root, const char *offered)
{
	_cleanup_free_ char *v1 = NULL, *first = NULL;
	int ret, hier = 0, enabled = 1;

	ret = ht_cgroup_v1_mount(c->v1, &v1);
	if (ret == 0) {
		first = ht_xasprintf("%s controller bound to v1 hierarchy at %s", c->name, v1);
	} else if (ret == -ENOTCONN) {
		first = ht_xasprintf("%s controller bound to a v1 hierarchy that is not mounted "
				     "in this mount namespace",
				     c->name);
	} else if (proc_cgroups_row(c->v1, &hier, &enabled) < 0) {
		_cleanup_free_ char *cfg = ht_kconfig_explain(c->kconfig, NULL);

		first = ht_xasprintf("the kernel has no %s controller%s%s", c->name,
				     cfg ? ": " : "", cfg ? cfg : "");
	} else if (!enabled) {
		first = ht_xasprintf("%s controller disabled on the kernel command line "
				     "(cgroup_disable=%s)",
				     c->name, c->v1);
	} else {
		/* cgroup-v2.rst "Controlling Controllers": only an ancestor can hide it. */
		first = ht_xasprintf("%s controller not enabled for this cgroup2 mount's root",
				     c->name);
	}
	if (!root)
		return ht_xasprintf("%s; cgroup2 is not mounted", first);
	if (!offered[0])
		return ht_xasprintf("%s; cgroup2 mount at %s offers no controllers", first, root);
	return ht_xasprintf("%s; cgroup2 mount at %s offers only %s", first, root, offered);
}

/* A real block device for io.max: prefer hardware (it has a device link). */
static int pick_block_device(char **ret_majmin, char **ret_name)
{
	static const char *const virtual_prefix[] = { "loop", "ram", "zram", "nbd" };
	_cleanup_free_ char *best = NULL, *best_name = NULL;
	int best_rank = -1;
	DIR *d;
	struct dirent *de;

	d = opendir("/sys/block");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *devp = NULL, *link = NULL, *majmin = NULL;
		int rank = 1;

		if (de->d_name[0] == '.')
			continue;
		devp = ht_xasprintf("/sys/block/%s/dev", de->d_name);
		if (ht_read_file(AT_FDCWD, devp, &majmin) < 0)
			continue;
		ht_strstrip(majmin);
		link = ht_xasprintf("/sys/block/%s/device", de->d_name);
		if (access(link, F_OK) == 0)
			rank = 3;
		for (size_t i = 0; i < HT_ARRAY_SIZE(virtual_prefix); i++)
			if (strncmp(de->d_name, virtual_prefix[i], strlen(virtual_prefix[i])) == 0)
				rank = 0;
		/* Ties go to the smallest name, so the choice is stable. */
		if (rank > best_rank || (rank == best_rank && strcmp(de->d_name, best_name) < 0)) {
			free(best);
			free(best_name);
			best = TAKE_PTR(majmin);
			best_name = ht_xstrdup(de->d_name);
			best_rank = rank;
		}
	}
	closedir(d);
	if (!best)
		return -ENODEV;
	*ret_majmin = TAKE_PTR(best);
	*ret_name = TAKE_PTR(best_name);
	return 0;
}

/* Write a value, read the file back, and check what came back. */
static int write_check(struct ht_probe_result *r, const char *group, const char *file,
		       const char *value, const char *want_line, bool want_absent)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/%s", group, file);
	_cleanup_free_ char *back = NULL;
	int ret;

	ret = ht_write_file(AT_FDCWD, path, value);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "writing \"%s\" to %s failed%s", value, file,
			      ret == -EPERM || ret == -EACCES ?
				      " (needs write access to the group; root here?)" :
				      "");
		return ret;
	}
	ret = ht_read_file(AT_FDCWD, path, &back);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "reading %s back failed", file);
		return ret;
	}
	ht_strstrip(back);
	if (want_absent ? strstr(back, want_line) != NULL : strstr(back, want_line) == NULL) {
		ht_probe_fail(r, HT_NO, EINVAL, "after writing \"%s\", %s reads \"%s\"", value,
			      file, back);
		return -EINVAL;
	}
	ht_probe_note(r, "wrote \"%s\" to %s, read back \"%s\"", value, file, back);
	return 0;
}

static void probe_controller(struct ht_probe_result *r, const struct ctrl *c)
{
	_cleanup_free_ char *root = NULL, *offered = NULL, *subtree = NULL, *group = NULL;
	_cleanup_free_ char *majmin = NULL, *devname = NULL;
	int ret;

	ret = ht_cgroup2_mount(&root);
	if (ret < 0) {
		_cleanup_free_ char *why = explain_missing(c, NULL, "");

		ht_probe_fail(r, HT_NO, ret, "%s", why);
		return;
	}
	ret = read_trimmed(root, "cgroup.controllers", &offered);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot read %s/cgroup.controllers", root);
		return;
	}
	ht_probe_note(r, "%s/cgroup.controllers: \"%s\"", root, offered);
	if (!word_in(offered, c->name, " ")) {
		_cleanup_free_ char *why = explain_missing(c, root, offered);

		ht_probe_fail(r, HT_NO, ENOENT, "%s", why);
		return;
	}
	ret = read_trimmed(root, "cgroup.subtree_control", &subtree);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot read %s/cgroup.subtree_control", root);
		return;
	}
	ht_probe_note(r, "cgroup.subtree_control: \"%s\"", subtree);
	if (!word_in(subtree, c->name, " ")) {
		ht_probe_fail(r, HT_NO, ENOENT,
			      "the cgroup2 root at %s offers %s but does not delegate it to child "
			      "groups (cgroup.subtree_control: \"%s\"); isolab never writes the "
			      "root's subtree_control",
			      root, c->name, subtree);
		return;
	}
	if (strcmp(c->name, "io") == 0) {
		ret = pick_block_device(&majmin, &devname);
		if (ret < 0) {
			ht_probe_fail(r, HT_UNKNOWN, ret,
				      "no block device in /sys/block to put an io.max limit on");
			return;
		}
		ht_probe_note(r, "block device %s is %s", devname, majmin);
	}
	if (scratch_create(r, root, c->name, &group) < 0)
		return;

	if (strcmp(c->name, "memory") == 0) {
		ret = write_check(r, group, "memory.max", "33554432", "33554432", false);
		if (ret == 0)
			ret = write_check(r, group, "memory.max", "max", "max", false);
	} else if (strcmp(c->name, "cpu") == 0) {
		ret = write_check(r, group, "cpu.max", "50000 100000", "50000 100000", false);
		if (ret == 0)
			ret = write_check(r, group, "cpu.max", "max 100000", "max 100000", false);
	} else if (strcmp(c->name, "pids") == 0) {
		ret = write_check(r, group, "pids.max", "64", "64", false);
		if (ret == 0)
			ret = write_check(r, group, "pids.max", "max", "max", false);
	} else {
		/* cgroup-v2.rst "IO Interface Files": a line per device with a limit. */
		_cleanup_free_ char *set = ht_xasprintf("%s rbps=1048576", majmin);
		_cleanup_free_ char *reset = ht_xasprintf("%s rbps=max", majmin);

		ret = write_check(r, group, "io.max", set, set, false);
		if (ret == 0)
			ret = write_check(r, group, "io.max", reset, majmin, true);
	}
	if (ret == -ENOENT && r->verdict == HT_NO) {
		_cleanup_free_ char *cfg = ht_kconfig_explain(c->kconfig, NULL);

		ht_probe_fail(
			r, HT_NO, ret,
			"%s is missing from the scratch group although the root delegates %s%s%s",
			c->file, c->name, cfg ? ": " : "", cfg ? cfg : "");
	}
	scratch_remove(r, group);
	if (ret == 0 && !r->explanation)
		ht_probe_yes(r);
}

static const struct ctrl ctrl_memory = { "memory", "memory", "memory.max", "MEMCG" };
static const struct ctrl ctrl_cpu = { "cpu", "cpu", "cpu.max", "CFS_BANDWIDTH" };
static const struct ctrl ctrl_pids = { "pids", "pids", "pids.max", "CGROUP_PIDS" };
static const struct ctrl ctrl_io = { "io", "blkio", "io.max", "BLK_DEV_THROTTLING" };

void ht_probe_cgroup2_memory(struct ht_probe_result *r)
{
	probe_controller(r, &ctrl_memory);
}

void ht_probe_cgroup2_cpu(struct ht_probe_result *r)
{
	probe_controller(r, &ctrl_cpu);
}

void ht_probe_cgroup2_pids(struct ht_probe_result *r)
{
	probe_controller(r, &ctrl_pids);
}

void ht_probe_cgroup2_io(struct ht_probe_result *r)
{
	probe_controller(r, &ctrl_io);
}

/* ---- cgroup.v1: which v1 hierarchies are mounted, holding what ---------- */

struct v1_scan {
	char *known; /* the controller names of /proc/cgroups, space-separated */
	char *list;  /* "memory at /sys/fs/cgroup/memory, ..." */
	char *seen;  /* controller sets already listed (bind mounts repeat them) */
	unsigned with_controllers;
};

/* Append item to the malloc'd *list, separated by sep. */
static void append(char **list, const char *sep, const char *item)
{
	char *n = *list ? ht_xasprintf("%s%s%s", *list, sep, item) : ht_xstrdup(item);

	free(*list);
	*list = n;
}

static int v1_cb(const struct mnt_entry *e, void *arg)
{
	struct v1_scan *s = arg;
	_cleanup_free_ char *opts = NULL, *held = NULL, *name = NULL, *key = NULL, *item = NULL;
	char *save = NULL;

	if (strcmp(e->fstype, "cgroup") != 0)
		return 0;
	/* Super options hold the controllers, plus flags and a name= for named hierarchies. */
	opts = ht_xstrdup(e->superopts);
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strncmp(o, "name=", 5) == 0)
			name = ht_xstrdup(o);
		else if (word_in(s->known, o, " "))
			append(&held, ",", o);
	}
	/* A hierarchy mounted twice (bind mounts) is listed once. */
	key = ht_xasprintf("|%s|", held ? held : name ? name : e->mountpoint);
	if (s->seen && strstr(s->seen, key))
		return 0;
	append(&s->seen, "", key);
	if (held) {
		item = ht_xasprintf("%s at %s", held, e->mountpoint);
		s->with_controllers++;
	} else {
		item = ht_xasprintf("%s (no controllers) at %s", name ? name : "unnamed",
				    e->mountpoint);
	}
	append(&s->list, ", ", item);
	return 0;
}

void ht_probe_cgroup_v1(struct ht_probe_result *r)
{
	_cleanup_free_ char *text = NULL, *bound = NULL, *unmounted = NULL;
	struct v1_scan s = { 0 };
	char *line, *save = NULL;
	int ret;

	ret = ht_read_file(AT_FDCWD, "/proc/cgroups", &text);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "/proc/cgroups is missing: no cgroup support");
		return;
	}
	/* cgroups(7): a non-zero hierarchy id means the controller is bound to v1. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		int hier, num, enabled;

		if (line[0] == '#' ||
		    sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) != 4)
			continue;
		append(&s.known, " ", name);
		if (hier != 0)
			append(&bound, " ", name);
	}
	if (!s.known)
		s.known = ht_xstrdup("");
	ret = mountinfo_each(v1_cb, &s);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot read /proc/self/mountinfo");
		goto out;
	}
	if (s.list)
		ht_probe_note(r, "v1 hierarchies: %s", s.list);
	if (bound) {
		save = NULL;
		for (char *c = strtok_r(bound, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
			_cleanup_free_ char *within = ht_xasprintf(",%s,", c);
			bool mounted = false;

			/* s.seen holds "|cpu,cpuacct|"-style keys of the listed mounts. */
			for (const char *k = s.seen; k && *k && !mounted;) {
				size_t len = strcspn(k + 1, "|");
				_cleanup_free_ char *set = ht_xasprintf(",%.*s,", (int)len, k + 1);

				mounted = strstr(set, within) != NULL;
				k += len + 2;
			}
			if (!mounted)
				append(&unmounted, " ", c);
		}
	}
	if (unmounted)
		ht_probe_note(r, "bound to v1 per /proc/cgroups but not mounted here: %s",
			      unmounted);
	if (!s.with_controllers) {
		ht_probe_fail(r, HT_NO, ENOENT,
			      "no cgroup v1 hierarchy with controllers is mounted%s%s",
			      unmounted ? "; bound to v1 but not mounted here: " : "",
			      unmounted ? unmounted : "");
		goto out;
	}
	ht_probe_yes(r);
out:
	free(s.known);
	free(s.list);
	free(s.seen);
}
