/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI runtime lifecycle (runtime-spec runtime.md, "Lifecycle" and
 * "Operations"), runc-compatible: create, start, state, kill, delete, and
 * run (create + start + wait + delete).
 *
 * `create` forks the container's init, which sets up namespaces, cgroup,
 * mounts and pivot_root(2) (ctr-oci-init.c) and then blocks reading the
 * state directory's exec.fifo; create returns once the init has reported
 * that everything up to the exec is done. `start` writes one byte into the
 * fifo and removes it, and the init execs the process. Every failed
 * operation undoes what it did: no state directory, no cgroup, no process.
 */
#ifndef CTR_OCI_RUNTIME_H
#define CTR_OCI_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>

#include "ctr-error.h"
#include "ctr-oci-config.h"
#include "ctr-oci-state.h"

struct json_t;

struct ctr_oci_create_opts {
	const char *root;     /* the state root */
	const char *id;	      /* checked with ctr_oci_id_check() */
	const char *bundle;   /* the bundle directory (config.json is read from it) */
	const char *pid_file; /* NULL for none */
};

int ctr_oci_create(const struct ctr_oci_create_opts *o, struct ctr_error *err);
int ctr_oci_start(const char *root, const char *id, struct ctr_error *err);
/* The runtime-spec state object of container id. */
int ctr_oci_state(const char *root, const char *id, struct json_t **ret, struct ctr_error *err);
/* Send sig to the init through a pidfd; a stopped or unknown container is an error. */
int ctr_oci_kill(const char *root, const char *id, int sig, struct ctr_error *err);
/*
 * Delete a stopped container: its cgroup, its poststop hooks, its state.
 * A created or running one is refused unless force (then SIGKILLed and
 * waited for). A poststop hook that fails does not stop the delete: it is
 * reported in *warn (warn->err set), as runtime-spec config.md "poststop"
 * says.
 */
int ctr_oci_delete(const char *root, const char *id, bool force, struct ctr_error *warn,
		   struct ctr_error *err);
/*
 * create + start, wait for the process with the signals forwarded
 * (ctr-spawn.h), then delete. *ret_status is the exit code, or 128 + N.
 */
int ctr_oci_run(const struct ctr_oci_create_opts *o, int *ret_status, struct ctr_error *warn,
		struct ctr_error *err);

/* The runtime-spec features.md document of this runtime. */
struct json_t *ctr_oci_features(void);

/* --- between ctr-oci-runtime.c and ctr-oci-init.c --- */

struct ctr_spawn;

/* What the init (the cloned child) needs; the parent fills it before the clone. */
struct ctr_oci_init {
	const struct ctr_oci_config *cfg;
	const char *rootfs;    /* canonical absolute path */
	int fifo_fd;	       /* exec.fifo, O_RDWR: read blocks until start writes */
	int userns_fd;	       /* a user namespace to join first, or -1 */
	int mntns_fd;	       /* a mount namespace to join, or -1 */
	bool new_userns;       /* the clone made a user namespace */
	bool unshare_cgroupns; /* unshare the cgroup namespace once in the cgroup */
	dev_t exe_dev;	       /* the runtime binary, which the process must never exec */
	ino_t exe_ino;
};

/* The init's setup, as a ctr_spawn_child_fn. Returns only on failure. */
int ctr_oci_init_main(struct ctr_spawn *sp, void *userdata, struct ctr_error *err);

#endif
