// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests (libcheck) of the VM frame codec (harness/ht-vm-frame.c): the
 * exact bytes on the wire, and a decoder that gets whole frames back out of
 * a stream cut anywhere, with garbage, bad checksums and false magics in it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "ht-vm-frame.h"

/* B {"uptime_ms":1}, written out by hand from the format in ht-vm-frame.h. */
static const char beat_frame[] = "ISLB"		     /* magic */
				 "\x0f\x00\x00\x00"  /* len 15, little-endian */
				 "B"		     /* type */
				 "{\"uptime_ms\":1}" /* payload */
				 "\x6a\xc2\xd3\x70"; /* crc32 0x70d3c26a, little-endian */
#define BEAT_FRAME_LEN (sizeof(beat_frame) - 1)

struct got {
	uint8_t type;
	char *payload;
	size_t len;
};

/* Every whole frame the decoder has, in order; returns how many. */
static size_t drain(struct ht_vm_decoder *d, struct got *out, size_t max)
{
	struct got g;
	size_t n = 0;
	int r;

	while ((r = ht_vm_decoder_next(d, &g.type, &g.payload, &g.len)) == 1) {
		ck_assert_uint_lt(n, max);
		out[n++] = g;
	}
	ck_assert_int_eq(r, 0);
	return n;
}

static void got_free(struct got *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].payload);
}

/* Append one encoded frame to buf at *off. */
static void put_frame(uint8_t *buf, size_t *off, uint8_t type, const char *payload)
{
	uint8_t *f;
	size_t n = ht_vm_frame_encode(type, payload, strlen(payload), &f);

	ck_assert_uint_eq(n, strlen(payload) + HT_VM_FRAME_OVERHEAD);
	memcpy(buf + *off, f, n);
	*off += n;
	free(f);
}

START_TEST(encode_matches_wire_format)
{
	static const char payload[] = "{\"uptime_ms\":1}";
	uint8_t *f;
	size_t n = ht_vm_frame_encode(HT_VM_BEAT, payload, strlen(payload), &f);

	ck_assert_uint_eq(n, BEAT_FRAME_LEN);
	ck_assert_mem_eq(f, beat_frame, BEAT_FRAME_LEN);
	/* The checksum covers the type byte and the payload, nothing else. */
	ck_assert_uint_eq(crc32(0, f + 8, 1 + strlen(payload)), 0x70d3c26a);
	free(f);
}
END_TEST

START_TEST(decode_wire_bytes)
{
	struct ht_vm_decoder d = { 0 };
	struct got g[2];

	ck_assert_int_eq(ht_vm_decoder_feed(&d, beat_frame, BEAT_FRAME_LEN), 0);
	ck_assert_uint_eq(drain(&d, g, 2), 1);
	ck_assert_int_eq(g[0].type, HT_VM_BEAT);
	ck_assert_uint_eq(g[0].len, 15);
	ck_assert_str_eq(g[0].payload, "{\"uptime_ms\":1}");
	ck_assert_uint_eq(d.n_skipped, 0);
	ck_assert_uint_eq(d.n_bad_crc, 0);
	ck_assert_uint_eq(d.len, 0);
	got_free(g, 1);
	ht_vm_decoder_done(&d);
	ck_assert_ptr_null(d.buf);
}
END_TEST

START_TEST(empty_payload_round_trips)
{
	struct ht_vm_decoder d = { 0 };
	struct got g[2];
	uint8_t *f;
	size_t n = ht_vm_frame_encode(HT_VM_DONE, "", 0, &f);

	ck_assert_uint_eq(n, HT_VM_FRAME_OVERHEAD);
	ck_assert_int_eq(ht_vm_decoder_feed(&d, f, n), 0);
	ck_assert_uint_eq(drain(&d, g, 2), 1);
	ck_assert_int_eq(g[0].type, HT_VM_DONE);
	ck_assert_uint_eq(g[0].len, 0);
	ck_assert_str_eq(g[0].payload, "");
	got_free(g, 1);
	free(f);
	ht_vm_decoder_done(&d);
}
END_TEST

