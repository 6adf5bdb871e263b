// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * config.json into struct ctr_oci_config: see ctr-oci-config.h. Each
 * parse_* helper takes the JSON path of the value it reads, so an error
 * names exactly the field that is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr-oci-config.h"

/* capabilities(7), in bit order. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },		{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },		{ "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },		{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

/* config-linux.md, "Namespaces": the type names. */
static const struct {
	const char *name;
	unsigned long flag;
} ns_types[] = {
	{ "pid", CLONE_NEWPID },       { "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },      { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },       { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", 0x00000080 /* CLONE_NEWTIME */ },
};

/* Mount option words (mount(8), "FILESYSTEM-INDEPENDENT MOUNT OPTIONS"), as runc maps them. */
static const struct {
	const char *word;
	unsigned long set, clear;
} mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "remount", MS_REMOUNT, 0 },
	{ "mand", MS_MANDLOCK, 0 },
	{ "nomand", 0, MS_MANDLOCK },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "silent", MS_SILENT, 0 },
	{ "loud", 0, MS_SILENT },
	{ "iversion", MS_I_VERSION, 0 },
	{ "noiversion", 0, MS_I_VERSION },
	{ "lazytime", MS_LAZYTIME, 0 },
	{ "nolazytime", 0, MS_LAZYTIME },
	{ "bind", MS_BIND, 0 },
	{ "rbind", MS_BIND | MS_REC, 0 },
};

