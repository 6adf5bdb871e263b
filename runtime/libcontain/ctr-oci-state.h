/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI runtime's state (runtime-spec runtime.md, "State"): one
 * directory per container under a state root (`--root`), holding
 *
 *   state.json   what `create` recorded: pid, its start time, bundle,
 *                cgroup, creation time, annotations
 *   config.json  the config as it was at create time (delete reads its
 *                poststop hooks from here, never from the bundle)
 *   exec.fifo    present while the container is "created": its init
 *                blocks reading it until `start` writes a byte
 *
 * The status is never stored: it is derived from the process (alive, and
 * the same process, by its start time in /proc/PID/stat) and the fifo.
 */
#ifndef CTR_OCI_STATE_H
#define CTR_OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr-error.h"
#include "ctr-util.h"

struct json_t;

#define CTR_OCI_ID_MAX 1024

#define CTR_OCI_STATE_FILE  "state.json"
#define CTR_OCI_CONFIG_FILE "config.json"
#define CTR_OCI_FIFO_FILE   "exec.fifo"

enum ctr_oci_status {
	CTR_OCI_CREATING,
	CTR_OCI_CREATED,
	CTR_OCI_RUNNING,
	CTR_OCI_STOPPED,
};

struct ctr_oci_state {
	char *id;
	pid_t pid;
	uint64_t start_time;	    /* field 22 of /proc/PID/stat, clock ticks since boot */
	char *bundle;		    /* absolute */
	char *cgroup;		    /* absolute directory of the container's cgroup, or NULL */
	char *created;		    /* RFC 3339, UTC */
	struct json_t *annotations; /* object, or NULL */
};

/* "created" for CTR_OCI_CREATED. */
const char *ctr_oci_status_name(enum ctr_oci_status s);

/*
 * A container id: 1..1024 bytes of [A-Za-z0-9_.+-], not "." or "..". It
 * names a directory, so anything else (a slash, NUL, "..") is refused
 * before any file is made.
 */
int ctr_oci_id_check(const char *id, struct ctr_error *err);

/* Open the state root (made, 0700, with its parents, when create is set). */
int ctr_oci_root_open(const char *root, bool create, int *ret_fd, struct ctr_error *err);

/* Open the directory of an existing container: "container ID does not exist". */
int ctr_oci_dir_open(int rootfd, const char *id, int *ret_fd, struct ctr_error *err);

/* Read dirfd/state.json. */
int ctr_oci_state_load(int dirfd, struct ctr_oci_state **ret, struct ctr_error *err);

/* Write dirfd/state.json atomically (a temporary file renamed over it). */
int ctr_oci_state_save(int dirfd, const struct ctr_oci_state *st, struct ctr_error *err);

void ctr_oci_state_free(struct ctr_oci_state *st);
static inline void ctr_oci_state_freep(struct ctr_oci_state **st)
{
	ctr_oci_state_free(*st);
}
#define _cleanup_oci_state_ _cleanup_(ctr_oci_state_freep)

/*
 * The status: stopped when the pid is gone, a zombie, or another process
 * (its start time differs); created while exec.fifo exists; else running.
 */
enum ctr_oci_status ctr_oci_state_status(int dirfd, const struct ctr_oci_state *st);

/* The runtime-spec state object: ociVersion, id, status, pid (not when stopped), bundle,
 * annotations. */
struct json_t *ctr_oci_state_json(const struct ctr_oci_state *st, enum ctr_oci_status status);

/*
 * Field 22 (starttime) and field 3 (state) of /proc/PID/stat. -ENOENT
 * when the process does not exist.
 */
int ctr_oci_proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state);

/* Remove the container's directory and the files in it. Errors are ignored. */
void ctr_oci_dir_remove(int rootfd, const char *id);

#endif
