// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the layer unpacker (ctr-unpack.h): any byte string,
 * applied as one layer to a fresh rootfs, is either refused with a message
 * or unpacked within the limits, and nothing appears outside the rootfs.
 *
 * The rootfs sits at the bottom of a private chain TMP/a/b/rootfs that the
 * target made for itself: a write that escapes through "..", a symlink or
 * a hardlink lands in a, b or TMP, each of which must still hold exactly
 * its one child after every input. Absolute names and escapes deeper than
 * three levels are what the real suite (suites/oci/unpack.c) checks with
 * its victim directory; here the fuzzer looks for the short ones. Built
 * with -Dfuzz=true (clang); TMPDIR chooses where TMP is made.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr-unpack.h"
#include "ctr-util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small limits keep each run in the microseconds: a bomb stops at 1 MiB. */
#define FUZZ_MAX_SIZE	 (1ULL << 20)
#define FUZZ_MAX_ENTRIES 512
#define FUZZ_MAX_DEPTH	 32

static char top[PATH_MAX];
/* The chain, outermost first: TMP, TMP/a, TMP/a/b. Each must hold only the next. */
static int level_fd[3] = { -1, -1, -1 };
static const char *const level_child[3] = { "a", "b", "rootfs" };

static void fail(const char *what)
{
	fprintf(stderr, "fuzz-unpack: %s (%s)\n", what, strerror(errno));
	__builtin_trap();
}

/* Trap unless dirfd holds exactly `only` (or nothing when only is NULL). */
static void expect_only(int dirfd, const char *only)
{
	DIR *d;
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned n = 0;

	if (fd < 0)
		fail("reopen a level of the chain");
	d = fdopendir(fd);
	if (!d)
		fail("fdopendir");
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!only || strcmp(de->d_name, only)) {
			fprintf(stderr, "fuzz-unpack: \"%s\" appeared outside the rootfs\n",
				de->d_name);
			__builtin_trap();
		}
		n++;
	}
	closedir(d);
	if (only && n != 1) {
		fprintf(stderr, "fuzz-unpack: \"%s\" is gone from its parent\n", only);
		__builtin_trap();
	}
}

static void remove_chain(void)
{
	struct ctr_error err = { 0 };
	_cleanup_close_ int tmpdir = -1;
	const char *base = strrchr(top, '/');

	for (size_t i = 0; i < 3; i++) {
		if (level_fd[i] >= 0)
			close(level_fd[i]);
		level_fd[i] = -1;
	}
	if (!top[0] || !base)
		return;
	tmpdir = open(base == top ? "/" : strndupa(top, base - top),
		      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmpdir >= 0)
		ctr_remove_tree_at(tmpdir, base + 1, &err);
	top[0] = '\0';
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(top, sizeof(top), "%s/fuzz-unpack-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top))
		fail("mkdtemp");
	level_fd[0] = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (level_fd[0] < 0)
		fail("open the temporary directory");
	for (size_t i = 1; i < 3; i++) {
		if (mkdirat(level_fd[i - 1], level_child[i - 1], 0700) < 0)
			fail("mkdir a level of the chain");
		level_fd[i] = openat(level_fd[i - 1], level_child[i - 1],
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (level_fd[i] < 0)
			fail("open a level of the chain");
	}
	/* libFuzzer leaves through exit() when -max_total_time is up. */
	atexit(remove_chain);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_unpack_opts opts;
	struct ctr_unpack *u = NULL;
	struct ctr_error err = { 0 };
	const struct ctr_unpack_stats *st;
	_cleanup_close_ int layer = -1;
	_cleanup_close_ int rootfd = -1;
	struct stat before, after;
	int r;

	/* The unpacker reads a layer from an fd and seeks it to 0 first. */
	layer = memfd_create("fuzz-layer", MFD_CLOEXEC);
	if (layer < 0)
		fail("memfd_create");
	if (size && write(layer, data, size) != (ssize_t)size)
		fail("write the layer");

	if (mkdirat(level_fd[2], "rootfs", 0700) < 0)
		fail("mkdir rootfs");
	rootfd = openat(level_fd[2], "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0 || fstat(rootfd, &before) < 0)
		fail("open rootfs");

	ctr_unpack_opts_default(&opts);
	opts.limits.max_size = FUZZ_MAX_SIZE;
	opts.limits.max_entries = FUZZ_MAX_ENTRIES;
	opts.limits.max_depth = FUZZ_MAX_DEPTH;
	r = ctr_unpack_new(rootfd, &opts, &u, &err);
	if (r < 0) {
		fprintf(stderr, "fuzz-unpack: %s\n", err.msg);
		__builtin_trap();
	}
	r = ctr_unpack_layer(u, layer, "layer", &err);
	st = ctr_unpack_get_stats(u);
	if (r < 0 && !err.msg[0])
		__builtin_trap(); /* a refusal always says why */
	if (r == 0 && (st->entries > FUZZ_MAX_ENTRIES || st->bytes > FUZZ_MAX_SIZE))
		__builtin_trap(); /* the limits held */
	ctr_unpack_free(u);

	/* The rootfs is still the directory it was, and the chain holds only it. */
	if (fstatat(level_fd[2], "rootfs", &after, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(after.st_mode) || after.st_ino != before.st_ino ||
	    after.st_dev != before.st_dev) {
		fprintf(stderr, "fuzz-unpack: the rootfs itself was replaced\n");
		__builtin_trap();
	}
	for (size_t i = 0; i < 3; i++)
		expect_only(level_fd[i], level_child[i]);

	if (ctr_remove_tree_at(level_fd[2], "rootfs", &err) < 0) {
		fprintf(stderr, "fuzz-unpack: remove the rootfs: %s\n", err.msg);
		__builtin_trap();
	}
	expect_only(level_fd[2], NULL);
	return 0;
}