static const struct {
	const char *word;
	unsigned long flags;
} mount_propagation[] = {
	{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static const char *const option_words[] = {
	"ro",	       "rw",
	"nosuid",      "suid",
	"nodev",       "dev",
	"noexec",      "exec",
	"sync",	       "async",
	"dirsync",     "remount",
	"mand",	       "nomand",
	"noatime",     "atime",
	"nodiratime",  "diratime",
	"relatime",    "norelatime",
	"strictatime", "nostrictatime",
	"silent",      "loud",
	"iversion",    "noiversion",
	"lazytime",    "nolazytime",
	"bind",	       "rbind",
	"private",     "rprivate",
	"shared",      "rshared",
	"slave",       "rslave",
	"unbindable",  "runbindable",
	"rro",	       NULL,
};

const char *ctr_oci_cap_name(unsigned int cap)
{
	return cap < CTR_ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

unsigned int ctr_oci_cap_count(void)
{
	return CTR_ARRAY_SIZE(cap_names);
}

const char *ctr_oci_rlimit_name(int resource)
{
	for (size_t i = 0; i < CTR_ARRAY_SIZE(rlimits); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return NULL;
}

const char *const *ctr_oci_mount_option_words(void)
{
	return option_words;
}

/* A refused config: "PATH: WHY". Returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int bad(struct ctr_error *err, const char *path,
						     const char *fmt, ...)
{
	char why[CTR_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ctr_error_usage(err, "%s: %s", path, why);
	return -EINVAL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* Child path "PARENT.KEY" or "PARENT[I]" into buf. */
static const char *sub(char *buf, size_t n, const char *parent, const char *key)
{
	/* A cut path still names the field well enough. */
	if (snprintf(buf, n, "%s%s%s", parent, parent[0] ? "." : "", key) >= (int)n)
		buf[n - 1] = '\0';
	return buf;
}

static const char *idx(char *buf, size_t n, const char *parent, size_t i)
{
	if (snprintf(buf, n, "%s[%zu]", parent, i) >= (int)n)
		buf[n - 1] = '\0';
	return buf;
}

#define PATH_BUF 256

/*
 * Fetch obj.key with the expected type. Absent (or null) is 0 with *ret
 * NULL; a value of another type is an error.
 */
static int get(const json_t *obj, const char *parent, const char *key, json_type want, json_t **ret,
	       struct ctr_error *err)
{
	char p[PATH_BUF];
	json_t *v = json_object_get(obj, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_typeof(v) != want && !(want == JSON_TRUE && json_is_boolean(v)))
		return bad(err, sub(p, sizeof(p), parent, key), "expected %s, got %s",
			   want == JSON_OBJECT	? "an object" :
			   want == JSON_ARRAY	? "an array" :
			   want == JSON_STRING	? "a string" :
			   want == JSON_INTEGER ? "an integer" :
						  "a boolean",
			   type_name(v));
	*ret = v;
	return 0;
}

static int get_string(const json_t *obj, const char *parent, const char *key, const char **ret,
		      struct ctr_error *err)
{
	json_t *v;
	int r = get(obj, parent, key, JSON_STRING, &v, err);

	if (r < 0)
		return r;
	*ret = v ? json_string_value(v) : NULL;
	return 0;
}

static int get_bool(const json_t *obj, const char *parent, const char *key, bool *ret,
		    struct ctr_error *err)
{
	json_t *v;
	int r = get(obj, parent, key, JSON_TRUE, &v, err);

	if (r < 0)
		return r;
	if (v)
		*ret = json_is_true(v);
	return 0;
}

/* An integer in [min, max]; *has says whether it was there. */
static int get_int(const json_t *obj, const char *parent, const char *key, int64_t min, int64_t max,
		   int64_t *ret, bool *has, struct ctr_error *err)
{
	char p[PATH_BUF];
	json_t *v;
	int r = get(obj, parent, key, JSON_INTEGER, &v, err);

	if (has)
		*has = false;
	if (r < 0)
		return r;
	if (!v)
		return 0;
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(err, sub(p, sizeof(p), parent, key),
			   "%" JSON_INTEGER_FORMAT " is out of range (%lld..%lld)",
			   json_integer_value(v), (long long)min, (long long)max);
	*ret = json_integer_value(v);
	if (has)
		*has = true;
	return 0;
}

/* A JSON array of strings as a NULL-terminated array of borrowed pointers. */
static int string_array(const json_t *arr, const char *path, char ***ret, size_t *ret_n,
			struct ctr_error *err)
{
	char p[PATH_BUF];
	size_t n = json_array_size(arr);
	char **v = calloc(n + 1, sizeof(*v));

	if (!v)
		return ctr_error_errno(err, ENOMEM, "%s", path);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);

		if (!json_is_string(e)) {
			free(v);
			return bad(err, idx(p, sizeof(p), path, i), "expected a string, got %s",
				   type_name(e));
		}
		v[i] = (char *)json_string_value(e);
	}
	*ret = v;
	if (ret_n)
		*ret_n = n;
	return 0;
}

static int get_string_array(const json_t *obj, const char *parent, const char *key, char ***ret,
			    size_t *ret_n, struct ctr_error *err)
{
	char p[PATH_BUF];
	json_t *v;
	int r = get(obj, parent, key, JSON_ARRAY, &v, err);

	*ret = NULL;
	if (ret_n)
		*ret_n = 0;
	if (r < 0 || !v)
		return r;
	return string_array(v, sub(p, sizeof(p), parent, key), ret, ret_n, err);
}

/* Absolute, and no ".." component: what a path inside the container must be. */
static int check_container_path(const char *path, const char *s, struct ctr_error *err)
{
	if (s[0] != '/')
		return bad(err, path, "\"%s\" is not an absolute path", s);
	for (const char *c = s; *c;) {
		const char *next;

		while (*c == '/')
			c++;
		next = strchrnul(c, '/');
		if (next - c == 2 && c[0] == '.' && c[1] == '.')
			return bad(err, path, "\"%s\" has a \"..\" component", s);
		c = next;
	}
	return 0;
}

static int parse_capabilities(struct ctr_oci_process *pr, const json_t *caps, struct ctr_error *err)
{
	static const char *const sets[CTR_OCI_CAPSETS] = {
		[CTR_OCI_CAP_BOUNDING] = "bounding",	   [CTR_OCI_CAP_EFFECTIVE] = "effective",
		[CTR_OCI_CAP_INHERITABLE] = "inheritable", [CTR_OCI_CAP_PERMITTED] = "permitted",
		[CTR_OCI_CAP_AMBIENT] = "ambient",
	};
	char p[PATH_BUF], q[PATH_BUF];

	pr->has_capabilities = true;
	for (size_t s = 0; s < CTR_OCI_CAPSETS; s++) {
		json_t *arr;
		int r = get(caps, "process.capabilities", sets[s], JSON_ARRAY, &arr, err);

		if (r < 0)
			return r;
		if (!arr)
			continue;
		sub(p, sizeof(p), "process.capabilities", sets[s]);
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *e = json_array_get(arr, i);
			size_t c;

			if (!json_is_string(e))
				return bad(err, idx(q, sizeof(q), p, i),
					   "expected a string, got %s", type_name(e));
			for (c = 0; c < CTR_ARRAY_SIZE(cap_names); c++)
				if (strcmp(cap_names[c], json_string_value(e)) == 0)
					break;
			if (c == CTR_ARRAY_SIZE(cap_names))
				return bad(err, idx(q, sizeof(q), p, i),
					   "unknown capability \"%s\"", json_string_value(e));
			pr->caps[s] |= 1ULL << c;
		}
	}
	return 0;
}

static int parse_rlimits(struct ctr_oci_process *pr, const json_t *arr, struct ctr_error *err)
{
	char p[PATH_BUF], q[PATH_BUF];
	size_t n = json_array_size(arr);

	pr->rlimits = calloc(n ? n : 1, sizeof(*pr->rlimits));
	if (!pr->rlimits)
		return ctr_error_errno(err, ENOMEM, "process.rlimits");
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i), *soft, *hard;
		const char *type;
		size_t k;
		int r;

		idx(p, sizeof(p), "process.rlimits", i);
		if (!json_is_object(e))
			return bad(err, p, "expected an object, got %s", type_name(e));
		r = get_string(e, p, "type", &type, err);
		if (r < 0)
			return r;
		if (!type)
			return bad(err, sub(q, sizeof(q), p, "type"), "missing");
		for (k = 0; k < CTR_ARRAY_SIZE(rlimits); k++)
			if (strcmp(rlimits[k].name, type) == 0)
				break;
		if (k == CTR_ARRAY_SIZE(rlimits))
			return bad(err, sub(q, sizeof(q), p, "type"), "unknown rlimit \"%s\"",
				   type);
		for (size_t j = 0; j < pr->n_rlimits; j++)
			if (pr->rlimits[j].resource == rlimits[k].resource)
				return bad(err, sub(q, sizeof(q), p, "type"),
					   "rlimit %s is given twice", type);
		r = get(e, p, "soft", JSON_INTEGER, &soft, err);
		if (r < 0)
			return r;
		r = get(e, p, "hard", JSON_INTEGER, &hard, err);
		if (r < 0)
			return r;
		if (!soft || !hard)
			return bad(err, sub(q, sizeof(q), p, soft ? "hard" : "soft"), "missing");
		/* uint64 in the spec; jansson holds int64, so -1 reads as RLIM_INFINITY. */
		pr->rlimits[pr->n_rlimits].resource = rlimits[k].resource;
		pr->rlimits[pr->n_rlimits].soft = (uint64_t)json_integer_value(soft);
		pr->rlimits[pr->n_rlimits].hard = (uint64_t)json_integer_value(hard);
		if (pr->rlimits[pr->n_rlimits].soft > pr->rlimits[pr->n_rlimits].hard)
			return bad(err, p, "soft limit is above the hard limit");
		pr->n_rlimits++;
	}
	return 0;
}

