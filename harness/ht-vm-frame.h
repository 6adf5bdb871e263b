/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The frames the guest init sends to the host supervisor over a
 * virtio-serial port. A port is a byte stream that may start mid-frame (a
 * reconnect) or carry garbage (a dying guest), so every frame carries a
 * magic to resynchronise on, its length, and a checksum.
 *
 * Wire format, integers little-endian:
 *   "ISLB"   4 bytes magic
 *   len      u32, payload length (JSON text, no NUL), at most HT_VM_FRAME_MAX
 *   type     u8, an enum ht_vm_frame_type letter
 *   payload  len bytes
 *   crc      u32, crc32(3) (zlib) over the type byte and the payload
 *
 * This file is compiled into the static guest init as well as the harness:
 * it uses only libc and zlib.
 */
#ifndef HT_VM_FRAME_H
#define HT_VM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define HT_VM_FRAME_MAGIC    "ISLB"
#define HT_VM_FRAME_MAX	     (4u << 20)
#define HT_VM_FRAME_OVERHEAD 13u /* magic + len + type + crc */

/* The virtio-serial port name (qemu: virtserialport,name=...). */
#define HT_VM_PORT_NAME "org.isolab.results"

enum ht_vm_frame_type {
	HT_VM_HELLO = 'H',  /* init is up: {"release","boot_ms","init"} */
	HT_VM_BEAT = 'B',   /* heartbeat: {"uptime_ms"} */
	HT_VM_PROBE = 'P',  /* the `isolab probe --json` document */
	HT_VM_START = 'S',  /* a test started: {"name"} */
	HT_VM_RESULT = 'R', /* one result, as in the JSON report's "results" */
	HT_VM_TAINT = 'T',  /* {"before","after","test","kmsg":[lines]} */
	HT_VM_LOG = 'L',    /* {"text"}: a line from the init itself */
	HT_VM_DONE = 'D',   /* {"exit"}: the run finished; poweroff follows */
};

/*
 * Encode one frame into a malloc'd buffer. Returns its size, or 0 when the
 * payload is too long or memory ran out.
 */
size_t ht_vm_frame_encode(uint8_t type, const char *payload, size_t len, uint8_t **ret);

/* Encode and write(2) one frame whole; returns 0 or -errno. */
int ht_vm_frame_write(int fd, uint8_t type, const char *payload, size_t len);

struct ht_vm_decoder {
	uint8_t *buf;
	size_t len, cap;
	/* Bytes skipped to resynchronise: garbage, or frames with a bad checksum. */
	unsigned long n_skipped;
	unsigned long n_bad_crc;
};

/* Append received bytes. Returns 0 or -ENOMEM. */
int ht_vm_decoder_feed(struct ht_vm_decoder *d, const void *data, size_t n);

/*
 * Take the next whole frame: returns 1 and sets *ret_type and *ret_payload
 * (malloc'd, NUL-terminated, length in *ret_len), 0 when more bytes are
 * needed, or -ENOMEM.
 */
int ht_vm_decoder_next(struct ht_vm_decoder *d, uint8_t *ret_type, char **ret_payload,
		       size_t *ret_len);

void ht_vm_decoder_done(struct ht_vm_decoder *d);

#endif
