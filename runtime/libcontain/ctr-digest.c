// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sha256 digests of blobs through OpenSSL's EVP interface (EVP_DigestInit(3)),
 * and the strict parser of digest strings (see ctr-digest.h).
 *
 * libcrypto is opened on first use (ctr-dlopen.h) rather than linked: only
 * `contain oci unpack` hashes anything. The six functions below are real
 * exports of libcrypto.so.3 (`nm -D`), not the macros some OpenSSL names
 * are, so dlsym(3) finds them by these names.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctr-digest.h"
#include "ctr-dlopen.h"
#include "ctr-util.h"

CTR_DLSYM_DEFINE(EVP_MD_CTX_new);
CTR_DLSYM_DEFINE(EVP_MD_CTX_free);
CTR_DLSYM_DEFINE(EVP_sha256);
CTR_DLSYM_DEFINE(EVP_DigestInit_ex);
CTR_DLSYM_DEFINE(EVP_DigestUpdate);
CTR_DLSYM_DEFINE(EVP_DigestFinal_ex);
CTR_DLLIB_DEFINE(libcrypto, CTR_SONAME_LIBCRYPTO, CTR_PACKAGE_LIBCRYPTO, CTR_DLSYM(EVP_MD_CTX_new),
		 CTR_DLSYM(EVP_MD_CTX_free), CTR_DLSYM(EVP_sha256), CTR_DLSYM(EVP_DigestInit_ex),
		 CTR_DLSYM(EVP_DigestUpdate), CTR_DLSYM(EVP_DigestFinal_ex));

#define SHA256_PREFIX "sha256:"

struct ctr_sha256 {
	EVP_MD_CTX *ctx;
};

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool ctr_digest_valid(const char *s)
{
	size_t plen = strlen(SHA256_PREFIX);

	if (!s || strncmp(s, SHA256_PREFIX, plen) != 0)
		return false;
	for (size_t i = 0; i < CTR_DIGEST_HEX_LEN; i++)
		if (!is_lower_hex(s[plen + i]))
			return false;
	return s[plen + CTR_DIGEST_HEX_LEN] == '\0';
}

int ctr_digest_parse(const char *s, char ret_hex[CTR_DIGEST_HEX_LEN + 1], struct ctr_error *err)
{
	if (!s)
		return ctr_error_set(err, EINVAL, "missing digest");
	if (!ctr_digest_valid(s)) {
		/* The string is hostile input: print a bounded, visible part of it. */
		char shown[96];
		size_t j = 0;

		for (size_t i = 0; s[i] && j < sizeof(shown) - 4; i++)
			shown[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
		if (strlen(s) > j)
			shown[j++] = '.', shown[j++] = '.', shown[j++] = '.';
		shown[j] = '\0';
		if (strncmp(s, SHA256_PREFIX, strlen(SHA256_PREFIX)) != 0)
			return ctr_error_set(err, EINVAL,
					     "invalid digest \"%s\": only sha256 is supported",
					     shown);
		return ctr_error_set(err, EINVAL,
				     "invalid digest \"%s\": want sha256: and 64 lowercase hex "
				     "digits",
				     shown);
	}
	memcpy(ret_hex, s + strlen(SHA256_PREFIX), CTR_DIGEST_HEX_LEN);
	ret_hex[CTR_DIGEST_HEX_LEN] = '\0';
	return 0;
}

int ctr_digest_dlopen(struct ctr_error *err)
{
	return ctr_dlopen(&libcrypto, err);
}

int ctr_sha256_new(struct ctr_sha256 **ret, struct ctr_error *err)
{
	struct ctr_sha256 *h;
	int r;

	/* The other ctr_sha256_ functions take an h, so libcrypto is loaded for them. */
	r = ctr_digest_dlopen(err);
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h)
		return ctr_error_errno(err, ENOMEM, "sha256");
	h->ctx = sym_EVP_MD_CTX_new();
	if (!h->ctx || sym_EVP_DigestInit_ex(h->ctx, sym_EVP_sha256(), NULL) != 1) {
		ctr_sha256_free(h);
		return ctr_error_set(err, EIO, "sha256: EVP_DigestInit_ex failed");
	}
	*ret = h;
	return 0;
}

int ctr_sha256_update(struct ctr_sha256 *h, const void *buf, size_t n, struct ctr_error *err)
{
	if (sym_EVP_DigestUpdate(h->ctx, buf, n) != 1)
		return ctr_error_set(err, EIO, "sha256: EVP_DigestUpdate failed");
	return 0;
}

int ctr_sha256_final(struct ctr_sha256 *h, char ret[CTR_DIGEST_STR_MAX], struct ctr_error *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char *p;

	if (sym_EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != CTR_DIGEST_HEX_LEN / 2)
		return ctr_error_set(err, EIO, "sha256: EVP_DigestFinal_ex failed");
	p = stpcpy(ret, SHA256_PREFIX);
	for (unsigned int i = 0; i < len; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 0xf];
	}
	*p = '\0';
	return 0;
}

void ctr_sha256_free(struct ctr_sha256 *h)
{
	if (!h)
		return;
	sym_EVP_MD_CTX_free(h->ctx);
	free(h);
}

int ctr_digest_fd(int fd, char ret[CTR_DIGEST_STR_MAX], uint64_t *ret_size, struct ctr_error *err)
{
	struct ctr_sha256 *h = NULL;
	_cleanup_free_ char *buf = NULL;
	const size_t bufsz = 1 << 20;
	uint64_t off = 0;
	int r;

	buf = malloc(bufsz);
	if (!buf)
		return ctr_error_errno(err, ENOMEM, "sha256");
	r = ctr_sha256_new(&h, err);
	if (r < 0)
		return r;
	for (;;) {
		ssize_t n = pread(fd, buf, bufsz, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ctr_error_errno(err, errno, "read");
			goto out;
		}
		if (n == 0)
			break;
		r = ctr_sha256_update(h, buf, (size_t)n, err);
		if (r < 0)
			goto out;
		off += (uint64_t)n;
	}
	r = ctr_sha256_final(h, ret, err);
	if (r >= 0 && ret_size)
		*ret_size = off;
out:
	ctr_sha256_free(h);
	return r;
}

int ctr_digest_verify_fd(int fd, const char *what, const char *want, int64_t want_size,
			 struct ctr_error *err)
{
	char got[CTR_DIGEST_STR_MAX];
	uint64_t size = 0;
	int r;

	if (!ctr_digest_valid(want))
		return ctr_error_set(err, EINVAL, "%s: invalid digest", what);
	r = ctr_digest_fd(fd, got, &size, err);
	if (r < 0)
		return ctr_error_prefix(err, "%s", what);
	if (want_size >= 0 && size != (uint64_t)want_size)
		return ctr_error_set(err, EBADMSG,
				     "%s: size is %llu bytes, the descriptor says %lld", what,
				     (unsigned long long)size, (long long)want_size);
	if (strcmp(got, want) != 0)
		return ctr_error_set(err, EBADMSG,
				     "%s: content does not match its digest (%s, want %s)", what,
				     got, want);
	return 0;
}
