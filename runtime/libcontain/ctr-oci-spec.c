// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * config.json for a bundle (see ctr-oci-spec.h). The default follows what
 * `runc spec` writes (runtime-spec config.md and config-linux.md), except
 * that process.terminal is false: contain's bundles are run from scripts.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctr-oci-spec.h"
#include "ctr-util.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_ETC_FILE (1U << 20)
#define MAX_GIDS     64

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();

	for (; a && *v; v++)
		if (json_array_append_new(a, json_string(*v)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src,
			 "options", strings(opts));
}

json_t *ctr_oci_spec_new(const char *rootfs_path)
{
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					    NULL };
	/* config-linux.md#masked-paths and #readonly-paths, as runc spec lists them. */
	static const char *const masked[] = {
		"/proc/acpi",
		"/proc/asound",
		"/proc/kcore",
		"/proc/keys",
		"/proc/latency_stats",
		"/proc/timer_list",
		"/proc/timer_stats",
		"/proc/sched_debug",
		"/sys/firmware",
		"/proc/scsi",
		NULL,
	};
	static const char *const readonly[] = { "/proc/bus",	       "/proc/fs",
						"/proc/irq",	       "/proc/sys",
						"/proc/sysrq-trigger", NULL };
	static const char *const env[] = { DEFAULT_PATH, "TERM=xterm", NULL };
	static const char *const args[] = { "sh", NULL };
	json_t *spec, *mounts, *ns;

	mounts = json_pack(
		"[o, o, o, o, o, o, o]",
		mount("/proc", "proc", "proc", (const char *const[]){ NULL }),
		mount("/dev", "tmpfs", "tmpfs",
		      (const char *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k",
					     NULL }),
		mount("/dev/pts", "devpts", "devpts",
		      (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
					     "mode=0620", "gid=5", NULL }),
		mount("/dev/shm", "tmpfs", "shm",
		      (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777",
					     "size=65536k", NULL }),
		mount("/dev/mqueue", "mqueue", "mqueue",
		      (const char *const[]){ "nosuid", "noexec", "nodev", NULL }),
		mount("/sys", "sysfs", "sysfs",
		      (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL }),
		mount("/sys/fs/cgroup", "cgroup", "cgroup",
		      (const char *const[]){ "nosuid", "noexec", "nodev", "relatime", "ro",
					     NULL }));
	ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "network",
		       "type", "ipc", "type", "uts", "type", "mount");
	spec = json_pack(
		"{s:s, s:{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}],"
		" s:b}, s:{s:s, s:b}, s:s, s:o, s:{s:{s:[{s:b, s:s}]}, s:o, s:o, s:o}}",
		"ociVersion", CTR_OCI_VERSION, "process", "terminal", 0, "user", "uid", 0, "gid", 0,
		"args", strings(args), "env", strings(env), "cwd", "/", "capabilities", "bounding",
		strings(caps), "effective", strings(caps), "permitted", strings(caps), "rlimits",
		"type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1, "root",
		"path", rootfs_path, "readonly", 1, "hostname", "contain", "mounts", mounts,
		"linux", "resources", "devices", "allow", 0, "access", "rwm", "namespaces", ns,
		"maskedPaths", strings(masked), "readonlyPaths", strings(readonly));
	return spec;
}

/* A small regular file of the rootfs, read without leaving it; NULL (and errno) if none. */
static char *read_rootfs_file(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	_cleanup_close_ int fd = -1;
	struct stat st;
	char *buf;
	ssize_t n;

	fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0)
		return NULL;
	/* Never a fifo or a device: a read could block or reach the host. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_ETC_FILE) {
		errno = EINVAL;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	n = pread(fd, buf, (size_t)st.st_size, 0);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static bool parse_id(const char *s, size_t len, unsigned long *ret)
{
	unsigned long v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0xfffffffeUL)
		return false;
	*ret = v;
	return true;
}

/*
 * In a passwd(5)/group(5) text, the line whose field `key_field` (0: name,
 * 2: id) equals key; its fields split in place into f[]. Returns the
 * number of fields, or 0 when no line matches.
 */
static int find_line(char *text, const char *key, size_t key_len, int key_field, char *f[7])
{
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		int n = 0;
		char *p = line;

		if (next)
			*next = '\0';
		while (n < 7) {
			f[n++] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n > key_field && strlen(f[key_field]) == key_len &&
		    strncmp(f[key_field], key, key_len) == 0)
			return n;
		/* Undo the split so the text stays whole for the next search. */
		for (int i = 1; i < n; i++)
			f[i][-1] = ':';
		if (next)
			*next = '\n';
		line = next ? next + 1 : NULL;
	}
	return 0;
}

struct user {
	unsigned long uid, gid;
	unsigned long gids[MAX_GIDS];
	size_t n_gids;
};

