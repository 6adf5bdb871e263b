// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The run sequence of `contain ns` and `contain run`:
 *
 *   parent                               child
 *   validate, check rootfs, build plan
 *   [cgroup] make PARENT/contain-PID, write the limits
 *   [net NAME] open the namespace file
 *   [time] unshare time for children
 *   [net NAME] setns into it
 *   clone3 ----------------------------> waits on the sync socket
 *   [net NAME] setns back
 *   [time] restore time for children
 *   [cgroup] move the child into the group
 *   [user] write setgroups, gid/uid map
 *   send go ---------------------------> [cgroup] unshare the cgroup namespace
 *                                         make / private, bind the rootfs
 *                                         [user] become root of the namespace
 *                                         the rest of the plan (pivot_root)
 *                                         set the hostname
 *   read: EOF = exec'd <---------------- execvp the command, or send the error
 *   forward signals, wait, relay status
 *   [cgroup] read memory.events, delete the group
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctr-container.h"
#include "ctr-mount-plan.h"
#include "ctr-mount.h"
#include "ctr-mutant.h"
#include "ctr-net.h"
#include "ctr-rootfs.h"
#include "ctr-spawn.h"
#include "ctr-timens.h"
#include "ctr-userns.h"
#include "ctr-util.h"

struct child_ctx {
	const struct ctr_config *cfg;
	const struct ctr_mount_plan *plan;
	bool unshare_cgroupns; /* CLONE_NEWCGROUP after the parent moved us */
};

static int become_userns_root(const struct ctr_config *cfg, struct ctr_error *err)
{
	const struct ctr_idmap *map;
	size_t n;

	/*
	 * The child still has the host's root ids, which are unmapped here
	 * (they read as the overflow id 65534), and execve(2) would drop every
	 * capability of an unmapped euid (user_namespaces(7), "Effect of
	 * capabilities within a user namespace"). Switch to the namespace's
	 * root when the map has one.
	 */
	map = ctr_idmap_effective(cfg->gid_map, cfg->n_gid_map, &n);
	if (ctr_idmap_maps_inside(map, n, 0) && setresgid(0, 0, 0) < 0)
		return ctr_error_errno(err, errno, "set gid 0 in the user namespace");
	map = ctr_idmap_effective(cfg->uid_map, cfg->n_uid_map, &n);
	if (ctr_idmap_maps_inside(map, n, 0) && setresuid(0, 0, 0) < 0)
		return ctr_error_errno(err, errno, "set uid 0 in the user namespace");
	return 0;
}

static int prepare_error(const struct ctr_config *cfg, struct ctr_error *err)
{
	if (err->err == EACCES && (cfg->namespaces & CLONE_NEWUSER))
		ctr_error_hint(err, "in a user namespace the rootfs directory must be searchable "
				    "by the namespace's root (uid 100000 outside by default)");
	if (err->err == EOVERFLOW && (cfg->namespaces & CLONE_NEWUSER))
		ctr_error_hint(err, "the owner of a new file must be mapped in the user namespace");
	return ctr_error_prefix(
		err, "%s", cfg->mode == CTR_MODE_CONTAINER ? "prepare rootfs" : "prepare mounts");
}

