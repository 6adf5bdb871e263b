/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a container image: an OCI image layout directory
 * (image-spec image-layout.md), the same layout in a tar (oci-archive), or
 * a `docker save` tarball (docker-archive). Every blob is checked against
 * its digest (and size) before it is used; what comes out is the image
 * config and one open fd per layer, in the order they apply.
 */
#ifndef CTR_IMAGE_H
#define CTR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ctr-digest.h"
#include "ctr-error.h"

struct json_t;

enum ctr_image_format {
	CTR_IMAGE_OCI_LAYOUT,
	CTR_IMAGE_OCI_ARCHIVE,
	CTR_IMAGE_DOCKER_ARCHIVE,
};

struct ctr_image_layer {
	char digest[CTR_DIGEST_STR_MAX]; /* the blob's (docker-archive: the diff id) */
	uint64_t size;
	int fd; /* read from offset 0 with pread or after lseek */
};

struct ctr_image {
	enum ctr_image_format format;
	char manifest_digest[CTR_DIGEST_STR_MAX]; /* "" for docker-archive */
	struct json_t *config;			  /* the image config (config.md) */
	struct ctr_image_layer *layers;
	size_t n_layers;
};

/* Bounds on what a tarball image may hold while it is read. */
#define CTR_IMAGE_MAX_JSON    (4U << 20) /* index, manifest, config */
#define CTR_IMAGE_MAX_ENTRIES 100000	 /* files in an archive */
#define CTR_IMAGE_MAX_LAYERS  256
#define CTR_IMAGE_MAX_NESTING 4 /* image indexes within indexes */

/*
 * Read the image at path. A tarball is copied, file by file under numbered
 * names, into a private directory made in tmp_dirfd, which is removed again
 * before this returns (the layers stay reachable through their fds).
 * max_size bounds the bytes copied. With several manifests in an index,
 * the one for linux and the host's architecture is taken.
 */
int ctr_image_open(const char *path, int tmp_dirfd, uint64_t max_size, struct ctr_image **ret,
		   struct ctr_error *err);
void ctr_image_free(struct ctr_image *img);

const char *ctr_image_format_name(enum ctr_image_format f);

/* The architecture as the image spec names it (GOARCH: amd64, arm64...). */
const char *ctr_image_host_arch(void);

#endif
