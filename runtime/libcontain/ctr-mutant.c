// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mutant table and switch; compiled into contain-mutant only. Each
 * name below is the argument of the `ctr_mutant("NAME")` tests at its fault
 * site (one place; two for chroot-not-pivot-root and untar-no-path-checks,
 * whose fault spans two steps), and tests/mutants runs the lesson given
 * here against it.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ctr-mutant.h"

const struct ctr_mutant_info ctr_mutants[] = {
	{ "no-pidns", 1, "the container gets no PID namespace (CLONE_NEWPID dropped)" },
	{ "chroot-not-pivot-root", 2, "chroot(2) into the rootfs instead of pivot_root(2)" },
	{ "proc-not-remounted", 1, "the host's /proc is bound instead of a new procfs" },
	{ "hostname-not-set", 4, "sethostname(2) is skipped" },
	{ "uidmap-not-written", 12, "/proc/PID/uid_map is never written" },
	{ "memory-max-not-written", 6, "memory.max is not written" },
	{ "pids-max-ignored", 5, "pids.max is not written" },
	{ "veth-host-end-down", 11, "the veth end outside the namespace stays down" },
	{ "nat-missing", 11, "net nat succeeds without a rule or ip_forward" },
	{ "fd-leaked", 4, "the sync socket reaches the command without close-on-exec" },
	{ "delete-leaves-cgroup", 9, "oci delete keeps the container's cgroup" },
	{ "untar-no-path-checks", 8, "unpack allows \"..\" and resolves without RESOLVE_IN_ROOT" },
	{ "whiteouts-ignored", 8, "unpack writes .wh. entries as plain files" },
	{ "state-wrong-pid", 9, "oci state reports the runtime's pid, not the init's" },
	{ "kill-ignores-signal", 9, "oci kill returns 0 without signalling" },
	{ "trace-drops-events", 10, "contain trace drops every other event" },
	{ NULL, 0, NULL },
};

static const char *active;

int ctr_mutant_select(const char *name)
{
	for (size_t i = 0; ctr_mutants[i].name; i++) {
		if (strcmp(ctr_mutants[i].name, name) == 0) {
			active = ctr_mutants[i].name;
			return 0;
		}
	}
	return -EINVAL;
}

bool ctr_mutant(const char *name)
{
	return active && strcmp(active, name) == 0;
}