/* A byte stream may be cut anywhere, the magic included. */
START_TEST(byte_at_a_time)
{
	static const char *const payloads[] = { "{\"release\":\"6.1\"}", "{\"name\":\"ISLB\"}",
						"{}" };
	static const uint8_t types[] = { HT_VM_HELLO, HT_VM_START, HT_VM_DONE };
	struct ht_vm_decoder d = { 0 };
	uint8_t buf[256];
	size_t len = 0, n = 0;
	struct got g[4];

	for (size_t i = 0; i < 3; i++)
		put_frame(buf, &len, types[i], payloads[i]);
	for (size_t i = 0; i < len; i++) {
		ck_assert_int_eq(ht_vm_decoder_feed(&d, buf + i, 1), 0);
		n += drain(&d, g + n, 4 - n);
	}
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(g[i].type, types[i]);
		ck_assert_str_eq(g[i].payload, payloads[i]);
	}
	ck_assert_uint_eq(d.n_skipped, 0);
	got_free(g, n);
	ht_vm_decoder_done(&d);
}
END_TEST

/* A port opened mid-stream starts with the tail of a frame; a dying guest writes junk. */
START_TEST(garbage_is_skipped_and_counted)
{
	static const char junk1[] = "tail of an earlier frame\n";
	static const char junk2[] = "ISL\x01ISx";
	struct ht_vm_decoder d = { 0 };
	uint8_t buf[256];
	size_t len = 0;
	struct got g[3];

	memcpy(buf, junk1, strlen(junk1));
	len += strlen(junk1);
	put_frame(buf, &len, HT_VM_LOG, "{\"text\":\"a\"}");
	memcpy(buf + len, junk2, strlen(junk2));
	len += strlen(junk2);
	put_frame(buf, &len, HT_VM_LOG, "{\"text\":\"b\"}");

	ck_assert_int_eq(ht_vm_decoder_feed(&d, buf, len), 0);
	ck_assert_uint_eq(drain(&d, g, 3), 2);
	ck_assert_str_eq(g[0].payload, "{\"text\":\"a\"}");
	ck_assert_str_eq(g[1].payload, "{\"text\":\"b\"}");
	ck_assert_uint_eq(d.n_skipped, strlen(junk1) + strlen(junk2));
	ck_assert_uint_eq(d.n_bad_crc, 0);
	got_free(g, 2);
	ht_vm_decoder_done(&d);
}
END_TEST

START_TEST(bad_crc_frame_is_dropped)
{
	struct ht_vm_decoder d = { 0 };
	uint8_t buf[256];
	size_t len = 0, first;
	struct got g[3];

	put_frame(buf, &len, HT_VM_RESULT, "{\"name\":\"x\",\"outcome\":\"pass\"}");
	first = len;
	put_frame(buf, &len, HT_VM_DONE, "{\"exit\":0}");
	buf[12] ^= 0x20; /* one flipped bit in the first payload */

	ck_assert_int_eq(ht_vm_decoder_feed(&d, buf, len), 0);
	ck_assert_uint_eq(drain(&d, g, 3), 1);
	ck_assert_int_eq(g[0].type, HT_VM_DONE);
	ck_assert_str_eq(g[0].payload, "{\"exit\":0}");
	ck_assert_uint_eq(d.n_bad_crc, 1);
	ck_assert_uint_eq(d.n_skipped, first);
	got_free(g, 1);
	ht_vm_decoder_done(&d);
}
END_TEST

/* A magic inside junk with an impossible length must not make the decoder wait. */
START_TEST(oversized_length_is_not_a_frame)
{
	static const uint8_t fake[] = { 'I', 'S', 'L', 'B', 0xff, 0xff, 0xff, 0x7f, 'L' };
	struct ht_vm_decoder d = { 0 };
	uint8_t buf[256];
	size_t len = sizeof(fake);
	struct got g[2];

	memcpy(buf, fake, sizeof(fake));
	put_frame(buf, &len, HT_VM_BEAT, "{\"uptime_ms\":5}");
	ck_assert_int_eq(ht_vm_decoder_feed(&d, buf, len), 0);
	ck_assert_uint_eq(drain(&d, g, 2), 1);
	ck_assert_str_eq(g[0].payload, "{\"uptime_ms\":5}");
	ck_assert_uint_eq(d.n_skipped, sizeof(fake));
	got_free(g, 1);
	ht_vm_decoder_done(&d);
}
END_TEST

/*
 * A frame cut short (a guest that stopped mid-write) holds up the frames
 * after it until its declared length has arrived; then its checksum fails
 * and the decoder finds them.
 */