static int parse_process(struct ctr_oci_config *c, const json_t *proc, struct ctr_error *err)
{
	struct ctr_oci_process *pr = &c->process;
	json_t *user, *v;
	bool terminal = false, has;
	size_t n;
	int64_t x;
	int r;

	r = get_bool(proc, "process", "terminal", &terminal, err);
	if (r < 0)
		return r;
	if (terminal)
		return bad(err, "process.terminal",
			   "true is not supported (contain gives the container the caller's "
			   "stdio; there is no console socket)");
	r = get_string_array(proc, "process", "args", &pr->args, &n, err);
	if (r < 0)
		return r;
	if (!pr->args || n == 0)
		return bad(err, "process.args", "must name a command (at least one element)");
	if (!pr->args[0][0])
		return bad(err, "process.args[0]", "is empty");
	r = get_string_array(proc, "process", "env", &pr->env, &n, err);
	if (r < 0)
		return r;
	if (!pr->env) {
		pr->env = calloc(1, sizeof(*pr->env));
		if (!pr->env)
			return ctr_error_errno(err, ENOMEM, "process.env");
	}
	for (size_t i = 0; i < n; i++)
		if (!strchr(pr->env[i], '=')) {
			char p[PATH_BUF];

			return bad(err, idx(p, sizeof(p), "process.env", i),
				   "\"%s\" is not NAME=VALUE", pr->env[i]);
		}
	r = get_string(proc, "process", "cwd", &pr->cwd, err);
	if (r < 0)
		return r;
	if (!pr->cwd)
		return bad(err, "process.cwd", "missing");
	if (pr->cwd[0] != '/')
		return bad(err, "process.cwd", "\"%s\" is not an absolute path", pr->cwd);

	r = get(proc, "process", "user", JSON_OBJECT, &user, err);
	if (r < 0)
		return r;
	if (user) {
		r = get_int(user, "process.user", "uid", 0, UINT32_MAX - 1, &x, &has, err);
		if (r < 0)
			return r;
		pr->uid = has ? (uid_t)x : 0;
		r = get_int(user, "process.user", "gid", 0, UINT32_MAX - 1, &x, &has, err);
		if (r < 0)
			return r;
		pr->gid = has ? (gid_t)x : 0;
		r = get(user, "process.user", "additionalGids", JSON_ARRAY, &v, err);
		if (r < 0)
			return r;
		if (v) {
			n = json_array_size(v);
			pr->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
			if (!pr->additional_gids)
				return ctr_error_errno(err, ENOMEM, "process.user");
			for (size_t i = 0; i < n; i++) {
				json_t *e = json_array_get(v, i);
				char p[PATH_BUF];

				if (!json_is_integer(e) || json_integer_value(e) < 0 ||
				    json_integer_value(e) >= UINT32_MAX)
					return bad(
						err,
						idx(p, sizeof(p), "process.user.additionalGids", i),
						"expected a gid (an integer 0..4294967294)");
				pr->additional_gids[i] = (gid_t)json_integer_value(e);
			}
			pr->n_additional_gids = n;
		}
	}

	r = get(proc, "process", "rlimits", JSON_ARRAY, &v, err);
	if (r < 0)
		return r;
	if (v) {
		r = parse_rlimits(pr, v, err);
		if (r < 0)
			return r;
	}
	r = get_bool(proc, "process", "noNewPrivileges", &pr->no_new_privileges, err);
	if (r < 0)
		return r;
	r = get(proc, "process", "capabilities", JSON_OBJECT, &v, err);
	if (r < 0)
		return r;
	if (v) {
		r = parse_capabilities(pr, v, err);
		if (r < 0)
			return r;
	}
	/* proc(5), /proc/pid/oom_score_adj: -1000..1000. */
	r = get_int(proc, "process", "oomScoreAdj", -1000, 1000, &x, &pr->has_oom_score_adj, err);
	if (r < 0)
		return r;
	pr->oom_score_adj = (int)x;
	return 0;
}

/* Split the option words: flags, propagation, and the rest as filesystem data. */
static int parse_mount_options(struct ctr_oci_mount *m, const json_t *opts, const char *path,
			       struct ctr_error *err)
{
	char p[PATH_BUF];
	size_t datalen = 0;

