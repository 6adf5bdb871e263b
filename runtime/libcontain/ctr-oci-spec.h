/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runtime-spec config.json of a bundle (runtime-spec config.md): a
 * minimal valid default in the shape `runc spec` writes, and the same with
 * the process taken from an image config (image-spec config.md).
 */
#ifndef CTR_OCI_SPEC_H
#define CTR_OCI_SPEC_H

#include "ctr-error.h"

struct json_t;

#define CTR_OCI_VERSION "1.0.2"

/* The default config with root.path rootfs_path; NULL when out of memory. */
struct json_t *ctr_oci_spec_new(const char *rootfs_path);

/*
 * Set process.args (Entrypoint then Cmd), env (Env, with a PATH when it
 * has none), cwd (WorkingDir) and user (User: "uid[:gid]", or names looked
 * up in the rootfs's /etc/passwd and /etc/group, read through rootfd
 * without leaving it) from the image config's "config" object.
 */
int ctr_oci_spec_apply_image(struct json_t *spec, struct json_t *image_config, int rootfd,
			     struct ctr_error *err);

/*
 * Write spec as dirfd/name, indented. Refuses (EEXIST) to replace a
 * file, as `runc spec` does.
 */
int ctr_oci_spec_write(int dirfd, const char *name, struct json_t *spec, struct ctr_error *err);

#endif