START_TEST(truncated_frame_delays_but_loses_nothing_after)
{
	struct ht_vm_decoder d = { 0 };
	uint8_t buf[512];
	size_t len = 0, cut;
	struct got g[8];
	size_t n;

	put_frame(buf, &len, HT_VM_LOG, "{\"text\":\"0123456789012345678901234567890123456789\"}");
	cut = len - 30;
	len = cut;
	put_frame(buf, &len, HT_VM_START, "{\"name\":\"a\"}");
	ck_assert_int_eq(ht_vm_decoder_feed(&d, buf, len), 0);
	/* Not enough bytes yet to check the cut frame: the next one waits. */
	ck_assert_uint_eq(drain(&d, g, 8), 0);
	len = 0;
	for (int i = 0; i < 4; i++)
		put_frame(buf, &len, HT_VM_BEAT, "{\"uptime_ms\":7}");
	ck_assert_int_eq(ht_vm_decoder_feed(&d, buf, len), 0);
	n = drain(&d, g, 8);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(g[0].type, HT_VM_START);
	ck_assert_str_eq(g[0].payload, "{\"name\":\"a\"}");
	ck_assert_int_eq(g[4].type, HT_VM_BEAT);
	ck_assert_uint_eq(d.n_bad_crc, 1);
	ck_assert_uint_eq(d.n_skipped, cut);
	got_free(g, n);
	ht_vm_decoder_done(&d);
}
END_TEST

START_TEST(too_long_payload_is_refused)
{
	size_t max = HT_VM_FRAME_MAX;
	char *big = calloc(max + 1, 1);
	uint8_t *f = (uint8_t *)"sentinel";
	int fds[2];

	ck_assert_ptr_nonnull(big);
	ck_assert_uint_eq(ht_vm_frame_encode(HT_VM_PROBE, big, max + 1, &f), 0);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	ck_assert_int_eq(ht_vm_frame_write(fds[1], HT_VM_PROBE, big, max + 1), -EMSGSIZE);
	/* Exactly the maximum is a frame. */
	ck_assert_uint_eq(ht_vm_frame_encode(HT_VM_PROBE, big, max, &f),
			  max + HT_VM_FRAME_OVERHEAD);
	free(f);
	close(fds[0]);
	close(fds[1]);
	free(big);
}
END_TEST

/* ht_vm_frame_write() writes whole frames, also when the pipe takes them in pieces. */
START_TEST(write_through_a_pipe)
{
	enum { N = 200 * 1024 };
	struct ht_vm_decoder d = { 0 };
	char *payload = malloc(N + 1);
	struct got g[3];
	int fds[2], status;
	pid_t pid;
	size_t n = 0;
	uint8_t buf[4096];
	ssize_t r;

	ck_assert_ptr_nonnull(payload);
	memset(payload, 'x', N);
	payload[0] = '"';
	payload[N - 1] = '"';
	payload[N] = '\0';
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	/* A frame larger than the pipe buffer: the writer must loop on short writes. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(ht_vm_frame_write(fds[1], HT_VM_PROBE, payload, N) == 0 &&
				      ht_vm_frame_write(fds[1], HT_VM_DONE, "{\"exit\":0}", 10) ==
					      0 ?
			      0 :
			      1);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf, sizeof(buf))) > 0) {
		ck_assert_int_eq(ht_vm_decoder_feed(&d, buf, (size_t)r), 0);
		n += drain(&d, g + n, 3 - n);
	}
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(g[0].type, HT_VM_PROBE);
	ck_assert_uint_eq(g[0].len, N);
	ck_assert_mem_eq(g[0].payload, payload, N);
	ck_assert_str_eq(g[1].payload, "{\"exit\":0}");
	got_free(g, n);
	free(payload);
	ht_vm_decoder_done(&d);
}
END_TEST

START_TEST(write_errors_are_negative_errno)
{
	int fds[2];

	ck_assert_int_eq(ht_vm_frame_write(-1, HT_VM_LOG, "{}", 2), -EBADF);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(ht_vm_frame_write(fds[1], HT_VM_LOG, "{}", 2), -EPIPE);
	close(fds[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm-frame");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, encode_matches_wire_format);
	tcase_add_test(tc, decode_wire_bytes);
	tcase_add_test(tc, empty_payload_round_trips);
	tcase_add_test(tc, byte_at_a_time);
	tcase_add_test(tc, garbage_is_skipped_and_counted);
	tcase_add_test(tc, bad_crc_frame_is_dropped);
	tcase_add_test(tc, oversized_length_is_not_a_frame);
	tcase_add_test(tc, truncated_frame_delays_but_loses_nothing_after);
	tcase_add_test(tc, too_long_payload_is_refused);
	tcase_add_test(tc, write_through_a_pipe);
	tcase_add_test(tc, write_errors_are_negative_errno);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