	for (size_t i = 0; i < json_array_size(opts); i++) {
		json_t *e = json_array_get(opts, i);
		const char *w;
		bool known = false;

		if (!json_is_string(e))
			return bad(err, idx(p, sizeof(p), path, i), "expected a string, got %s",
				   type_name(e));
		w = json_string_value(e);
		for (size_t k = 0; k < CTR_ARRAY_SIZE(mount_flags) && !known; k++)
			if (strcmp(mount_flags[k].word, w) == 0) {
				m->flags = (m->flags & ~mount_flags[k].clear) | mount_flags[k].set;
				m->clear = (m->clear & ~mount_flags[k].set) | mount_flags[k].clear;
				known = true;
			}
		for (size_t k = 0; k < CTR_ARRAY_SIZE(mount_propagation) && !known; k++)
			if (strcmp(mount_propagation[k].word, w) == 0) {
				m->propagation = mount_propagation[k].flags;
				known = true;
			}
		if (!known && strcmp(w, "rro") == 0) {
			m->recursive_ro = true;
			known = true;
		}
		if (known)
			continue;
		if (!w[0] || strchr(w, ','))
			return bad(err, idx(p, sizeof(p), path, i),
				   "\"%s\" is not one mount option", w);
		{
			size_t len = strlen(w);
			char *d = realloc(m->data, datalen + len + 2);

			if (!d)
				return ctr_error_errno(err, ENOMEM, "%s", path);
			if (datalen)
				d[datalen++] = ',';
			memcpy(d + datalen, w, len + 1);
			datalen += len;
			m->data = d;
		}
	}
	if (m->flags & MS_BIND)
		m->bind = true;
	return 0;
}

static int parse_mounts(struct ctr_oci_config *c, const json_t *arr, struct ctr_error *err)
{
	char p[PATH_BUF], q[PATH_BUF];
	size_t n = json_array_size(arr);

	c->mounts = calloc(n ? n : 1, sizeof(*c->mounts));
	if (!c->mounts)
		return ctr_error_errno(err, ENOMEM, "mounts");
	for (size_t i = 0; i < n; i++) {
		struct ctr_oci_mount *m = &c->mounts[i];
		json_t *e = json_array_get(arr, i), *opts;
		int r;

		c->n_mounts = i + 1;
		idx(p, sizeof(p), "mounts", i);
		if (!json_is_object(e))
			return bad(err, p, "expected an object, got %s", type_name(e));
		r = get_string(e, p, "destination", &m->destination, err);
		if (r < 0)
			return r;
		if (!m->destination)
			return bad(err, sub(q, sizeof(q), p, "destination"), "missing");
		r = check_container_path(sub(q, sizeof(q), p, "destination"), m->destination, err);
		if (r < 0)
			return r;
		r = get_string(e, p, "source", &m->source, err);
		if (r < 0)
			return r;
		r = get_string(e, p, "type", &m->type, err);
		if (r < 0)
			return r;
		r = get(e, p, "options", JSON_ARRAY, &opts, err);
		if (r < 0)
			return r;
		if (opts) {
			r = parse_mount_options(m, opts, sub(q, sizeof(q), p, "options"), err);
			if (r < 0)
				return r;
		}
		if (m->type && strcmp(m->type, "bind") == 0)
			m->bind = true;
		if (m->bind) {
			/*
			 * A relative source would be taken relative to whatever
			 * the runtime's cwd is; runc resolves it against the
			 * bundle, which hides mistakes. Refuse it.
			 */
			if (!m->source || m->source[0] != '/')
				return bad(err, sub(q, sizeof(q), p, "source"),
					   "a bind mount needs an absolute source, got \"%s\"",
					   m->source ? m->source : "");
		} else if (!m->type) {
			return bad(err, sub(q, sizeof(q), p, "type"),
				   "missing (needed unless the mount is a bind mount)");
		}
	}
	return 0;
}

static int parse_idmaps(const json_t *linux_, const char *key, struct ctr_idmap *map, size_t *n,
			struct ctr_error *err)
{
	char p[PATH_BUF], q[PATH_BUF];
	json_t *arr;
	int r = get(linux_, "linux", key, JSON_ARRAY, &arr, err);

	if (r < 0 || !arr)
		return r;
	sub(p, sizeof(p), "linux", key);
	if (json_array_size(arr) > CTR_IDMAP_MAX)
		return bad(err, p, "more than %d ranges", CTR_IDMAP_MAX);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		int64_t in, out, count;
		bool h1, h2, h3;

		idx(q, sizeof(q), p, i);
		if (!json_is_object(e))
			return bad(err, q, "expected an object, got %s", type_name(e));
		if ((r = get_int(e, q, "containerID", 0, UINT32_MAX - 1, &in, &h1, err)) < 0 ||
		    (r = get_int(e, q, "hostID", 0, UINT32_MAX - 1, &out, &h2, err)) < 0 ||
		    (r = get_int(e, q, "size", 1, UINT32_MAX, &count, &h3, err)) < 0)
			return r;
		if (!h1 || !h2 || !h3)
			return bad(err, q, "needs containerID, hostID and size");
		if (in + count > (int64_t)UINT32_MAX + 1 || out + count > (int64_t)UINT32_MAX + 1)
			return bad(err, q, "range passes 2^32");
		for (size_t j = 0; j < *n; j++) {
			const struct ctr_idmap *o = &map[j];

			if ((uint64_t)in < (uint64_t)o->inside + o->count &&
			    (uint64_t)o->inside < (uint64_t)(in + count))
				return bad(err, q, "containerID range overlaps range %zu", j);
			if ((uint64_t)out < (uint64_t)o->outside + o->count &&
			    (uint64_t)o->outside < (uint64_t)(out + count))
				return bad(err, q, "hostID range overlaps range %zu", j);
		}
		map[*n] = (struct ctr_idmap){ (uint32_t)in, (uint32_t)out, (uint32_t)count };
		(*n)++;
	}
	return 0;
}

