/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the OCI suite: layers and images written at test time with
 * libarchive, the unpacker under test, and the victim-directory oracle.
 *
 * Unpacking images is contain's own verb (runc and crun have none), so,
 * like the tracer of the tracing suite, the unpacker is the reference
 * `contain oci` whatever --runtime says; $ISOLAB_OCI_UNPACKER (a word list
 * such as "myruntime oci") points the suite at another implementation.
 *
 * Every input lives in SCRATCH/in; the bundle is SCRATCH/out/bundle and the
 * victim SCRATCH/out/victim, so "../../victim" from the rootfs reaches it.
 * The oracle snapshots SCRATCH (all but in/ and the bundle: names, types,
 * modes, link targets, contents) before and after, and scans the rootfs for
 * the victim's nonce: a read-through hardlink or copy would carry it.
 */
#ifndef OCI_H
#define OCI_H

#include <stdbool.h>
#include <stdint.h>

#include "ht-runtime.h"
#include "isolab.h"

#define OCI_AREA .area = HT_AREA_OCI, .lesson = 8

/* One entry of a layer. */
struct oci_ent {
	char type;	  /* f file, d dir, l symlink, h hardlink, c/b device, p fifo, z zeros */
	const char *name; /* "%s" in it is replaced by the victim's absolute directory */
	const char *data; /* content, or the link target (same "%s" rule) */
	unsigned mode;	  /* permission bits; 0: 0644 (0755 for a dir) */
	uint64_t size;	  /* z: bytes of zeros */
};

enum oci_format { OCI_PAX = 0, OCI_GNUTAR, OCI_USTAR };
enum oci_compress { OCI_GZIP = 0, OCI_PLAIN, OCI_ZSTD };

struct oci_layer {
	const struct oci_ent *ents; /* ends at type 0 */
	enum oci_format format;
	enum oci_compress compress;
};

/* Where the test's files are, and the victim's state before the operation. */
struct oci_case {
	char *in, *out, *bundle, *rootfs, *victim;
	char *before;
};

/* Make in/, out/ and the victim (a file holding the nonce, a subdirectory). */
void oci_case_init(struct ht_ctx *t, struct oci_case *c);
/* Free the paths and the snapshot (the files stay in the scratch dir). */
void oci_case_free(struct oci_case *c);
#define _cleanup_oci_case_ _cleanup_(oci_case_free)

/* Write a layer as in/NAME; returns its path (malloc'd). */
char *oci_layer_write(struct ht_ctx *t, struct oci_case *c, const char *name,
		      const struct oci_layer *l);

/* What to put in an image besides the layers. */
struct oci_image_opts {
	const char *config;	/* the image config's "config" object as JSON, or NULL */
	const char *bad_digest; /* set layer 1's descriptor digest to this */
	bool corrupt_layer;	/* change layer 1's blob after its digest was taken */
};

/* An OCI image layout in in/NAME with these layer files; returns its path. */
char *oci_image_layout(struct ht_ctx *t, struct oci_case *c, const char *name, char *const *layers,
		       size_t n, const struct oci_image_opts *o);

/* The same image as an oci-archive and as a docker-archive tarball (plain layers). */
char *oci_image_archive(struct ht_ctx *t, struct oci_case *c, const char *layout);
char *oci_docker_archive(struct ht_ctx *t, struct oci_case *c, const char *name,
			 char *const *plain_layers, size_t n, const char *config);

/* Run `UNPACKER unpack [extra...] IMAGE BUNDLE`. */
void oci_unpack(struct ht_ctx *t, struct ht_proc *p, struct oci_case *c, const char *image,
		const char *const *extra);
/* Run `UNPACKER ARGS...` (oci spec and the like). */
void oci_tool(struct ht_ctx *t, struct ht_proc *p, const char *const *args);

/*
 * The oracle: the victim and everything around the bundle unchanged, and
 * no file in the rootfs holding the nonce. Reports a FAIL per difference.
 */
void oci_victim_check(struct ht_ctx *t, struct oci_case *c);

/* The rootfs as sorted lines "TYPE PATH[ -> TARGET]" (d, f, l, p, c, b). */
char *oci_tree(struct ht_ctx *t, const char *dir);

/* sha256 of a file as 64 hex digits (sha256sum(1)); BROKEN when it cannot. */
char *oci_sha256(struct ht_ctx *t, const char *path);

#endif
