/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroup v2 groups (Documentation/admin-guide/cgroup-v2.rst): finding the
 * cgroup2 mount and the caller's own group, making a group under a
 * delegated parent, enabling the controllers its limits need, writing the
 * limits, moving a process in, and deleting the group again (kill, wait
 * until it is empty, rmdir). The interface files `contain cgroup stat`
 * shows, and how they are laid out, are in ctr-cgroup-stat.c.
 *
 * Paths are absolute directories inside the cgroup2 mount. Nothing here
 * remounts or passes options to a cgroup mount; every write goes to a
 * group's interface files.
 */
#ifndef CTR_CGROUP_H
#define CTR_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr-config.h"
#include "ctr-error.h"

/* The controllers whose limits libcontain writes. */
enum ctr_cgroup_ctrl {
	CTR_CGROUP_MEMORY = 1u << 0,
	CTR_CGROUP_CPU = 1u << 1,
	CTR_CGROUP_PIDS = 1u << 2,
	CTR_CGROUP_IO = 1u << 3,
};

/* "memory" for CTR_CGROUP_MEMORY; NULL for anything but one known bit. */
const char *ctr_cgroup_ctrl_name(unsigned int ctrl);
/* The controllers a set of limits needs. */
unsigned int ctr_cgroup_limits_controllers(const struct ctr_limits *lim);

/* How long a deleted group's processes may take to die, in milliseconds. */
#define CTR_CGROUP_DRAIN_MS 10000

/* Prefixes of the groups contain makes under a parent (see ctr_cgroup_container_new). */
#define CTR_CGROUP_CONTAINER_PREFIX "contain-"
#define CTR_CGROUP_SELF_PREFIX	    "contain-self-"

struct ctr_cgroup {
	char *path; /* absolute path of the group's directory */
	int dfd;    /* that directory (O_DIRECTORY) */
};

/* The first cgroup2 mount point in /proc/self/mountinfo ("/sys/fs/cgroup"). */
int ctr_cgroup_find_mount(char **ret_mount, struct ctr_error *err);

/* The caller's own group (the "0::" line of /proc/self/cgroup) as a directory. */
int ctr_cgroup_find_self(char **ret_path, struct ctr_error *err);

/*
 * PATH as an absolute directory inside mount: an absolute path must lie
 * inside it, a relative one is taken relative to it. "." and repeated
 * slashes are dropped, ".." is refused (a usage error), so the result is
 * what the group will be called, whether or not it exists yet.
 */
int ctr_cgroup_resolve(const char *mount, const char *path, char **ret_path, struct ctr_error *err);

/* Open an existing group; refuse a directory that is not on cgroup2. */
int ctr_cgroup_open(const char *path, struct ctr_cgroup **ret, struct ctr_error *err);

/* mkdir(2) a new group (EEXIST is an error) and open it. */
int ctr_cgroup_create(const char *path, struct ctr_cgroup **ret, struct ctr_error *err);

/* Close and free; the group itself stays. NULL is a no-op. */
void ctr_cgroup_free(struct ctr_cgroup *cg);

/* Whether the group is the root of the hierarchy (it has no cgroup.type). */
bool ctr_cgroup_is_root(const struct ctr_cgroup *cg);

/*
 * Enable ctrls for the children of parent: each one needs to be in the
 * parent's cgroup.controllers, and those not yet in its
 * cgroup.subtree_control are written there one per write ("+memory"), so a
 * refusal names the controller.
 */
int ctr_cgroup_enable(struct ctr_cgroup *parent, unsigned int ctrls, struct ctr_error *err);

/*
 * Write the limits in lim to the group's interface files (memory.max,
 * memory.high, memory.swap.max, cpu.max, cpu.weight, pids.max, io.max).
 * The controllers must be enabled for the group already.
 */
int ctr_cgroup_apply(struct ctr_cgroup *cg, const struct ctr_limits *lim, struct ctr_error *err);

/* Move a process (all its threads) into the group: write cgroup.procs. */
int ctr_cgroup_attach(struct ctr_cgroup *cg, pid_t pid, struct ctr_error *err);

/*
 * SIGKILL every process of the group and its descendants: cgroup.kill, or
 * (before Linux 5.14, or in a threaded group) each listed pid, round after
 * round until none is left or timeout_ms passes.
 */
int ctr_cgroup_kill(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err);

/* ctr_cgroup_kill without cgroup.kill, as on kernels before 5.14 (for the tests). */
int ctr_cgroup_kill_each(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err);

/*
 * Wait until cgroup.events says "populated 0" (no process in the group or
 * below it), woken by inotify, for at most timeout_ms.
 */
int ctr_cgroup_wait_empty(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err);