static int parse_namespaces(struct ctr_oci_config *c, const json_t *arr, struct ctr_error *err)
{
	char p[PATH_BUF], q[PATH_BUF];
	unsigned long seen = 0;

	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		const char *type, *path;
		unsigned long flag = 0;
		int r;

		idx(p, sizeof(p), "linux.namespaces", i);
		if (!json_is_object(e))
			return bad(err, p, "expected an object, got %s", type_name(e));
		r = get_string(e, p, "type", &type, err);
		if (r < 0)
			return r;
		if (!type)
			return bad(err, sub(q, sizeof(q), p, "type"), "missing");
		for (size_t k = 0; k < CTR_ARRAY_SIZE(ns_types); k++)
			if (strcmp(ns_types[k].name, type) == 0)
				flag = ns_types[k].flag;
		if (!flag)
			return bad(err, sub(q, sizeof(q), p, "type"),
				   "unknown namespace type \"%s\" (expected pid, network, mount, "
				   "ipc, uts, user, cgroup or time)",
				   type);
		if (seen & flag)
			return bad(err, sub(q, sizeof(q), p, "type"),
				   "namespace type \"%s\" is given twice", type);
		seen |= flag;
		r = get_string(e, p, "path", &path, err);
		if (r < 0)
			return r;
		if (path && path[0] != '/')
			return bad(err, sub(q, sizeof(q), p, "path"),
				   "\"%s\" is not an absolute path", path);
		c->namespaces[c->n_namespaces].type = flag;
		c->namespaces[c->n_namespaces].path = path && path[0] ? path : NULL;
		c->n_namespaces++;
	}
	return 0;
}

static int parse_devices(struct ctr_oci_config *c, const json_t *arr, struct ctr_error *err)
{
	char p[PATH_BUF], q[PATH_BUF];
	size_t n = json_array_size(arr);

	c->devices = calloc(n ? n : 1, sizeof(*c->devices));
	if (!c->devices)
		return ctr_error_errno(err, ENOMEM, "linux.devices");
	for (size_t i = 0; i < n; i++) {
		struct ctr_oci_device *d = &c->devices[i];
		json_t *e = json_array_get(arr, i);
		const char *type;
		int64_t x;
		bool has;
		int r;

		idx(p, sizeof(p), "linux.devices", i);
		if (!json_is_object(e))
			return bad(err, p, "expected an object, got %s", type_name(e));
		r = get_string(e, p, "path", &d->path, err);
		if (r < 0)
			return r;
		if (!d->path)
			return bad(err, sub(q, sizeof(q), p, "path"), "missing");
		r = check_container_path(sub(q, sizeof(q), p, "path"), d->path, err);
		if (r < 0)
			return r;
		r = get_string(e, p, "type", &type, err);
		if (r < 0)
			return r;
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return bad(err, sub(q, sizeof(q), p, "type"),
				   "expected \"c\", \"b\", \"u\" or \"p\"");
		d->type = type[0];
		r = get_int(e, p, "major", 0, UINT32_MAX, &x, &has, err);
		if (r < 0)
			return r;
		if (!has && d->type != 'p')
			return bad(err, sub(q, sizeof(q), p, "major"), "missing");
		d->major = has ? (uint32_t)x : 0;
		r = get_int(e, p, "minor", 0, UINT32_MAX, &x, &has, err);
		if (r < 0)
			return r;
		if (!has && d->type != 'p')
			return bad(err, sub(q, sizeof(q), p, "minor"), "missing");
		d->minor = has ? (uint32_t)x : 0;
		r = get_int(e, p, "fileMode", 0, 07777, &x, &has, err);
		if (r < 0)
			return r;
		d->mode = has ? (mode_t)x : 0666;
		r = get_int(e, p, "uid", 0, UINT32_MAX - 1, &x, &has, err);
		if (r < 0)
			return r;
		d->uid = has ? (uid_t)x : 0;
		r = get_int(e, p, "gid", 0, UINT32_MAX - 1, &x, &has, err);
		if (r < 0)
			return r;
		d->gid = has ? (gid_t)x : 0;
		c->n_devices = i + 1;
	}
	return 0;
}

/* An object of strings as key/value pairs. check, when set, vets each key. */
static int parse_kv(const json_t *obj, const char *path, struct ctr_oci_kv **ret, size_t *ret_n,
		    int (*check)(const char *path, const char *key, struct ctr_error *err),
		    struct ctr_error *err)
{
	char p[PATH_BUF];
	const char *key;
	json_t *v;
	size_t n = 0;

	*ret = calloc(json_object_size(obj) + 1, sizeof(**ret));
	if (!*ret)
		return ctr_error_errno(err, ENOMEM, "%s", path);
	json_object_foreach((json_t *)obj, key, v) {
		snprintf(p, sizeof(p), "%s[\"%s\"]", path, key);
		if (!json_is_string(v))
			return bad(err, p, "expected a string, got %s", type_name(v));
		if (check) {
			int r = check(p, key, err);

			if (r < 0)
				return r;
		}
		(*ret)[n].key = key;
		(*ret)[n].value = json_string_value(v);
		*ret_n = ++n;
	}
	return 0;
}

/* An interface file name of a cgroup: "memory.high", never a path. */
static int check_unified_key(const char *path, const char *key, struct ctr_error *err)
{
	if (!key[0] || strchr(key, '/') || key[0] == '.' || !strchr(key, '.'))
		return bad(err, path, "\"%s\" is not a cgroup interface file name", key);
	return 0;
}

