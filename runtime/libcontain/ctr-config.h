/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container configuration: what the CLI parsed, as plain data. The CLI
 * fills it, ctr_config_validate() refuses what cannot work, and
 * ctr_container_run() acts on it. Strings are borrowed (they point into
 * argv), so there is nothing to free.
 *
 * Options that arrive with later issues are already parsed into the
 * struct so that the command line is stable, and are refused by
 * ctr_config_validate() until they are implemented.
 */
#ifndef CTR_CONFIG_H
#define CTR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "ctr-error.h"
#include "ctr-userns.h"

enum ctr_mode {
	CTR_MODE_NS,	    /* `contain ns TYPE[,TYPE...]`: the namespaces only */
	CTR_MODE_CONTAINER, /* `contain ns container`, `contain run`: a rootfs, pivot_root */
};

/* The hostname `ns container` and `run` set when --hostname is not given. */
#define CTR_DEFAULT_HOSTNAME "contain"

/* "max" for the byte and count limits. */
#define CTR_LIMIT_MAX UINT64_MAX

enum ctr_limit_bits {
	CTR_LIMIT_MEMORY = 1u << 0,	 /* memory.max */
	CTR_LIMIT_MEMORY_HIGH = 1u << 1, /* memory.high */
	CTR_LIMIT_CPUS = 1u << 2,	 /* cpu.max from a number of CPUs */
	CTR_LIMIT_CPU_WEIGHT = 1u << 3,	 /* cpu.weight */
	CTR_LIMIT_PIDS = 1u << 4,	 /* pids.max */
	CTR_LIMIT_IO_MAX = 1u << 5,	 /* io.max, one line per device */
	CTR_LIMIT_MEMORY_SWAP = 1u << 6, /* memory.swap.max */
	CTR_LIMIT_CPU_MAX = 1u << 7,	 /* cpu.max as a quota and a period */
	/*
	 * memory.swap.max 0 where the kernel accounts swap (the file exists),
	 * so that --memory N caps memory and swap together.
	 */
	CTR_LIMIT_MEMORY_NOSWAP = 1u << 8,
};

/* The cpu.max period that --cpus uses, in microseconds (cgroup-v2.rst, "CPU Interface Files"). */
#define CTR_CPU_PERIOD_US 100000
/* cpu.max bounds the kernel enforces on the quota and the period (tg_set_cfs_bandwidth). */
#define CTR_CPU_QUOTA_MIN_US  1000
#define CTR_CPU_PERIOD_MIN_US 1000
#define CTR_CPU_PERIOD_MAX_US 1000000

/* The keys of an io.max line, in the order the kernel prints them. */
enum ctr_io_key {
	CTR_IO_RBPS,
	CTR_IO_WBPS,
	CTR_IO_RIOPS,
	CTR_IO_WIOPS,
	CTR_IO_KEYS,
};

/* One io.max line: "MAJ:MIN rbps=N wbps=N riops=N wiops=N" (any subset of the keys). */
struct ctr_io_max {
	unsigned int major, minor;
	unsigned int set;	 /* bits 1 << enum ctr_io_key */
	uint64_t v[CTR_IO_KEYS]; /* CTR_LIMIT_MAX for "max" */
};

#define CTR_IO_MAX_DEVICES 16

/* cgroup v2 limits, each written to its interface file (cgroup-v2.rst, "Controllers"). */
struct ctr_limits {
	unsigned int set;	  /* enum ctr_limit_bits */
	uint64_t memory_max;	  /* bytes, memory.max */
	uint64_t memory_high;	  /* bytes, memory.high */
	uint64_t memory_swap_max; /* bytes, memory.swap.max */
	uint64_t cpus_milli;	  /* CPUs x 1000, cpu.max with period CTR_CPU_PERIOD_US */
	uint64_t cpu_quota_us;	  /* cpu.max quota (CTR_LIMIT_MAX: max) */
	uint64_t cpu_period_us;	  /* cpu.max period */
	uint64_t cpu_weight;	  /* 1..10000, cpu.weight */
	uint64_t pids_max;	  /* pids.max */
	struct ctr_io_max io_max[CTR_IO_MAX_DEVICES];
	size_t n_io_max;
};

