// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Frame encoding and a resynchronising decoder; see ht-vm-frame.h for the
 * wire format.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ht-vm-frame.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t frame_crc(uint8_t type, const void *payload, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, &type, 1);
	/* crc32(3) returns the initial value for a Z_NULL buffer, whatever crc was. */
	if (len)
		crc = crc32(crc, payload, (uInt)len);
	return (uint32_t)crc;
}

size_t ht_vm_frame_encode(uint8_t type, const char *payload, size_t len, uint8_t **ret)
{
	size_t size = len + HT_VM_FRAME_OVERHEAD;
	uint8_t *p;

	*ret = NULL;
	if (len > HT_VM_FRAME_MAX)
		return 0;
	p = malloc(size);
	if (!p)
		return 0;
	memcpy(p, HT_VM_FRAME_MAGIC, 4);
	put_le32(p + 4, (uint32_t)len);
	p[8] = type;
	if (len)
		memcpy(p + 9, payload, len);
	put_le32(p + 9 + len, frame_crc(type, payload, len));
	*ret = p;
	return size;
}

int ht_vm_frame_write(int fd, uint8_t type, const char *payload, size_t len)
{
	uint8_t *buf;
	size_t size = ht_vm_frame_encode(type, payload, len, &buf), off = 0;
	int r = 0;

	if (!size)
		return len > HT_VM_FRAME_MAX ? -EMSGSIZE : -ENOMEM;
	while (off < size) {
		ssize_t n = write(fd, buf + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	free(buf);
	return r;
}

int ht_vm_decoder_feed(struct ht_vm_decoder *d, const void *data, size_t n)
{
	/* memcpy(3) wants valid pointers even for 0 bytes, and d->buf starts NULL. */
	if (n == 0)
		return 0;
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 4096;
		uint8_t *p;

		while (cap < d->len + n)
			cap *= 2;
		p = realloc(d->buf, cap);
		if (!p)
			return -ENOMEM;
		d->buf = p;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, data, n);
	d->len += n;
	return 0;
}

static void drop(struct ht_vm_decoder *d, size_t n)
{
	if (n == 0)
		return;
	memmove(d->buf, d->buf + n, d->len - n);
	d->len -= n;
}

int ht_vm_decoder_next(struct ht_vm_decoder *d, uint8_t *ret_type, char **ret_payload,
		       size_t *ret_len)
{
	for (;;) {
		uint8_t *m = d->len >= 4 ? memmem(d->buf, d->len, HT_VM_FRAME_MAGIC, 4) : NULL;
		uint32_t len;
		char *payload;

		if (!m) {
			/* Keep a tail that may be the start of a magic. */
			size_t keep = d->len < 3 ? d->len : 3;

			d->n_skipped += d->len - keep;
			drop(d, d->len - keep);
			return 0;
		}
		if (m != d->buf) {
			d->n_skipped += (size_t)(m - d->buf);
			drop(d, (size_t)(m - d->buf));
		}
		if (d->len < 9)
			return 0;
		len = get_le32(d->buf + 4);
		if (len > HT_VM_FRAME_MAX) {
			/* Not a frame after all: skip this magic and look again. */
			d->n_skipped += 1;
			drop(d, 1);
			continue;
		}
		if (d->len < (size_t)len + HT_VM_FRAME_OVERHEAD)
			return 0;
		if (get_le32(d->buf + 9 + len) != frame_crc(d->buf[8], d->buf + 9, len)) {
			d->n_bad_crc++;
			d->n_skipped += 1;
			drop(d, 1);
			continue;
		}
		payload = malloc((size_t)len + 1);
		if (!payload)
			return -ENOMEM;
		memcpy(payload, d->buf + 9, len);
		payload[len] = '\0';
		*ret_type = d->buf[8];
		*ret_payload = payload;
		*ret_len = len;
		drop(d, (size_t)len + HT_VM_FRAME_OVERHEAD);
		return 1;
	}
}

void ht_vm_decoder_done(struct ht_vm_decoder *d)
{
	free(d->buf);
	*d = (struct ht_vm_decoder){ 0 };
}