/* A sysctl name: dotted words of [a-z0-9_-], or a slashed path of them. */
static int check_sysctl_key(const char *path, const char *key, struct ctr_error *err)
{
	if (!key[0] || key[0] == '.' || key[0] == '/' || strstr(key, "..") || strstr(key, "//"))
		return bad(err, path, "\"%s\" is not a sysctl name", key);
	for (const char *c = key; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._-/", *c)))
			return bad(err, path, "\"%s\" is not a sysctl name", key);
	return 0;
}

static int parse_resources(struct ctr_oci_config *c, const json_t *res, struct ctr_error *err)
{
	struct ctr_limits *lim = &c->limits;
	json_t *mem, *cpu, *pids, *unified;
	int64_t x;
	bool has;
	int r;

	r = get(res, "linux.resources", "memory", JSON_OBJECT, &mem, err);
	if (r < 0)
		return r;
	if (mem) {
		r = get_int(mem, "linux.resources.memory", "limit", -1, INT64_MAX, &x, &has, err);
		if (r < 0)
			return r;
		if (has) {
			lim->set |= CTR_LIMIT_MEMORY;
			lim->memory_max = x < 0 ? CTR_LIMIT_MAX : (uint64_t)x;
		}
		r = get_int(mem, "linux.resources.memory", "reservation", -1, INT64_MAX, &x, &has,
			    err);
		if (r < 0)
			return r;
		/* runc writes memory.low for it; memory.high is closer to a soft limit. */
		if (has && x >= 0) {
			lim->set |= CTR_LIMIT_MEMORY_HIGH;
			lim->memory_high = (uint64_t)x;
		}
	}
	r = get(res, "linux.resources", "cpu", JSON_OBJECT, &cpu, err);
	if (r < 0)
		return r;
	if (cpu) {
		int64_t quota = 0, period = CTR_CPU_PERIOD_US;
		bool hq, hp;

		r = get_int(cpu, "linux.resources.cpu", "quota", -1, INT64_MAX, &quota, &hq, err);
		if (r < 0)
			return r;
		r = get_int(cpu, "linux.resources.cpu", "period", 0, INT64_MAX, &period, &hp, err);
		if (r < 0)
			return r;
		if (hq || hp) {
			lim->set |= CTR_LIMIT_CPU_MAX;
			lim->cpu_quota_us = !hq || quota <= 0 ? CTR_LIMIT_MAX : (uint64_t)quota;
			lim->cpu_period_us =
				hp && period > 0 ? (uint64_t)period : CTR_CPU_PERIOD_US;
		}
		r = get_int(cpu, "linux.resources.cpu", "shares", 0, INT64_MAX, &x, &has, err);
		if (r < 0)
			return r;
		if (has && x > 0) {
			/*
			 * cgroup v1 shares 2..262144 onto v2 weight 1..10000,
			 * the conversion runc and crun use
			 * (cgroups.ConvertCPUSharesToCgroupV2Value).
			 */
			uint64_t s = x < 2 ? 2 : x > 262144 ? 262144 : (uint64_t)x;

			lim->set |= CTR_LIMIT_CPU_WEIGHT;
			lim->cpu_weight = 1 + ((s - 2) * 9999) / 262142;
		}
	}
	r = get(res, "linux.resources", "pids", JSON_OBJECT, &pids, err);
	if (r < 0)
		return r;
	if (pids) {
		r = get_int(pids, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, &x, &has,
			    err);
		if (r < 0)
			return r;
		if (has) {
			lim->set |= CTR_LIMIT_PIDS;
			lim->pids_max = x <= 0 ? CTR_LIMIT_MAX : (uint64_t)x;
		}
	}
	r = ctr_limits_validate(lim, err);
	if (r < 0)
		return ctr_error_prefix(err, "linux.resources.cpu");
	r = get(res, "linux.resources", "unified", JSON_OBJECT, &unified, err);
	if (r < 0)
		return r;
	if (unified)
		return parse_kv(unified, "linux.resources.unified", &c->unified, &c->n_unified,
				check_unified_key, err);
	return 0;
}

static int check_cgroups_path(const char *p, struct ctr_error *err)
{
	if (!p[0])
		return 0;
	for (const char *c = p; *c;) {
		const char *next;

		while (*c == '/')
			c++;
		next = strchrnul(c, '/');
		if (next - c == 2 && c[0] == '.' && c[1] == '.')
			return bad(err, "linux.cgroupsPath", "\"%s\" has a \"..\" component", p);
		c = next;
	}
	/* The systemd driver's "slice:prefix:name" form is not supported. */
	if (strchr(p, ':'))
		return bad(err, "linux.cgroupsPath",
			   "\"%s\": the systemd \"slice:prefix:name\" form is not supported", p);
	return 0;
}

static int parse_linux(struct ctr_oci_config *c, const json_t *lx, struct ctr_error *err)
{
	json_t *v;
	int r;

	r = get(lx, "linux", "namespaces", JSON_ARRAY, &v, err);
	if (r < 0)
		return r;
	if (v) {
		r = parse_namespaces(c, v, err);
		if (r < 0)
			return r;
	}
	r = parse_idmaps(lx, "uidMappings", c->uid_map, &c->n_uid_map, err);
	if (r < 0)
		return r;
	r = parse_idmaps(lx, "gidMappings", c->gid_map, &c->n_gid_map, err);
	if (r < 0)
		return r;
	r = get_string_array(lx, "linux", "maskedPaths", (char ***)&c->masked_paths,
			     &c->n_masked_paths, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_masked_paths; i++) {
		char p[PATH_BUF];

		r = check_container_path(idx(p, sizeof(p), "linux.maskedPaths", i),
					 c->masked_paths[i], err);
		if (r < 0)
			return r;
	}
	r = get_string_array(lx, "linux", "readonlyPaths", (char ***)&c->readonly_paths,
			     &c->n_readonly_paths, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_readonly_paths; i++) {
		char p[PATH_BUF];

		r = check_container_path(idx(p, sizeof(p), "linux.readonlyPaths", i),
					 c->readonly_paths[i], err);
		if (r < 0)
			return r;
	}
	r = get(lx, "linux", "devices", JSON_ARRAY, &v, err);
	if (r < 0)
		return r;
	if (v) {
		r = parse_devices(c, v, err);
		if (r < 0)
			return r;
	}
	r = get_string(lx, "linux", "cgroupsPath", &c->cgroups_path, err);
	if (r < 0)
		return r;
	if (c->cgroups_path) {
		r = check_cgroups_path(c->cgroups_path, err);
		if (r < 0)
			return r;
		if (!c->cgroups_path[0])
			c->cgroups_path = NULL;
	}
	r = get(lx, "linux", "resources", JSON_OBJECT, &v, err);
	if (r < 0)
		return r;
	if (v) {
		r = parse_resources(c, v, err);
		if (r < 0)
			return r;
	}
	r = get(lx, "linux", "sysctl", JSON_OBJECT, &v, err);
	if (r < 0)
		return r;
	if (v)
		return parse_kv(v, "linux.sysctl", &c->sysctl, &c->n_sysctl, check_sysctl_key, err);
	return 0;
}

static int parse_hook_list(const json_t *hooks, const char *key, struct ctr_oci_hooks *ret,
			   struct ctr_error *err)
{
	char p[PATH_BUF], q[PATH_BUF], s[PATH_BUF];
	json_t *arr;
	int r = get(hooks, "hooks", key, JSON_ARRAY, &arr, err);

	if (r < 0 || !arr)
		return r;
	sub(p, sizeof(p), "hooks", key);
	ret->v = calloc(json_array_size(arr) + 1, sizeof(*ret->v));
	if (!ret->v)
		return ctr_error_errno(err, ENOMEM, "%s", p);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct ctr_oci_hook *h = &ret->v[i];
		json_t *e = json_array_get(arr, i);
		int64_t t;
		bool has;

		ret->n = i + 1;
		idx(q, sizeof(q), p, i);
		if (!json_is_object(e))
			return bad(err, q, "expected an object, got %s", type_name(e));
		r = get_string(e, q, "path", &h->path, err);
		if (r < 0)
			return r;
		if (!h->path || h->path[0] != '/')
			return bad(err, sub(s, sizeof(s), q, "path"), "must be an absolute path");
		r = get_string_array(e, q, "args", &h->args, NULL, err);
		if (r < 0)
			return r;
		r = get_string_array(e, q, "env", &h->env, NULL, err);
		if (r < 0)
			return r;
		r = get_int(e, q, "timeout", 1, INT32_MAX, &t, &has, err);
		if (r < 0)
			return r;
		h->timeout = has ? (int)t : 0;
	}
	return 0;
}