struct ctr_config {
	enum ctr_mode mode;
	unsigned long namespaces; /* CLONE_NEW* */
	const char *rootfs;	  /* container mode: the directory to pivot_root into */
	const char *hostname;	  /* NULL: keep the copied name (ns) or the default (container) */
	char **argv;		  /* the command, execvp(3) semantics */

	struct ctr_idmap uid_map[CTR_IDMAP_MAX]; /* empty: the default map */
	size_t n_uid_map;
	struct ctr_idmap gid_map[CTR_IDMAP_MAX];
	size_t n_gid_map;

	bool has_monotonic_offset;
	bool has_boottime_offset;
	int64_t monotonic_offset; /* seconds, time_namespaces(7) */
	int64_t boottime_offset;

	struct ctr_limits limits;
	/*
	 * Where the container's own cgroup is made (absolute, or relative to
	 * the cgroup2 mount). NULL: the caller's own cgroup. With no limit and
	 * no parent, the container gets no cgroup of its own.
	 */
	const char *cgroup_parent;
	/*
	 * --net NAME: join the network namespace bind-mounted at
	 * $CONTAIN_NETNS_DIR/NAME (`contain net create`) instead of a new one.
	 */
	const char *net_name;
};

void ctr_config_init(struct ctr_config *cfg);

/*
 * Refuse combinations that cannot work, and options not implemented yet.
 * --net NAME must be a valid name and excludes a new network namespace.
 */
int ctr_config_validate(const struct ctr_config *cfg, struct ctr_error *err);

/*
 * Refuse limits the kernel would refuse, before anything is made: a cpu.max
 * quota below 1000 us or a period outside 1000..1000000 us; and both ways
 * of setting cpu.max (CTR_LIMIT_CPUS and CTR_LIMIT_CPU_MAX) at once.
 */
int ctr_limits_validate(const struct ctr_limits *lim, struct ctr_error *err);

/* Whether the container gets a cgroup of its own (a limit or a parent was given). */
bool ctr_config_wants_cgroup(const struct ctr_config *cfg);

/* The hostname to set in the child, or NULL to leave it alone. */
const char *ctr_config_hostname(const struct ctr_config *cfg);

/*
 * Value parsers for the command line. opt names the option in messages. On
 * failure they return a usage error and leave *ret untouched.
 */
/* Bytes with an optional K, M, G or T suffix (powers of 1024), or "max". */
int ctr_parse_bytes(const char *opt, const char *s, uint64_t *ret, struct ctr_error *err);
/* A decimal number of CPUs such as "1.5", as thousandths. */
int ctr_parse_cpus(const char *opt, const char *s, uint64_t *ret_milli, struct ctr_error *err);
/* An unsigned decimal in [min, max]; "max" when allow_max. */
int ctr_parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max, bool allow_max,
		   uint64_t *ret, struct ctr_error *err);
/* A signed number of seconds. */
int ctr_parse_seconds(const char *opt, const char *s, int64_t *ret, struct ctr_error *err);
/*
 * A cpu.max value: "QUOTA [PERIOD]" in microseconds, QUOTA may be "max",
 * PERIOD defaults to CTR_CPU_PERIOD_US (cgroup-v2.rst, "cpu.max").
 */
int ctr_parse_cpu_max(const char *opt, const char *s, uint64_t *ret_quota, uint64_t *ret_period,
		      struct ctr_error *err);
/*
 * An io.max line: "MAJ:MIN KEY=VALUE...", KEY one of rbps, wbps (bytes per
 * second, K/M/G/T suffixes allowed), riops, wiops (I/Os per second), VALUE
 * a number or "max" (cgroup-v2.rst, "io.max").
 */
int ctr_parse_io_max(const char *opt, const char *s, struct ctr_io_max *ret, struct ctr_error *err);
/* Add an io.max line to lim; a second line for the same device replaces the first. */
int ctr_limits_add_io_max(struct ctr_limits *lim, const struct ctr_io_max *io,
			  struct ctr_error *err);
/* The io.max line as the kernel reads it: "8:16 rbps=1048576 wiops=max". */
int ctr_io_max_format(const struct ctr_io_max *io, char *buf, size_t size);

#endif
