// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * File descriptors (lesson 4): a container starts with stdin, stdout and
 * stderr only. Whatever else its runtime inherited - here a directory fd
 * on the host's / that the caller "forgot" to mark close-on-exec - must not
 * reach it, or the command could walk out of its rootfs through
 * /proc/self/fd/N (CVE-2024-21626).
 */
#include <fcntl.h>

#include "iso.h"

/* The container sees only fds 0-2 even when its caller leaks a directory fd. */
static void run_container_sees_only_stdio(struct ht_ctx *t)
{
	struct ht_proc_opts o = { .keep_fds = true };
	struct ht_proc r;
	json_t *j, *fd;
	size_t i;
	int leaked;

	/* No O_CLOEXEC on purpose: this is the leak. */
	leaked = HT_SETUP(t, open("/", O_RDONLY | O_DIRECTORY));
	ht_runtime_run(t, &r,
		       HT_ARGS("run", ht_rootfs(), "--", PROBE_IN_ROOTFS, ht_nonce(t), "fds"), &o);
	close(leaked);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	HT_ASSERT(t, j != NULL);
	json_array_foreach(iso_get(j, "fds"), i, fd) {
		json_int_t n = json_integer_value(iso_get(fd, "fd"));

		if (n > 2)
			ht_fail(t, "the container holds fd %lld -> %s", (long long)n,
				json_string_value(iso_get(fd, "target")));
	}
	HT_EXPECT_EQ(t, json_array_size(iso_get(j, "fds")), 3);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(run_container_sees_only_stdio, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.pid", "ns.mnt", "pivot_root"), .tags = "cve:CVE-2024-21626");
