/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User namespace id maps (user_namespaces(7)): parsing "INSIDE:OUTSIDE:COUNT"
 * lists, the default map, and writing /proc/PID/{setgroups,uid_map,gid_map}
 * from the parent while the child waits on the sync socket.
 */
#ifndef CTR_USERNS_H
#define CTR_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr-error.h"

/* The kernel takes up to 340 lines since Linux 4.15; a few are plenty here. */
#define CTR_IDMAP_MAX 32

struct ctr_idmap {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

/* Root inside, an unprivileged range outside: "0 100000 65536". */
#define CTR_IDMAP_DEFAULT_INSIDE  0
#define CTR_IDMAP_DEFAULT_OUTSIDE 100000
#define CTR_IDMAP_DEFAULT_COUNT	  65536

/*
 * Parse "INSIDE:OUTSIDE:COUNT[,INSIDE:OUTSIDE:COUNT...]" for option opt.
 * Ranges must be non-empty, fit in 32 bits and not overlap, inside or outside
 * (the kernel would refuse the write with a bare EINVAL). ret is untouched on
 * failure.
 */
int ctr_idmap_parse(const char *opt, const char *s, struct ctr_idmap ret[CTR_IDMAP_MAX],
		    size_t *ret_n, struct ctr_error *err);

/* The map to write: map itself, or the default one when n is 0. */
const struct ctr_idmap *ctr_idmap_effective(const struct ctr_idmap *map, size_t n, size_t *ret_n);

/* Whether id inside the namespace is mapped by map. */
bool ctr_idmap_maps_inside(const struct ctr_idmap *map, size_t n, uint32_t id);

/* "0 100000 65536\n..." as /proc/PID/uid_map wants it; returns 0 or -ENOBUFS. */
int ctr_idmap_format(const struct ctr_idmap *map, size_t n, char *buf, size_t size);

/*
 * Write "deny" to /proc/PID/setgroups, then gid_map, then uid_map. setgroups
 * must be denied before gid_map is written (user_namespaces(7), "The
 * /proc/[pid]/setgroups file"). Empty maps mean the default.
 */
int ctr_userns_apply(pid_t pid, const struct ctr_idmap *uid_map, size_t n_uid,
		     const struct ctr_idmap *gid_map, size_t n_gid, struct ctr_error *err);

#endif
