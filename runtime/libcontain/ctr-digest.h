/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Content digests of OCI blobs (image-spec descriptor.md#digests). Only
 * sha256 is accepted, and only in its canonical form: "sha256:" followed by
 * exactly 64 lowercase hex digits. The check comes before a digest is ever
 * used to build a blob's name, so "sha256:../../x" never becomes a path.
 */
#ifndef CTR_DIGEST_H
#define CTR_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr-error.h"

#define CTR_DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define CTR_DIGEST_STR_MAX (7 + CTR_DIGEST_HEX_LEN + 1)

/* Whether s is "sha256:" + 64 lowercase hex digits, and nothing else. */
bool ctr_digest_valid(const char *s);

/*
 * Check s as above and copy its 64 hex digits to ret_hex (NUL-terminated).
 * An error names the digest (shortened) and what is wrong with it.
 */
int ctr_digest_parse(const char *s, char ret_hex[CTR_DIGEST_HEX_LEN + 1], struct ctr_error *err);

/* An incremental sha256 (OpenSSL EVP). */
struct ctr_sha256;

/*
 * Open libcrypto (ctr-dlopen.h), as ctr_sha256_new() and ctr_digest_fd() do
 * themselves; for a caller that must fail on a missing library before it
 * does anything else. Returns 0, or -ELIBACC / -ELIBBAD naming the package.
 */
int ctr_digest_dlopen(struct ctr_error *err);

int ctr_sha256_new(struct ctr_sha256 **ret, struct ctr_error *err);
int ctr_sha256_update(struct ctr_sha256 *h, const void *buf, size_t n, struct ctr_error *err);
/* Finish: "sha256:<hex>" in ret (CTR_DIGEST_STR_MAX bytes). */
int ctr_sha256_final(struct ctr_sha256 *h, char ret[CTR_DIGEST_STR_MAX], struct ctr_error *err);
void ctr_sha256_free(struct ctr_sha256 *h);

/*
 * The digest of fd's content from offset 0 to its end (pread, so the file
 * offset is left alone), and its size in bytes.
 */
int ctr_digest_fd(int fd, char ret[CTR_DIGEST_STR_MAX], uint64_t *ret_size, struct ctr_error *err);

/*
 * Verify that fd's content has digest `want` and, when want_size >= 0,
 * that many bytes. The error names `what` and both digests.
 */
int ctr_digest_verify_fd(int fd, const char *what, const char *want, int64_t want_size,
			 struct ctr_error *err);

#endif
