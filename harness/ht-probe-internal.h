/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the probe files share and nobody else needs: the probe functions
 * registered by ht-probe.c, the helpers that fill a result, and the facts a
 * probe reads only to explain a "no" (kernel config, modules, cgroup v1).
 *
 * Every function here runs inside the throwaway probe child unless it says
 * otherwise, so it may change its own namespaces freely.
 */
#ifndef HT_PROBE_INTERNAL_H
#define HT_PROBE_INTERNAL_H

#include <stdbool.h>

#include "ht-probe.h"

/* Filling a result. Evidence accumulates as "; "-separated steps. */
void ht_probe_note(struct ht_probe_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Set verdict, errno (positive or negative) and the explanation. */
void ht_probe_fail(struct ht_probe_result *r, enum ht_verdict v, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ht_probe_yes(struct ht_probe_result *r);

/* The fd set by ht_probe_set_journal(), or -1. */
int ht_probe_journal_fd(void);

/* Call first thing in every process a probe forks: drops the result pipe. */
void ht_probe_forked(void);

/*
 * Run fn(arg) in a forked grandchild and wait for it. fn returns 0 or
 * -errno and may write a message into msg; both travel back over a pipe.
 * Returns fn's value, or -errno when the fork or the wait failed (msg then
 * says so). Used where a namespace takes effect only in children.
 */
int ht_probe_subprocess(int (*fn)(void *arg, char *msg, size_t msglen), void *arg, char *msg,
			size_t msglen);

/* The first existing directory among /tmp, /mnt, /run, / to mount on privately. */
const char *ht_probe_scratch_dir(void);

/* Make every mount of our (new) mount namespace private: MS_REC | MS_PRIVATE on /. */
int ht_probe_make_root_private(void);

/* Enter a private mount namespace: unshare(CLONE_NEWNS), then / rprivate. */
int ht_probe_private_mounts(void);

/*
 * Explain a missing kernel feature: "CONFIG_VETH=m, module veth not loaded",
 * "CONFIG_VETH is not set", or NULL when the config cannot be read and the
 * module tells nothing. module may be NULL. Malloc'd.
 */
char *ht_kconfig_explain(const char *symbol, const char *module);

/*
 * Where a cgroup v1 hierarchy holding controller (v1 name: "blkio", "memory")
 * is mounted. Returns 0 and a malloc'd path, -ENOENT when no v1 hierarchy
 * holds it, -ENOTCONN when one does (per /proc/cgroups) but is not mounted in
 * this mount namespace.
 */
int ht_cgroup_v1_mount(const char *controller, char **ret_path);

/* Probe functions, one per id; see the table in ht-probe.c. */
void ht_probe_ns_pid(struct ht_probe_result *r);
void ht_probe_ns_mnt(struct ht_probe_result *r);
void ht_probe_ns_uts(struct ht_probe_result *r);
void ht_probe_ns_ipc(struct ht_probe_result *r);
void ht_probe_ns_user(struct ht_probe_result *r);
void ht_probe_ns_cgroup(struct ht_probe_result *r);
void ht_probe_ns_time(struct ht_probe_result *r);
void ht_probe_ns_net(struct ht_probe_result *r);
void ht_probe_userns_map(struct ht_probe_result *r);
void ht_probe_pivot_root(struct ht_probe_result *r);
void ht_probe_overlayfs(struct ht_probe_result *r);
void ht_probe_seccomp(struct ht_probe_result *r);

void ht_probe_cgroup2_mount(struct ht_probe_result *r);
void ht_probe_cgroup2_memory(struct ht_probe_result *r);
void ht_probe_cgroup2_cpu(struct ht_probe_result *r);
void ht_probe_cgroup2_pids(struct ht_probe_result *r);
void ht_probe_cgroup2_io(struct ht_probe_result *r);
void ht_probe_cgroup_v1(struct ht_probe_result *r);

void ht_probe_net_veth(struct ht_probe_result *r);
void ht_probe_net_bridge(struct ht_probe_result *r);
void ht_probe_net_nft_nat(struct ht_probe_result *r);

void ht_probe_bpf_tracepoint(struct ht_probe_result *r);
void ht_probe_bpf_btf(struct ht_probe_result *r);

/*
 * Run one probe descriptor in a throwaway child with a deadline (ms) and
 * fill *ret (strings malloc'd). Runs in the caller; exposed for the
 * harness's own tests of the timeout and crash paths.
 */
void ht_probe_run_desc(const struct ht_probe_desc *d, unsigned timeout_ms,
		       struct ht_probe_result *ret);

#endif
