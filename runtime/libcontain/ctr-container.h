/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a command in new namespaces, or as a container in its own root
 * filesystem: the sequence that ties config, mount plan, time namespace,
 * spawn and user namespace maps together. This is what `contain ns` and
 * `contain run` call.
 */
#ifndef CTR_CONTAINER_H
#define CTR_CONTAINER_H

#include "ctr-cgroup.h"
#include "ctr-config.h"
#include "ctr-error.h"

/*
 * Validate cfg, start the command and wait for it. On success
 * ret->status is the command's exit code, or 128 + N when signal N killed
 * it. With limits or a cgroup parent the command runs in a cgroup of its
 * own (ctr_cgroup_container_new), which is deleted when the command has
 * ended; ret then says how many OOM kills happened in it.
 *
 * On failure nothing is left behind: the child is killed and reaped, every
 * mount it made vanished with its mount namespace, and its cgroup is
 * deleted. err->kind tells a usage error, a setup error and a failed
 * execve(2) apart.
 */
int ctr_container_run(const struct ctr_config *cfg, struct ctr_run_result *ret,
		      struct ctr_error *err);

#endif
