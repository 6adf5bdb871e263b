/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container configuration: what the CLI parsed, as plain data. The CLI
 * fills it, ctr_config_validate() refuses what cannot work, and
 * ctr_container_run() acts on it. Strings are borrowed (they point into
 * argv), so there is nothing to free.
 *
 * Options that arrive with later issues (cgroup limits, named networks) are
 * already parsed into the struct so that the command line is stable, and are
 * refused by ctr_config_validate() until they are implemented.
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
	CTR_LIMIT_MEMORY = 1u << 0,
	CTR_LIMIT_MEMORY_HIGH = 1u << 1,
	CTR_LIMIT_CPUS = 1u << 2,
	CTR_LIMIT_CPU_WEIGHT = 1u << 3,
	CTR_LIMIT_PIDS = 1u << 4,
	CTR_LIMIT_IO_MAX = 1u << 5,
};

/* cgroup v2 limits (arrive with the cgroup issue). */
struct ctr_limits {
	unsigned int set;     /* enum ctr_limit_bits */
	uint64_t memory_max;  /* bytes, memory.max */
	uint64_t memory_high; /* bytes, memory.high */
	uint64_t cpus_milli;  /* CPUs x 1000, cpu.max */
	uint64_t cpu_weight;  /* 1..10000, cpu.weight */
	uint64_t pids_max;    /* pids.max */
	const char *io_max;   /* "MAJ:MIN rbps=N ...", io.max */
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
	const char *net_name; /* --net NAME (arrives with the network issue) */
};

void ctr_config_init(struct ctr_config *cfg);

/* Refuse combinations that cannot work, and options not implemented yet. */
int ctr_config_validate(const struct ctr_config *cfg, struct ctr_error *err);

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

#endif