/*
 * Delete the group: kill what runs in it, wait until it is empty, remove
 * the child groups (deepest first), then the group. cg is still to be
 * freed.
 */
int ctr_cgroup_destroy(struct ctr_cgroup *cg, int timeout_ms, struct ctr_error *err);

/* ctr_cgroup_destroy, errors ignored, then ctr_cgroup_free: for error paths. NULL-safe. */
void ctr_cgroup_destroy_and_free(struct ctr_cgroup *cg);

/*
 * Refuse to delete path when it is the hierarchy's root or contain's own
 * group or one of its ancestors (cgroup.kill would kill contain itself).
 */
int ctr_cgroup_check_delete(const char *mount, const char *path, struct ctr_error *err);

/* Read a whole interface file (NUL-terminated, malloc'd). */
int ctr_cgroup_read(const struct ctr_cgroup *cg, const char *file, char **ret,
		    struct ctr_error *err);

/*
 * The value of KEY in a flat-keyed file ("KEY VALUE" lines, as
 * memory.events). -ENOENT when the file or the key is missing; err is
 * filled only for other failures.
 */
int ctr_cgroup_read_key(const struct ctr_cgroup *cg, const char *file, const char *key,
			uint64_t *ret, struct ctr_error *err);

/* How an interface file is laid out (cgroup-v2.rst, "Interface Files"). */
enum ctr_cgroup_format {
	CTR_CGROUP_SINGLE, /* one line of values: "52428800", "max", "max 100000" */
	CTR_CGROUP_FLAT,   /* "KEY VALUE" lines: memory.stat, cpu.stat, *.events */
	CTR_CGROUP_NESTED, /* "KEY SUBKEY=VALUE..." lines: io.stat, io.max, *.pressure */
};

struct ctr_cgroup_stat_file {
	const char *name;
	enum ctr_cgroup_format format;
};

/* The files `contain cgroup stat` shows, in the order it shows them. */
const struct ctr_cgroup_stat_file *ctr_cgroup_stat_files(size_t *ret_n);

/*
 * Read an interface file that may be absent: *ret is NULL when the group
 * does not have it (its controller is off) or the kernel does not offer
 * it (PSI disabled: EOPNOTSUPP). Other failures fill err.
 */
int ctr_cgroup_read_optional(const struct ctr_cgroup *cg, const char *file, char **ret,
			     struct ctr_error *err);

/* What memory.events and memory.max say, to tell an OOM kill from other SIGKILLs. */
struct ctr_cgroup_oom {
	bool known;		 /* the group has memory.events (the memory controller is on) */
	uint64_t oom_kill;	 /* memory.events oom_kill */
	uint64_t oom_group_kill; /* memory.events oom_group_kill (0 before Linux 5.17) */
	char memory_max[32];	 /* memory.max as the kernel prints it ("max", "52428800") */
};

/* Never fails: a group without the memory controller reads as known = false. */
void ctr_cgroup_oom_read(const struct ctr_cgroup *cg, struct ctr_cgroup_oom *ret);

/* What a command run in a group did, for the CLI to report. */
struct ctr_run_result {
	int status;	     /* exit code, or 128 + N for signal N */
	uint64_t oom_kills;  /* how much memory.events oom_kill rose during the run */
	char memory_max[32]; /* memory.max at the end; "" without a group or memory controller */
	char cgroup[4096];   /* the group the command ran in; "" without one */
};

/*
 * The cgroup of a container: PARENT/contain-PID (PID is the caller's),
 * with the controllers lim needs enabled in PARENT and lim written, before
 * any process is in it. parent is absolute or relative to the cgroup2
 * mount; NULL means the caller's own group.
 *
 * No internal process (cgroup-v2.rst, "No Internal Process Constraint"):
 * a group with processes of its own cannot give its children controllers.
 * When PARENT is the caller's own group and a controller must be enabled,
 * the caller first moves itself into PARENT/contain-self-PID (and stays
 * there; such groups left by callers that have exited are removed the next
 * time). On failure nothing is left behind but the controllers enabled in
 * PARENT, which are never disabled: other groups may rely on them.
 */
int ctr_cgroup_container_new(const char *parent, const struct ctr_limits *lim,
			     struct ctr_cgroup **ret, struct ctr_error *err);

/*
 * Run argv in the existing group cg: forked, moved into the group before it
 * execs, waited for with the signals forwarded (ctr-spawn.h). The group
 * stays as it is. err->kind is CTR_ERROR_EXEC when argv could not be run.
 */
int ctr_cgroup_exec(struct ctr_cgroup *cg, char **argv, struct ctr_run_result *ret,
		    struct ctr_error *err);

#endif
