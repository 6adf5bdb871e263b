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

/*
 * The container's process seen from the host: a pid with our nonce in its
 * argv whose `type` namespace (/proc/PID/ns/TYPE) is not ours. The runtime's
 * own process carries the nonce too (in its argv) but stays in our
 * namespaces, and a runtime that only prints what the probe would print
 * leaves no such process at all.
 */
static inline pid_t iso_host_pid_in(struct ht_ctx *t, const char *type)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = ht_pids_with_arg(ht_nonce(t), &pids);

	for (size_t i = 0; i < n; i++)
		if (ht_ns_inode(pids[i], type) != ht_ns_inode(0, type))
			return pids[i];
	return -1;
}

/* The container's process in another pid namespace, or -1. */
static inline pid_t iso_host_pid_of(struct ht_ctx *t)
{
	return iso_host_pid_in(t, "pid");
}

/*
 * Start the runtime with args, then `/bin/sh -c SCRIPT PROBE NONCE [ARG]`,
 * where the script runs `PROBE NONCE verb [ARG]` and, when it succeeded,
 * execs `PROBE NONCE pause`: the container outlives the probe's report, so
 * the host can look at the process that made it (iso_host_pid_in()) before
 * it believes a word of it. Returns the verb's JSON with the nonce checked,
 * or NULL after a FAIL; the pause probe's ready line has been read then.
 */
static inline json_t *iso_probe_then_hold(struct ht_ctx *t, struct ht_proc *r,
					  const char *const *args, const char *probe,
					  const char *verb, const char *arg)
{
	_cleanup_free_ char *script = ht_xasprintf("\"$0\" \"$1\" %s%s && exec \"$0\" \"$1\" pause",
						   verb, arg ? " \"$2\"" : "");
	_cleanup_free_ char *report = NULL, *ready = NULL;
	const char *argv[32];
	size_t n = 0;

	for (; *args && n < HT_ARRAY_SIZE(argv) - 7; args++)
		argv[n++] = *args;
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n++] = probe;
	argv[n++] = ht_nonce(t);
	argv[n++] = arg;
	argv[n] = NULL;
	ht_runtime_start(t, r, argv, NULL);
	if (ht_proc_read_line(r, ht_timeout_ms(t, 10000), &report) < 0 ||
	    ht_proc_read_line(r, ht_timeout_ms(t, 10000), &ready) < 0) {
		ht_fail(t, "the container did not report `%s` and then hold: stdout \"%.300s\"",
			verb, report ? report : "");
		return NULL;
	}
	return ht_probe_json_line(t, report, strlen(report));
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
