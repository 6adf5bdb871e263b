/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Applying image layers (image-spec layer.md) to a root filesystem, one
 * tar stream after another, with libarchive. The rootfs is only ever
 * reached through a directory fd: every parent is resolved with openat2(2)
 * RESOLVE_IN_ROOT, and every leaf is made with a *at() call relative to it,
 * so neither `..`, an absolute name nor a symlink made by an earlier entry
 * or layer can lead a write out of the root. See CONTRACT.md ("oci unpack")
 * for what is refused and what is sanitised.
 */
#ifndef CTR_UNPACK_H
#define CTR_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "ctr-error.h"

/* The defaults of the limits (CONTRACT.md documents them). */
#define CTR_UNPACK_DEFAULT_MAX_SIZE    (16ULL << 30) /* bytes of file content, all layers */
#define CTR_UNPACK_DEFAULT_MAX_ENTRIES 1000000ULL    /* tar entries, all layers */
#define CTR_UNPACK_DEFAULT_MAX_DEPTH   256	     /* components of one path */
#define CTR_UNPACK_DEFAULT_MAX_NAME    255	     /* bytes of one component (NAME_MAX) */

struct ctr_unpack_limits {
	uint64_t max_size;
	uint64_t max_entries;
	unsigned max_depth;
	unsigned max_name;
};

struct ctr_unpack_opts {
	struct ctr_unpack_limits limits;
	bool keep_setid; /* keep setuid/setgid bits on non-directories */
};

struct ctr_unpack_stats {
	uint64_t layers;
	uint64_t entries;
	uint64_t bytes; /* file content written */
	uint64_t whiteouts;
	uint64_t devices_skipped;
	uint64_t setid_stripped;
};

struct ctr_unpack;

void ctr_unpack_opts_default(struct ctr_unpack_opts *o);

/*
 * Start unpacking into the directory rootfd (duplicated; the caller keeps
 * its own fd). The directory should be empty and not shared with anything.
 */
int ctr_unpack_new(int rootfd, const struct ctr_unpack_opts *o, struct ctr_unpack **ret,
		   struct ctr_error *err);
void ctr_unpack_free(struct ctr_unpack *u);

/*
 * Apply one layer (a tar stream, uncompressed, gzip or zstd) read from fd,
 * from its start. `what` names the layer in errors. A refused entry fails
 * the whole layer: "WHAT: entry "NAME": REASON". The rootfs is then left
 * half-written; the caller removes it.
 */
int ctr_unpack_layer(struct ctr_unpack *u, int fd, const char *what, struct ctr_error *err);

const struct ctr_unpack_stats *ctr_unpack_get_stats(const struct ctr_unpack *u);

/*
 * The canonical form of a path inside a layer: components split on '/',
 * empty and "." ones dropped, so "./a//b/" is "a/b" and "./" is "". An
 * absolute name, a ".." component, a component longer than max_name or
 * more than max_depth components is refused with the reason in err. The
 * result is malloc'd.
 */
int ctr_unpack_path_clean(const char *name, const struct ctr_unpack_limits *l, char **ret,
			  struct ctr_error *err);

/*
 * Remove name in dirfd and, when it is a directory, everything under it,
 * without following symlinks or descending into other mounts. ENOENT is
 * not an error.
 */
int ctr_remove_tree_at(int dirfd, const char *name, struct ctr_error *err);

#endif