static int parse_hooks(struct ctr_oci_config *c, const json_t *hooks, struct ctr_error *err)
{
	int r;

	if ((r = parse_hook_list(hooks, "prestart", &c->prestart, err)) < 0 ||
	    (r = parse_hook_list(hooks, "createRuntime", &c->create_runtime, err)) < 0 ||
	    (r = parse_hook_list(hooks, "createContainer", &c->create_container, err)) < 0 ||
	    (r = parse_hook_list(hooks, "startContainer", &c->start_container, err)) < 0 ||
	    (r = parse_hook_list(hooks, "poststart", &c->poststart, err)) < 0 ||
	    (r = parse_hook_list(hooks, "poststop", &c->poststop, err)) < 0)
		return r;
	return 0;
}

/*
 * jansson recurses once per level and only stops at 2048; count the
 * nesting first, outside strings, and refuse a deep document cheaply.
 */
static int check_depth(const char *buf, size_t len, struct ctr_error *err)
{
	unsigned int depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		if (in_string) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_string = false;
			continue;
		}
		if (ch == '"')
			in_string = true;
		else if (ch == '[' || ch == '{') {
			if (++depth > CTR_OCI_CONFIG_MAX_DEPTH)
				return ctr_error_usage(err,
						       "config.json: nested deeper than %d levels "
						       "(at byte %zu)",
						       CTR_OCI_CONFIG_MAX_DEPTH, i);
		} else if ((ch == ']' || ch == '}') && depth > 0)
			depth--;
	}
	return 0;
}

int ctr_oci_config_parse(const char *buf, size_t len, struct ctr_oci_config **ret,
			 struct ctr_error *err)
{
	struct ctr_oci_config *c = NULL;
	json_error_t jerr;
	json_t *root, *v;
	int r;

