// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Shell-out detection from the tracer's events (see ht-shellout.h for the
 * rules and their limits).
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "ht-proc.h"
#include "ht-shellout.h"
#include "ht-util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* clone(2)'s low byte is the exit signal, so CLONE_NEWTIME only counts for clone3/unshare. */
#define NEW_NS_CLONE                                                                   \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWNET)
#define NEW_NS_ALL (NEW_NS_CLONE | CLONE_NEWTIME)

const char *const ht_shellout_tools[] = {
	/* namespaces and roots */
	"unshare",
	"nsenter",
	"chroot",
	/* networking */
	"ip",
	"bridge",
	"nft",
	"iptables",
	/* cgroups */
	"cgcreate",
	"cgexec",
	"systemd-run",
	/* images and bundles */
	"tar",
	"umoci",
	"skopeo",
	/* whole runtimes */
	"runc",
	"crun",
	"docker",
	"podman",
	/* tracing */
	"strace",
	"bpftrace",
	NULL,
};

enum {
	ST_NS = 1 << 0,	    /* in a namespace of its own (created or joined) */
	ST_ROOTED = 1 << 1, /* after a successful pivot_root or chroot */
};

struct proc_state {
	long long pid;
	unsigned state;
};

struct clone_rec {
	long long parent, child;
	unsigned long long flags;
	bool is_clone; /* clone(2), whose low byte is a signal */
};

struct scan {
	struct proc_state *procs;
	size_t n_procs;
	struct clone_rec *clones;
	size_t n_clones;
};

static bool is_event_type(const char *type)
{
	return type && (strcmp(type, "syscall") == 0 || strcmp(type, "exit") == 0);
}

void ht_trace_parse(const char *text, size_t len, json_t **ret_events, json_t **ret_summary,
		    size_t *ret_other)
{
	json_t *events = json_array(), *summary = NULL;
	const char *p = text, *end = text + len;
	size_t other = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *j = n ? json_loadb(p, n, 0, NULL) : NULL;
		const char *type = json_string_value(json_object_get(j, "type"));

		if (type && strcmp(type, "summary") == 0) {
			json_decref(summary);
			summary = j;
		} else if (is_event_type(type)) {
			json_array_append_new(events, j);
		} else {
			other += n > 0;
			json_decref(j);
		}
		p += n + 1;
	}
	*ret_events = events;
	*ret_summary = summary;
	if (ret_other)
		*ret_other = other;
}

