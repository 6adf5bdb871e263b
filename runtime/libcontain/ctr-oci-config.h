/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bundle's config.json (runtime-spec config.md, config-linux.md) parsed
 * with jansson into plain data, checked as far as the file alone allows.
 * Strings point into the parsed JSON document, which the struct keeps, so
 * one ctr_oci_config_free() releases everything.
 *
 * Unknown fields are accepted (config.md, "Extensibility"). A field of the
 * wrong type or with a value that cannot work is an error naming its JSON
 * path: `process.rlimits[1].type: unknown rlimit "RLIMIT_TEST"`.
 */
#ifndef CTR_OCI_CONFIG_H
#define CTR_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr-config.h"
#include "ctr-error.h"
#include "ctr-userns.h"
#include "ctr-util.h"

struct json_t;

/* Bounds on the document itself, checked before jansson sees it. */
#define CTR_OCI_CONFIG_MAX_SIZE	 (4U << 20) /* bytes */
#define CTR_OCI_CONFIG_MAX_DEPTH 64	    /* nested arrays and objects */

/* The capability sets of process.capabilities (config.md, "Linux Process"). */
enum ctr_oci_capset {
	CTR_OCI_CAP_BOUNDING,
	CTR_OCI_CAP_EFFECTIVE,
	CTR_OCI_CAP_INHERITABLE,
	CTR_OCI_CAP_PERMITTED,
	CTR_OCI_CAP_AMBIENT,
	CTR_OCI_CAPSETS,
};

struct ctr_oci_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct ctr_oci_mount {
	const char *destination;   /* absolute, no ".." */
	const char *source;	   /* NULL when absent */
	const char *type;	   /* NULL when absent */
	unsigned long flags;	   /* MS_* from the option words, MS_BIND|MS_REC for rbind */
	unsigned long clear;	   /* MS_* the words turned off (rw, suid...) */
	unsigned long propagation; /* MS_PRIVATE, MS_SHARED... with MS_REC; 0 for none */
	bool bind;		   /* type "bind", or a bind/rbind option */
	bool recursive_ro;	   /* "rro": mount_setattr(2) AT_RECURSIVE */
	char *data;		   /* the other option words, comma-joined; NULL for none */
};

struct ctr_oci_namespace {
	unsigned long type; /* one CLONE_NEW* */
	const char *path;   /* join this namespace; NULL: a new one */
};

struct ctr_oci_device {
	const char *path;
	char type; /* 'c', 'b', 'u' (unbuffered char) or 'p' */
	uint32_t major, minor;
	mode_t mode; /* permission bits; 0666 when absent */
	uid_t uid;
	gid_t gid;
};

struct ctr_oci_hook {
	const char *path;
	char **args; /* NULL-terminated; NULL when absent (then argv is {path}) */
	char **env;  /* NULL-terminated; NULL when absent (empty environment) */
	int timeout; /* seconds; 0 for none */
};

struct ctr_oci_hooks {
	struct ctr_oci_hook *v;
	size_t n;
};

/* A key and a value, for linux.sysctl, linux.resources.unified and annotations. */
struct ctr_oci_kv {
	const char *key;
	const char *value;
};

struct ctr_oci_process {
	char **args; /* NULL-terminated, at least one */
	char **env;  /* NULL-terminated (empty when absent) */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	struct ctr_oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_capabilities;
	uint64_t caps[CTR_OCI_CAPSETS]; /* bit N for capability N */
	bool has_oom_score_adj;
	int oom_score_adj;
};

struct ctr_oci_config {
	struct json_t *doc; /* the parsed document, owner of every string */
	const char *oci_version;
	struct ctr_oci_process process;
	const char *root_path; /* as written: relative to the bundle, or absolute */
	bool root_readonly;
	const char *hostname; /* NULL when absent */

	struct ctr_oci_mount *mounts;
	size_t n_mounts;

	struct ctr_oci_namespace namespaces[8];
	size_t n_namespaces;
	struct ctr_idmap uid_map[CTR_IDMAP_MAX];
	size_t n_uid_map;
	struct ctr_idmap gid_map[CTR_IDMAP_MAX];
	size_t n_gid_map;

	const char **masked_paths;
	size_t n_masked_paths;
	const char **readonly_paths;
	size_t n_readonly_paths;
	struct ctr_oci_device *devices;
	size_t n_devices;

	const char *cgroups_path; /* NULL when absent */
	struct ctr_limits limits; /* linux.resources memory, cpu and pids */
	struct ctr_oci_kv *unified;
	size_t n_unified;
	struct ctr_oci_kv *sysctl;
	size_t n_sysctl;
	struct ctr_oci_kv *annotations;
	size_t n_annotations;

	struct ctr_oci_hooks prestart, create_runtime, create_container, start_container, poststart,
		poststop;
};

/*
 * Parse a config.json held in buf (len bytes, no NUL needed). Refuses a
 * document over CTR_OCI_CONFIG_MAX_SIZE or nested deeper than
 * CTR_OCI_CONFIG_MAX_DEPTH, invalid JSON (including invalid UTF-8 and
 * trailing garbage), and every invalid field. err->kind is
 * CTR_ERROR_USAGE for a refused config.
 */
int ctr_oci_config_parse(const char *buf, size_t len, struct ctr_oci_config **ret,
			 struct ctr_error *err);

/* Read dirfd/name (at most CTR_OCI_CONFIG_MAX_SIZE bytes) into *ret_buf, NUL-terminated. */
int ctr_oci_config_read(int dirfd, const char *name, char **ret_buf, size_t *ret_len,
			struct ctr_error *err);

void ctr_oci_config_free(struct ctr_oci_config *c);
static inline void ctr_oci_config_freep(struct ctr_oci_config **c)
{
	ctr_oci_config_free(*c);
}
#define _cleanup_oci_config_ _cleanup_(ctr_oci_config_freep)

/* Whether the config asks for a namespace of type (new or joined); *ret_path its path. */
bool ctr_oci_config_has_ns(const struct ctr_oci_config *c, unsigned long type,
			   const char **ret_path);

/* "CAP_CHOWN" for 0; NULL past the last one the runtime knows. */
const char *ctr_oci_cap_name(unsigned int cap);
/* The number of capabilities ctr_oci_cap_name() knows. */
unsigned int ctr_oci_cap_count(void);
/* "RLIMIT_NOFILE" for RLIMIT_NOFILE; NULL for an unknown one. */
const char *ctr_oci_rlimit_name(int resource);
/* The mount option words the parser knows, for `oci features`; NULL-terminated. */
const char *const *ctr_oci_mount_option_words(void);

#endif
