/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Host probes: "can this kernel, here, do X?", answered by doing X in a
 * throwaway child and checking the effect. Kernel config is read only to
 * explain a "no" (CONFIG_VETH=m, module not loaded).
 *
 * Probes are evaluated lazily and cached per process, so a run pays only
 * for the probes its selected tests need.
 */
#ifndef HT_PROBE_H
#define HT_PROBE_H

#include <stddef.h>

enum ht_verdict {
	HT_YES = 0,
	HT_NO,
	HT_UNKNOWN,
};

struct ht_probe_result {
	const char *id;
	enum ht_verdict verdict;
	int err;	   /* errno of the failing step, 0 when none */
	char *evidence;	   /* what was done and observed: "wrote 1048576 to memory.max" */
	char *explanation; /* why not, in plain words; NULL on YES */
	double duration_s;
};

struct ht_probe_desc {
	const char *id;	   /* "ns.pid", "cgroup2.memory", ... */
	const char *title; /* "PID namespace" */
	/* Runs inside a forked child; fills r (evidence/explanation strdup'd). */
	void (*fn)(struct ht_probe_result *r);
};

/* Every known probe, in display order; n set to the count. */
const struct ht_probe_desc *ht_probe_list(size_t *n);
const struct ht_probe_desc *ht_probe_find(const char *id);

/*
 * The cached result for id, running the probe on first use. Never NULL: an
 * unknown id yields HT_UNKNOWN with an explanation naming it.
 */
const struct ht_probe_result *ht_probe_get(const char *id);

/* "probe cgroup2.memory: memory controller bound to a v1 hierarchy at ... (ENOENT)" */
char *ht_probe_reason(const struct ht_probe_result *r);

const char *ht_verdict_name(enum ht_verdict v); /* "yes", "no", "unknown" */

/*
 * Probes that create scratch resources (cgroups) journal them first when a
 * journal fd is set (the runner sets it; `isolab probe` opens its own).
 */
void ht_probe_set_journal(int journal_fd);

/*
 * The mount point of the cgroup2 hierarchy (from /proc/self/mountinfo:
 * /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones).
 * Returns 0 and a malloc'd path, or -ENOENT when cgroup2 is not mounted.
 */
int ht_cgroup2_mount(char **ret_path);

/* Lessons and what each needs: the readiness table of `isolab probe`. */
struct ht_lesson {
	int number;
	const char *title;
	const char *const *needs;
	const char *where; /* "host", "host or devcontainer", "vm" when nothing else can */
};
const struct ht_lesson *ht_lesson_list(size_t *n);

#endif
