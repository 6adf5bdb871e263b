/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the isolation suite: where the probe is, and small helpers to
 * run it under the runtime and to find a container's processes from the
 * host by the test's nonce.
 */
#ifndef ISO_H
#define ISO_H

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "ht-host.h"
#include "ht-runtime.h"
#include "ht-util.h"
#include "isolab.h"

/* The probe inside the test rootfs. */
#define PROBE_IN_ROOTFS "/probe"

/* The container's processes seen from the host: every pid with our nonce in argv. */
static inline pid_t iso_host_pid_of(struct ht_ctx *t)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = ht_pids_with_arg(ht_nonce(t), &pids);

	if (n == 0)
		return -1;
	/*
	 * The runtime's own process carries the nonce too (in its argv): the
	 * container's is the one in another pid namespace.
	 */
	for (size_t i = 0; i < n; i++)
		if (ht_ns_inode(pids[i], "pid") != ht_ns_inode(0, "pid"))
			return pids[i];
	return -1;
}

/*
 * A world-executable copy of the probe in the test's scratch dir, opened to
 * everyone (0755): a mapped uid in a user namespace may not be able to
 * reach the build directory's copy (e.g. under a 0700 /root).
 */
static inline const char *iso_probe_copy(struct ht_ctx *t)
{
	static char *path;
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	if (path)
		return path;
	path = ht_xasprintf("%s/probe", ht_scratch_dir(t));
	HT_SETUP(t, chmod(ht_scratch_dir(t), 0755));
	in = HT_SETUP(t, open(ht_probe_host_path(), O_RDONLY | O_CLOEXEC));
	out = HT_SETUP(t, open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		HT_SETUP(t, ht_write_all(out, buf, (size_t)n));
	HT_SETUP(t, n);
	return path;
}

static inline json_t *iso_get(json_t *j, const char *key)
{
	return json_object_get(j, key);
}

#endif