static int child_setup(struct ctr_spawn *sp, void *userdata, struct ctr_error *err)
{
	_cleanup_(ctr_mount_state_done) struct ctr_mount_state st = CTR_MOUNT_STATE_INIT;
	const struct child_ctx *ctx = userdata;
	const struct ctr_config *cfg = ctx->cfg;
	const char *hostname = ctr_config_hostname(cfg);
	int r;

	/*
	 * A new cgroup namespace is rooted at the cgroup of the process that
	 * creates it (cgroup_namespaces(7)). Made at clone time it would be
	 * rooted at contain's own group; made here, after the parent moved us
	 * into the container's group, the command sees that group as "/".
	 */
	if (ctx->unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return ctr_error_errno(err, errno, "unshare the cgroup namespace");

	r = ctr_mount_plan_apply_host(ctx->plan, &st, err);
	if (r < 0)
		return prepare_error(cfg, err);
	if (cfg->namespaces & CLONE_NEWUSER) {
		r = become_userns_root(cfg, err);
		if (r < 0)
			return r;
	}
	r = ctr_mount_plan_apply_rest(ctx->plan, &st, err);
	if (r < 0)
		return prepare_error(cfg, err);
	ctr_mount_state_done(&st);

	if (hostname && !ctr_mutant("hostname-not-set") &&
	    sethostname(hostname, strlen(hostname)) < 0)
		return ctr_error_errno(err, errno, "set hostname \"%s\"", hostname);
	return ctr_spawn_exec(sp, cfg->argv, err);
}

static void cgroup_destroyp(struct ctr_cgroup **cg)
{
	ctr_cgroup_destroy_and_free(*cg);
	*cg = NULL;
}

int ctr_container_run(const struct ctr_config *cfg, struct ctr_run_result *ret,
		      struct ctr_error *err)
{
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_mount_plan_ struct ctr_mount_plan *plan = NULL;
	_cleanup_(cgroup_destroyp) struct ctr_cgroup *cg = NULL;
	_cleanup_(ctr_timens_restorep) int saved_time = -1;
	_cleanup_(ctr_netns_restorep) int saved_net = -1;
	_cleanup_close_ int netns = -1;
	_cleanup_(ctr_spawn_destroy) struct ctr_spawn sp = CTR_SPAWN_INIT;
	unsigned long clone_flags = cfg->namespaces & ~(unsigned long)CLONE_NEWTIME;
	struct ctr_cgroup_oom oom = { 0 };
	struct child_ctx ctx;
	int status, r;

	r = ctr_config_validate(cfg, err);
	if (r < 0)
		return r;
	if (cfg->mode == CTR_MODE_CONTAINER) {
		r = ctr_rootfs_check(cfg->rootfs, &rootfs, err);
		if (r < 0)
			return r;
	}
	r = ctr_mount_plan_build(cfg, rootfs, &plan, err);
	if (r < 0)
		return ctr_error_prefix(err, "prepare rootfs");
	/* An unknown NAME is refused before anything is made. */
	if (cfg->net_name) {
		r = ctr_netns_open(cfg->net_name, &netns, err);
		if (r < 0)
			return ctr_error_prefix(err, "--net");
	}

	/* The limits are in place before any process is in the group. */
	if (ctr_config_wants_cgroup(cfg)) {
		r = ctr_cgroup_container_new(cfg->cgroup_parent, &cfg->limits, &cg, err);
		if (r < 0)
			return ctr_error_prefix(err, "set up cgroup");
		clone_flags &= ~(unsigned long)CLONE_NEWCGROUP;
	}

	if (cfg->namespaces & CLONE_NEWTIME) {
		struct ctr_timens_offsets off = {
			.has_monotonic = cfg->has_monotonic_offset,
			.has_boottime = cfg->has_boottime_offset,
			.monotonic = cfg->monotonic_offset,
			.boottime = cfg->boottime_offset,
		};

		r = ctr_timens_prepare(&off, &saved_time, err);
		if (r < 0)
			return ctr_error_prefix(err, "set up time namespace");
	}

	ctx = (struct child_ctx){
		.cfg = cfg,
		.plan = plan,
		.unshare_cgroupns = cg && (cfg->namespaces & CLONE_NEWCGROUP),
	};
	/*
	 * The child is born in the named network namespace: contain enters
	 * it for the clone and leaves right after. Joining it in the child
	 * would come too late with --user: the child is in its new user
	 * namespace from the start, and setns(2) into a network namespace
	 * owned by the initial user namespace needs CAP_SYS_ADMIN there
	 * (setns(2), user_namespaces(7)).
	 */
	if (netns >= 0) {
		r = ctr_netns_enter(netns, &saved_net, err);
		if (r < 0)
			return ctr_error_prefix(err, "--net %s", cfg->net_name);
	}
	if (ctr_mutant("no-pidns"))
		clone_flags &= ~(unsigned long)CLONE_NEWPID;
	r = ctr_spawn_start(&sp, clone_flags, child_setup, &ctx, err);
	if (r < 0)
		return r;
	r = ctr_netns_restore(&saved_net, err);
	if (r < 0)
		return r;
	r = ctr_timens_restore(&saved_time, err);
	if (r < 0)
		return ctr_error_prefix(err, "set up time namespace");

	if (cg) {
		r = ctr_cgroup_attach(cg, sp.pid, err);
		if (r < 0)
			return ctr_error_prefix(err, "set up cgroup: move the child into %s",
						cg->path);
	}

	if (cfg->namespaces & CLONE_NEWUSER) {
		r = ctr_userns_apply(sp.pid, cfg->uid_map, cfg->n_uid_map, cfg->gid_map,
				     cfg->n_gid_map, err);
		if (r < 0)
			return ctr_error_prefix(err, "set up user namespace");
	}

	r = ctr_spawn_release(&sp, err);
	if (r < 0)
		return r;
	r = ctr_spawn_wait(&sp, &status, err);
	if (r < 0)
		return r;

	memset(ret, 0, sizeof(*ret));
	ret->status = status;
	if (!cg)
		return 0;
	/* The group is new: every OOM kill it counts happened in this run. */
	ctr_cgroup_oom_read(cg, &oom);
	if (oom.known) {
		ret->oom_kills = oom.oom_kill;
		snprintf(ret->memory_max, sizeof(ret->memory_max), "%s", oom.memory_max);
	}
	snprintf(ret->cgroup, sizeof(ret->cgroup), "%s", cg->path);
	r = ctr_cgroup_destroy(cg, CTR_CGROUP_DRAIN_MS, err);
	if (r < 0)
		return ctr_error_prefix(err, "delete the container's cgroup");
	ctr_cgroup_free(TAKE_PTR(cg));
	return 0;
}