static long long get_int(json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool is_syscall(json_t *ev, const char *name)
{
	const char *type = get_str(ev, "type"), *sc = get_str(ev, "syscall");

	return type && sc && strcmp(type, "syscall") == 0 && strcmp(sc, name) == 0;
}

static struct clone_rec *find_clone(struct scan *s, long long child)
{
	for (size_t i = 0; i < s->n_clones; i++)
		if (s->clones[i].child == child)
			return &s->clones[i];
	return NULL;
}

static struct proc_state *find_proc(struct scan *s, long long pid)
{
	for (size_t i = 0; i < s->n_procs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* A process's state, made from its parent's when it is first seen. */
static struct proc_state *proc_state(struct scan *s, json_t *ev)
{
	long long pid = get_int(ev, "pid", -1), ns_pid = get_int(ev, "ns_pid", -1);
	struct proc_state *p = find_proc(s, pid), *parent;
	struct clone_rec *c;
	unsigned state = 0;

	if (!p) {
		c = find_clone(s, pid);
		parent = find_proc(s, c ? c->parent : get_int(ev, "ppid", -1));
		if (parent)
			state = parent->state;
		if (c && (c->flags & (c->is_clone ? NEW_NS_CLONE : NEW_NS_ALL)))
			state |= ST_NS;
		s->procs = ht_xrealloc(s->procs, (s->n_procs + 1) * sizeof(*s->procs));
		p = &s->procs[s->n_procs++];
		*p = (struct proc_state){ .pid = pid, .state = state };
	}
	if (ns_pid > 0 && ns_pid != pid)
		p->state |= ST_NS;
	return p;
}

static int cmp_ts(const void *a, const void *b, void *arg)
{
	json_t *events = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	long long ta = get_int(json_array_get(events, ia), "ts_ns", 0);
	long long tb = get_int(json_array_get(events, ib), "ts_ns", 0);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool is_tool(const char *name)
{
	for (const char *const *t = ht_shellout_tools; *t; t++)
		if (strcmp(name, *t) == 0)
			return true;
	return false;
}

/* busybox identifies itself in its usage text; a copy under any name keeps it. */
static bool is_busybox(const char *path)
{
	static const char banner[] = "BusyBox v";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *map;
	bool found;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size > 64 << 20)
		return false;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return false;
	found = memmem(map, (size_t)st.st_size, banner, sizeof(banner) - 1) != NULL;
	munmap(map, (size_t)st.st_size);
	return found;
}

/* The tool a host path stands for, or NULL. Malloc'd. */
static char *classify(const char *filename)
{
	_cleanup_free_ char *real = realpath(filename, NULL);
	const char *name = base_name(filename);

	if (is_tool(name))
		return ht_xstrdup(name);
	if (real && is_tool(base_name(real)))
		return ht_xstrdup(base_name(real));
	if (is_busybox(real ? real : filename))
		return strcmp(name, "busybox") == 0 ? ht_xstrdup("busybox") :
						      ht_xasprintf("busybox:%s", name);
	return NULL;
}

static bool is_command(const char *filename, const char *const *cmd)
{
	if (!cmd || !cmd[0])
		return false;
	if (strcmp(filename, cmd[0]) == 0)
		return true;
	/* execvp(3) tries each $PATH entry, so every try has the bare name's basename. */
	return !strchr(cmd[0], '/') && strcmp(base_name(filename), cmd[0]) == 0;
}

static void add_hit(struct ht_shellout *ret, char *tool, const char *filename, long long pid,
		    long long rv)
{
	ret->hits = ht_xrealloc(ret->hits, (ret->n + 1) * sizeof(*ret->hits));
	ret->hits[ret->n++] = (struct ht_shellout_hit){
		.tool = tool,
		.filename = ht_xstrdup(filename),
		.pid = (pid_t)pid,
		.ret = rv,
	};
}

int ht_shellout_scan(json_t *events, const char *const *cmd, struct ht_shellout *ret)
{
	size_t n = json_array_size(events);
	_cleanup_free_ size_t *order = ht_xcalloc(n ? n : 1, sizeof(*order));
	struct scan s = { 0 };
	long long root = -1;
	bool root_started = false;

	*ret = (struct ht_shellout){ 0 };
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		json_t *args = json_object_get(ev, "args");

		order[i] = i;
		if ((is_syscall(ev, "clone") || is_syscall(ev, "clone3")) &&
		    get_int(ev, "ret", -1) > 0) {
			s.clones = ht_xrealloc(s.clones, (s.n_clones + 1) * sizeof(*s.clones));
			s.clones[s.n_clones++] = (struct clone_rec){
				.parent = get_int(ev, "pid", -1),
				.child = get_int(ev, "ret", -1),
				.flags = (unsigned long long)get_int(args, "flags_raw", 0),
				.is_clone = is_syscall(ev, "clone"),
			};
		}
	}
	qsort_r(order, n, sizeof(*order), cmp_ts, events);

	for (size_t k = 0; k < n; k++) {
		json_t *ev = json_array_get(events, order[k]);
		json_t *args = json_object_get(ev, "args");
		const char *type = get_str(ev, "type");
		struct proc_state *p;
		long long rv = get_int(ev, "ret", -1), pid = get_int(ev, "pid", -1);
		const char *filename;
		char *tool;

		if (!type || strcmp(type, "syscall") != 0)
			continue;
		p = proc_state(&s, ev);
		if (is_syscall(ev, "unshare") && rv == 0 &&
		    ((unsigned long long)get_int(args, "flags_raw", 0) & NEW_NS_ALL))
			p->state |= ST_NS;
		else if (is_syscall(ev, "setns") && rv == 0)
			p->state |= ST_NS;
		else if ((is_syscall(ev, "pivot_root") || is_syscall(ev, "chroot")) && rv == 0)
			p->state |= ST_ROOTED;
		if (!is_syscall(ev, "execve") && !is_syscall(ev, "execveat"))
			continue;

		filename = get_str(args, "filename");
		if (root < 0)
			root = pid;
		if (pid == root && !root_started) {
			root_started = rv == 0;
			continue;
		}
		if (!filename || (p->state & ST_ROOTED))
			continue;
		if ((p->state & ST_NS) && is_command(filename, cmd))
			continue;
		tool = classify(filename);
		if (tool)
			add_hit(ret, tool, filename, pid, rv);
	}
	free(s.procs);
	free(s.clones);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *ht_shellout_list(const struct ht_shellout *s)
{
	_cleanup_free_ const char **names = ht_xcalloc(s->n + 1, sizeof(*names));
	char *out = ht_xstrdup("");

	for (size_t i = 0; i < s->n; i++)
		names[i] = s->hits[i].tool;
	qsort(names, s->n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		char *next;

		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		next = ht_xasprintf("%s%s%s", out, out[0] ? "," : "", names[i]);
		free(out);
		out = next;
	}
	return out;
}

void ht_shellout_free(struct ht_shellout *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->hits[i].tool);
		free(s->hits[i].filename);
	}
	free(s->hits);
	*s = (struct ht_shellout){ 0 };
}

int ht_shellout_trace(const char *tracer, const char *const *argv, const char *const *cmd,
		      int timeout_ms, struct ht_shellout *ret, int *ret_exit, char **ret_cause)
{
	struct ht_proc_opts o = { .timeout_ms = timeout_ms };
	struct ht_proc p;
	json_t *events = NULL, *summary = NULL;
	const char **targv;
	size_t n = 0;
	int r;

	while (argv[n])
		n++;
	targv = ht_xcalloc(n + 5, sizeof(*targv));
	targv[0] = tracer;
	targv[1] = "trace";
	targv[2] = "--json";
	targv[3] = "--";
	for (size_t i = 0; i < n; i++)
		targv[4 + i] = argv[i];
	r = ht_proc_run(&p, targv, &o);
	free(targv);
	if (r < 0) {
		r = ht_set_cause(ret_cause, r, "run %s trace: %s", tracer, strerror(-r));
		goto out;
	}
	if (p.timed_out) {
		r = ht_set_cause(ret_cause, -ETIMEDOUT, "%s trace: no exit within %d ms", tracer,
				 timeout_ms);
		goto out;
	}
	ht_trace_parse(p.out, p.out_len, &events, &summary, NULL);
	if (!summary) {
		r = ht_set_cause(ret_cause, -EIO, "%s trace wrote no summary (exit %d): %.300s",
				 tracer, p.exit_code, p.err);
		goto out;
	}
	if (get_int(summary, "lost", -1) != 0) {
		r = ht_set_cause(ret_cause, -EIO, "%s trace lost %lld events", tracer,
				 get_int(summary, "lost", -1));
		goto out;
	}
	/* The runtime's own stdout shares the tracer's: a line it broke hides an event. */
	if (get_int(summary, "events", -1) != (long long)json_array_size(events)) {
		r = ht_set_cause(ret_cause, -EIO,
				 "%s trace reported %lld events, %zu could be read (the traced "
				 "command's output was mixed into them)",
				 tracer, get_int(summary, "events", -1), json_array_size(events));
		goto out;
	}
	r = ht_shellout_scan(events, cmd, ret);
	if (ret_exit)
		*ret_exit = p.exit_code;
out:
	json_decref(events);
	json_decref(summary);
	ht_proc_free(&p);
	return r;
}