	if (len > CTR_OCI_CONFIG_MAX_SIZE)
		return ctr_error_usage(err, "config.json: %zu bytes is more than the limit of %u",
				       len, CTR_OCI_CONFIG_MAX_SIZE);
	r = check_depth(buf, len, err);
	if (r < 0)
		return r;
	/* Strict by default: trailing garbage, invalid UTF-8 and \u0000 are refused. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ctr_error_usage(err, "config.json: line %d, column %d: %s", jerr.line,
				       jerr.column, jerr.text);
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(root);
		return ctr_error_errno(err, ENOMEM, "config.json");
	}
	c->doc = root;
	if (!json_is_object(root)) {
		r = bad(err, "config.json", "expected an object, got %s", type_name(root));
		goto fail;
	}

	r = get_string(root, "", "ociVersion", &c->oci_version, err);
	if (r < 0)
		goto fail;
	if (!c->oci_version) {
		r = bad(err, "ociVersion", "missing");
		goto fail;
	}
	if (strncmp(c->oci_version, "1.", 2) != 0) {
		r = bad(err, "ociVersion", "\"%s\" is not a 1.x version", c->oci_version);
		goto fail;
	}

	r = get(root, "", "root", JSON_OBJECT, &v, err);
	if (r < 0)
		goto fail;
	if (!v) {
		r = bad(err, "root", "missing");
		goto fail;
	}
	r = get_string(v, "root", "path", &c->root_path, err);
	if (r < 0)
		goto fail;
	if (!c->root_path || !c->root_path[0]) {
		r = bad(err, "root.path", "missing");
		goto fail;
	}
	r = get_bool(v, "root", "readonly", &c->root_readonly, err);
	if (r < 0)
		goto fail;

	r = get(root, "", "process", JSON_OBJECT, &v, err);
	if (r < 0)
		goto fail;
	if (!v) {
		r = bad(err, "process", "missing (contain has no exec verb to run one later)");
		goto fail;
	}
	r = parse_process(c, v, err);
	if (r < 0)
		goto fail;

	r = get_string(root, "", "hostname", &c->hostname, err);
	if (r < 0)
		goto fail;
	if (c->hostname && strlen(c->hostname) > 64) {
		r = bad(err, "hostname", "longer than 64 bytes");
		goto fail;
	}

	r = get(root, "", "mounts", JSON_ARRAY, &v, err);
	if (r < 0)
		goto fail;
	if (v) {
		r = parse_mounts(c, v, err);
		if (r < 0)
			goto fail;
	}

	r = get(root, "", "linux", JSON_OBJECT, &v, err);
	if (r < 0)
		goto fail;
	if (v) {
		r = parse_linux(c, v, err);
		if (r < 0)
			goto fail;
	}
	if (c->hostname && !ctr_oci_config_has_ns(c, CLONE_NEWUTS, NULL)) {
		r = bad(err, "hostname", "needs a new uts namespace");
		goto fail;
	}
	if ((c->n_uid_map || c->n_gid_map) && !ctr_oci_config_has_ns(c, CLONE_NEWUSER, NULL)) {
		r = bad(err, "linux.uidMappings", "needs a user namespace");
		goto fail;
	}

	r = get(root, "", "hooks", JSON_OBJECT, &v, err);
	if (r < 0)
		goto fail;
	if (v) {
		r = parse_hooks(c, v, err);
		if (r < 0)
			goto fail;
	}
	r = get(root, "", "annotations", JSON_OBJECT, &v, err);
	if (r < 0)
		goto fail;
	if (v) {
		r = parse_kv(v, "annotations", &c->annotations, &c->n_annotations, NULL, err);
		if (r < 0)
			goto fail;
	}
	*ret = c;
	return 0;
fail:
	ctr_oci_config_free(c);
	return r;
}

int ctr_oci_config_read(int dirfd, const char *name, char **ret_buf, size_t *ret_len,
			struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open %s", name);
	if (fstat(fd, &st) < 0)
		return ctr_error_errno(err, errno, "stat %s", name);
	if (!S_ISREG(st.st_mode))
		return ctr_error_set(err, EINVAL, "%s is not a regular file", name);
	if ((uint64_t)st.st_size > CTR_OCI_CONFIG_MAX_SIZE)
		return ctr_error_usage(err, "%s: %lld bytes is more than the limit of %u", name,
				       (long long)st.st_size, CTR_OCI_CONFIG_MAX_SIZE);
	buf = malloc(CTR_OCI_CONFIG_MAX_SIZE + 2);
	if (!buf)
		return ctr_error_errno(err, ENOMEM, "read %s", name);
	/* The size may change under us: read to the end, up to one byte past the cap. */
	for (;;) {
		ssize_t n = read(fd, buf + len, CTR_OCI_CONFIG_MAX_SIZE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ctr_error_errno(err, errno, "read %s", name);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CTR_OCI_CONFIG_MAX_SIZE)
			return ctr_error_usage(err, "%s: more than the limit of %u bytes", name,
					       CTR_OCI_CONFIG_MAX_SIZE);
	}
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

bool ctr_oci_config_has_ns(const struct ctr_oci_config *c, unsigned long type,
			   const char **ret_path)
{
	for (size_t i = 0; i < c->n_namespaces; i++)
		if (c->namespaces[i].type == type) {
			if (ret_path)
				*ret_path = c->namespaces[i].path;
			return true;
		}
	return false;
}

static void hooks_free(struct ctr_oci_hooks *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].args);
		free(h->v[i].env);
	}
	free(h->v);
}

void ctr_oci_config_free(struct ctr_oci_config *c)
{
	if (!c)
		return;
	free(c->process.args);
	free(c->process.env);
	free(c->process.additional_gids);
	free(c->process.rlimits);
	for (size_t i = 0; i < c->n_mounts; i++)
		free(c->mounts[i].data);
	free(c->mounts);
	free(c->masked_paths);
	free(c->readonly_paths);
	free(c->devices);
	free(c->unified);
	free(c->sysctl);
	free(c->annotations);
	hooks_free(&c->prestart);
	hooks_free(&c->create_runtime);
	hooks_free(&c->create_container);
	hooks_free(&c->start_container);
	hooks_free(&c->poststart);
	hooks_free(&c->poststop);
	json_decref(c->doc);
	free(c);
}
