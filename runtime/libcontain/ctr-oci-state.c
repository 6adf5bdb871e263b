// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The state directory of `contain oci`: see ctr-oci-state.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr-oci-spec.h"
#include "ctr-oci-state.h"

const char *ctr_oci_status_name(enum ctr_oci_status s)
{
	switch (s) {
	case CTR_OCI_CREATING:
		return "creating";
	case CTR_OCI_CREATED:
		return "created";
	case CTR_OCI_RUNNING:
		return "running";
	case CTR_OCI_STOPPED:
		return "stopped";
	}
	return "unknown";
}

int ctr_oci_id_check(const char *id, struct ctr_error *err)
{
	size_t len = strlen(id);

	if (len == 0)
		return ctr_error_usage(err, "container id is empty");
	if (len > CTR_OCI_ID_MAX)
		return ctr_error_usage(err, "container id is longer than %d bytes", CTR_OCI_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return ctr_error_usage(err, "container id \"%s\" is not allowed", id);
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("_.+-", *c)))
			return ctr_error_usage(err,
					       "container id \"%.64s%s\": only letters, digits, "
					       "'_', '.', '+' and '-' are allowed",
					       id, len > 64 ? "..." : "");
	return 0;
}

static int mkdir_parents(const char *path, struct ctr_error *err)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return ctr_error_errno(err, ENOMEM, "state root %s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return ctr_error_errno(err, errno, "create %s", p);
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return ctr_error_errno(err, errno, "create state root %s", p);
	return 0;
}

int ctr_oci_root_open(const char *root, bool create, int *ret_fd, struct ctr_error *err)
{
	int fd;

	if (create) {
		int r = mkdir_parents(root, err);

		if (r < 0)
			return r;
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "state root %s", root);
	*ret_fd = fd;
	return 0;
}

int ctr_oci_dir_open(int rootfd, const char *id, int *ret_fd, struct ctr_error *err)
{
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return ctr_error_set(err, ENOENT, "container %s does not exist", id);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open the state of container %s", id);
	*ret_fd = fd;
	return 0;
}

static char *dup_string(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? strdup(s) : NULL;
}

int ctr_oci_state_load(int dirfd, struct ctr_oci_state **ret, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	struct ctr_oci_state *st;
	json_error_t jerr;
	json_t *doc;

	fd = openat(dirfd, CTR_OCI_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open " CTR_OCI_STATE_FILE);
	doc = json_loadfd(fd, 0, &jerr);
	if (!doc)
		return ctr_error_set(err, EINVAL, CTR_OCI_STATE_FILE ": %s", jerr.text);
	st = calloc(1, sizeof(*st));
	if (!st) {
		json_decref(doc);
		return ctr_error_errno(err, ENOMEM, "load state");
	}
	st->id = dup_string(doc, "id");
	st->bundle = dup_string(doc, "bundle");
	st->cgroup = dup_string(doc, "cgroup");
	st->created = dup_string(doc, "created");
	st->pid = (pid_t)json_integer_value(json_object_get(doc, "pid"));
	st->start_time = (uint64_t)json_integer_value(json_object_get(doc, "start_time"));
	st->annotations = json_incref(json_object_get(doc, "annotations"));
	json_decref(doc);
	if (!st->id || !st->bundle || st->pid <= 0) {
		ctr_oci_state_free(st);
		return ctr_error_set(err, EINVAL, CTR_OCI_STATE_FILE ": incomplete");
	}
	*ret = st;
	return 0;
}

int ctr_oci_state_save(int dirfd, const struct ctr_oci_state *st, struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	json_t *doc;
	int r;

	doc = json_pack("{s:s, s:i, s:I, s:s, s:s*, s:s*, s:O*}", "id", st->id, "pid", (int)st->pid,
			"start_time", (json_int_t)st->start_time, "bundle", st->bundle, "cgroup",
			st->cgroup, "created", st->created, "annotations", st->annotations);
	if (!doc)
		return ctr_error_errno(err, ENOMEM, "save state");
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return ctr_error_errno(err, ENOMEM, "save state");
	fd = openat(dirfd, CTR_OCI_STATE_FILE ".tmp",
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctr_error_errno(err, errno, "create " CTR_OCI_STATE_FILE);
	r = ctr_write_all(fd, text, strlen(text));
	if (r < 0) {
		unlinkat(dirfd, CTR_OCI_STATE_FILE ".tmp", 0);
		return ctr_error_errno(err, -r, "write " CTR_OCI_STATE_FILE);
	}
	if (renameat(dirfd, CTR_OCI_STATE_FILE ".tmp", dirfd, CTR_OCI_STATE_FILE) < 0) {
		r = -errno;
		unlinkat(dirfd, CTR_OCI_STATE_FILE ".tmp", 0);
		return ctr_error_errno(err, -r, "rename " CTR_OCI_STATE_FILE);
	}
	return 0;
}

void ctr_oci_state_free(struct ctr_oci_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->cgroup);
	free(st->created);
	json_decref(st->annotations);
	free(st);
}

int ctr_oci_proc_stat(pid_t pid, uint64_t *ret_start_time, char *ret_state)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	unsigned long long start = 0;
	const char *p;
	ssize_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and parentheses: fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	p += 2;
	if (ret_state)
		*ret_state = *p;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return -EIO;
	if (ret_start_time)
		*ret_start_time = start;
	return 0;
}

enum ctr_oci_status ctr_oci_state_status(int dirfd, const struct ctr_oci_state *st)
{
	uint64_t start;
	char state;
	struct stat sb;

	if (ctr_oci_proc_stat(st->pid, &start, &state) < 0)
		return CTR_OCI_STOPPED;
	/* A zombie has exited; a different start time is another process with the same pid. */
	if (start != st->start_time || state == 'Z' || state == 'X')
		return CTR_OCI_STOPPED;
	if (fstatat(dirfd, CTR_OCI_FIFO_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return CTR_OCI_CREATED;
	return CTR_OCI_RUNNING;
}

json_t *ctr_oci_state_json(const struct ctr_oci_state *st, enum ctr_oci_status status)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "ociVersion", CTR_OCI_VERSION, "id", st->id,
			      "status", ctr_oci_status_name(status));

	if (!o)
		return NULL;
	/* runtime.md, "State": pid is REQUIRED when created or running. */
	if (status != CTR_OCI_STOPPED)
		json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	if (st->annotations && json_object_size(st->annotations))
		json_object_set(o, "annotations", st->annotations);
	if (st->created)
		json_object_set_new(o, "created", json_string(st->created));
	return o;
}

void ctr_oci_dir_remove(int rootfd, const char *id)
{
	_cleanup_close_ int fd =
		openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		unlinkat(fd, CTR_OCI_STATE_FILE, 0);
		unlinkat(fd, CTR_OCI_STATE_FILE ".tmp", 0);
		unlinkat(fd, CTR_OCI_CONFIG_FILE, 0);
		unlinkat(fd, CTR_OCI_FIFO_FILE, 0);
	}
	unlinkat(rootfd, id, AT_REMOVEDIR);
}