/* config.md "User": user, uid, user:group, uid:gid, uid:group, user:gid. */
static int resolve_user(int rootfd, const char *spec, struct user *u, struct ctr_error *err)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	_cleanup_free_ char *passwd = read_rootfs_file(rootfd, "/etc/passwd");
	_cleanup_free_ char *group = read_rootfs_file(rootfd, "/etc/group");
	char name[256] = "";
	char *f[7];
	bool have_gid = false;

	*u = (struct user){ 0 };
	if (ulen == 0 || ulen >= sizeof(name))
		return ctr_error_set(err, EINVAL, "image config: invalid User \"%.100s\"", spec);
	if (parse_id(spec, ulen, &u->uid)) {
		char id[16];

		snprintf(id, sizeof(id), "%lu", u->uid);
		if (passwd && find_line(passwd, id, strlen(id), 2, f) >= 4) {
			snprintf(name, sizeof(name), "%s", f[0]);
			have_gid = parse_id(f[3], strlen(f[3]), &u->gid);
		}
	} else {
		if (!passwd || find_line(passwd, spec, ulen, 0, f) < 4 ||
		    !parse_id(f[2], strlen(f[2]), &u->uid))
			return ctr_error_set(err, ENOENT,
					     "image config: User \"%.100s\": no such user in the "
					     "image's /etc/passwd",
					     spec);
		snprintf(name, sizeof(name), "%.*s", (int)ulen, spec);
		have_gid = parse_id(f[3], strlen(f[3]), &u->gid);
	}
	if (colon) {
		const char *g = colon + 1;

		if (!parse_id(g, strlen(g), &u->gid)) {
			if (!group || find_line(group, g, strlen(g), 0, f) < 3 ||
			    !parse_id(f[2], strlen(f[2]), &u->gid))
				return ctr_error_set(err, ENOENT,
						     "image config: User \"%.100s\": no such group "
						     "in the image's /etc/group",
						     spec);
		}
		return 0;
	}
	if (!have_gid)
		u->gid = 0;
	/* The supplementary groups listing the user by name (group(5) 4th field). */
	if (name[0] && group) {
		for (char *line = group; line && *line && u->n_gids < MAX_GIDS;) {
			char *next = strchr(line, '\n');
			char *fields[4] = { line };
			int n = 1;
			unsigned long gid;

			if (next)
				*next = '\0';
			for (char *p = line; n < 4 && (p = strchr(p, ':')); n++)
				*p++ = '\0', fields[n] = p;
			if (n == 4 && parse_id(fields[2], strlen(fields[2]), &gid) &&
			    gid != u->gid) {
				char *save = NULL;

				for (char *m = strtok_r(fields[3], ",", &save); m;
				     m = strtok_r(NULL, ",", &save))
					if (strcmp(m, name) == 0) {
						u->gids[u->n_gids++] = gid;
						break;
					}
			}
			line = next ? next + 1 : NULL;
		}
	}
	return 0;
}

int ctr_oci_spec_apply_image(json_t *spec, json_t *image_config, int rootfd, struct ctr_error *err)
{
	json_t *c = json_object_get(image_config, "config");
	json_t *process = json_object_get(spec, "process");
	json_t *args = json_array(), *env = json_array(), *v, *user;
	const char *wd, *us;
	bool has_path = false;
	size_t i;
	struct user u = { 0 };
	int r;

	if (!args || !env) {
		json_decref(args);
		json_decref(env);
		return ctr_error_errno(err, ENOMEM, "config.json");
	}
	/* config.md: the process is Entrypoint followed by Cmd. */
	json_array_foreach(json_object_get(c, "Entrypoint"), i, v)
		if (json_is_string(v))
			json_array_append(args, v);
	json_array_foreach(json_object_get(c, "Cmd"), i, v)
		if (json_is_string(v))
			json_array_append(args, v);
	if (json_array_size(args) > 0)
		json_object_set(process, "args", args);
	json_decref(args);

	json_array_foreach(json_object_get(c, "Env"), i, v) {
		if (!json_is_string(v))
			continue;
		if (strncmp(json_string_value(v), "PATH=", 5) == 0)
			has_path = true;
		json_array_append(env, v);
	}
	if (!has_path)
		json_array_insert_new(env, 0, json_string(DEFAULT_PATH));
	json_object_set_new(process, "env", env);

	wd = json_string_value(json_object_get(c, "WorkingDir"));
	if (wd && *wd) {
		char *cwd = NULL;

		/* runtime-spec requires an absolute cwd; docker treats a relative one as from /. */
		if (asprintf(&cwd, "%s%s", wd[0] == '/' ? "" : "/", wd) < 0)
			return ctr_error_errno(err, ENOMEM, "config.json");
		json_object_set_new(process, "cwd", json_string(cwd));
		free(cwd);
	}

	us = json_string_value(json_object_get(c, "User"));
	if (us && *us) {
		json_t *gids = json_array();

		r = resolve_user(rootfd, us, &u, err);
		if (r < 0) {
			json_decref(gids);
			return r;
		}
		for (size_t k = 0; k < u.n_gids; k++)
			json_array_append_new(gids, json_integer((json_int_t)u.gids[k]));
		user = json_pack("{s:I, s:I}", "uid", (json_int_t)u.uid, "gid", (json_int_t)u.gid);
		if (user && json_array_size(gids))
			json_object_set(user, "additionalGids", gids);
		json_decref(gids);
		if (!user)
			return ctr_error_errno(err, ENOMEM, "config.json");
		json_object_set_new(process, "user", user);
	}
	/* An image expects to write to its own filesystem. */
	json_object_set_new(json_object_get(spec, "root"), "readonly", json_false());
	return 0;
}

int ctr_oci_spec_write(int dirfd, const char *name, json_t *spec, struct ctr_error *err)
{
	_cleanup_free_ char *text = json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	if (!text)
		return ctr_error_errno(err, ENOMEM, "write %s", name);
	len = strlen(text);
	text[len] = '\0';
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return ctr_error_errno(err, errno, "create %s", name);
	r = ctr_write_all(fd, text, len);
	if (r == 0)
		r = ctr_write_all(fd, "\n", 1);
	if (r < 0) {
		unlinkat(dirfd, name, 0);
		return ctr_error_errno(err, -r, "write %s", name);
	}
	return 0;
}
