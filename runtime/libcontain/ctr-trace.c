// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The user side of the eBPF tracer: the generated skeleton (trace.skel.h)
 * is opened, its knobs set in rodata, loaded and attached; events come out
 * of a BPF ring buffer. libbpf's own diagnostics are kept, not printed: the
 * last one is added to the error message when a step fails.
 *
 * libbpf (and its libelf and libz) is opened by ctr_tracer_new(), the only
 * way in, rather than linked (ctr-dlopen.h). The skeleton's inline functions
 * call five libbpf functions by name; the defines below point them at the
 * resolved pointers before trace.skel.h is included.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctr-dlopen.h"
#include "ctr-mutant.h"
#include "ctr-trace.h"
#include "ctr-util.h"

CTR_DLSYM_DEFINE(bpf_map__fd);
CTR_DLSYM_DEFINE(bpf_map__lookup_elem);
CTR_DLSYM_DEFINE(bpf_map__update_elem);
CTR_DLSYM_DEFINE(libbpf_set_print);
CTR_DLSYM_DEFINE(ring_buffer__new);
CTR_DLSYM_DEFINE(ring_buffer__free);
CTR_DLSYM_DEFINE(ring_buffer__consume);
CTR_DLSYM_DEFINE(ring_buffer__epoll_fd);
CTR_DLSYM_DEFINE(bpf_object__open_skeleton);
CTR_DLSYM_DEFINE(bpf_object__load_skeleton);
CTR_DLSYM_DEFINE(bpf_object__attach_skeleton);
CTR_DLSYM_DEFINE(bpf_object__detach_skeleton);
CTR_DLSYM_DEFINE(bpf_object__destroy_skeleton);
CTR_DLLIB_DEFINE(libbpf, CTR_SONAME_LIBBPF, CTR_PACKAGE_LIBBPF, CTR_DLSYM(bpf_map__fd),
		 CTR_DLSYM(bpf_map__lookup_elem), CTR_DLSYM(bpf_map__update_elem),
		 CTR_DLSYM(libbpf_set_print), CTR_DLSYM(ring_buffer__new),
		 CTR_DLSYM(ring_buffer__free), CTR_DLSYM(ring_buffer__consume),
		 CTR_DLSYM(ring_buffer__epoll_fd), CTR_DLSYM(bpf_object__open_skeleton),
		 CTR_DLSYM(bpf_object__load_skeleton), CTR_DLSYM(bpf_object__attach_skeleton),
		 CTR_DLSYM(bpf_object__detach_skeleton), CTR_DLSYM(bpf_object__destroy_skeleton));

#define bpf_object__open_skeleton    sym_bpf_object__open_skeleton
#define bpf_object__load_skeleton    sym_bpf_object__load_skeleton
#define bpf_object__attach_skeleton  sym_bpf_object__attach_skeleton
#define bpf_object__detach_skeleton  sym_bpf_object__detach_skeleton
#define bpf_object__destroy_skeleton sym_bpf_object__destroy_skeleton
#include "trace.skel.h"

struct ctr_tracer {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	ctr_trace_event_fn fn;
	void *userdata;
	int cb_error; /* what the callback returned when it stopped a consume */
};

/*
 * libbpf's diagnostics, for the error message, since the library must not
 * print: the verifier's verdict when a program was refused (the last line of
 * the load log libbpf passes on), otherwise libbpf's last warning.
 */
static char libbpf_verdict[256];
static char libbpf_last[256];

static void keep_line(char *dst, size_t size, const char *start, size_t len)
{
	while (len && (start[len - 1] == '\n' || start[len - 1] == ' '))
		len--;
	snprintf(dst, size, "%.*s", (int)len, start);
}

/* The verifier's verdict: the last line of its log that is not statistics. */
static void keep_verdict(const char *msg, const char *end)
{
	while (end > msg) {
		const char *line = end;

		while (line > msg && line[-1] != '\n')
			line--;
		if (end > line && strncmp(line, "processed ", 10) != 0 &&
		    strncmp(line, "verification time", 17) != 0) {
			keep_line(libbpf_verdict, sizeof(libbpf_verdict), line, end - line);
			return;
		}
		end = line > msg ? line - 1 : msg;
	}
}

__attribute__((format(printf, 2, 0))) static int libbpf_log(enum libbpf_print_level level,
							    const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;
	const char *end;

	if (level == LIBBPF_DEBUG || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	end = strstr(msg, "-- END PROG LOAD LOG --");
	if (end && !libbpf_verdict[0])
		keep_verdict(msg, end);
	keep_line(libbpf_last, sizeof(libbpf_last), msg, strlen(msg));
	return 0;
}

static int bpf_fail(struct ctr_error *err, int e, const char *what)
{
	ctr_error_errno(err, e, "%s", what);
	if (e == EPERM)
		ctr_error_hint(err, "loading BPF programs needs root (CAP_BPF and CAP_PERFMON)");
	else if (libbpf_verdict[0])
		ctr_error_hint(err, libbpf_verdict);
	else if (libbpf_last[0])
		ctr_error_hint(err, libbpf_last);
	return -abs(e);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct ctr_tracer *t = ctx;
	static unsigned long seen;
	struct ctr_trace_event e;
	int r;

	if (size < sizeof(e))
		return 0;
	if (ctr_mutant("trace-drops-events") && seen++ % 2)
		return 0;
	memcpy(&e, data, sizeof(e));
	r = t->fn(&e, t->userdata);
	if (r < 0) {
		t->cb_error = r;
		return r;
	}
	return 0;
}

int ctr_tracer_new(uint64_t syscall_mask, ctr_trace_event_fn fn, void *userdata,
		   struct ctr_tracer **ret_tracer, struct ctr_error *err)
{
	struct ctr_tracer *t;
	int r;

	r = ctr_dlopen(&libbpf, err);
	if (r < 0)
		return r;
	sym_libbpf_set_print(libbpf_log);
	libbpf_verdict[0] = libbpf_last[0] = '\0';
	t = calloc(1, sizeof(*t));
	if (!t)
		return ctr_error_errno(err, ENOMEM, "allocate the tracer");
	t->fn = fn;
	t->userdata = userdata;

	t->skel = trace_bpf__open();
	if (!t->skel) {
		r = bpf_fail(err, errno, "open BPF object");
		goto fail;
	}
	t->skel->rodata->syscall_mask = syscall_mask;
	r = trace_bpf__load(t->skel);
	if (r < 0) {
		r = bpf_fail(err, -r, "load BPF program");
		goto fail;
	}
	r = trace_bpf__attach(t->skel);
	if (r < 0) {
		r = bpf_fail(err, -r, "attach BPF tracepoints");
		goto fail;
	}
	t->rb = sym_ring_buffer__new(sym_bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
	if (!t->rb) {
		r = bpf_fail(err, errno, "open BPF ring buffer");
		goto fail;
	}
	*ret_tracer = t;
	return 0;
fail:
	ctr_tracer_free(t);
	return r;
}

int ctr_tracer_track(struct ctr_tracer *t, pid_t tid, struct ctr_error *err)
{
	__u32 key = (__u32)tid;
	__u8 one = 1;

	if (sym_bpf_map__update_elem(t->skel->maps.tracked, &key, sizeof(key), &one, sizeof(one),
				     BPF_ANY) < 0)
		return ctr_error_errno(err, errno, "track pid %d", (int)tid);
	return 0;
}

static int track_children(struct ctr_tracer *t, pid_t pid, pid_t tid, int depth,
			  struct ctr_error *err);

static int track_threads(struct ctr_tracer *t, pid_t pid, int depth, struct ctr_error *err)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int r = 0;

	/* A pid namespace nests at most 32 deep; a process tree this deep is a loop. */
	if (depth > 4096)
		return ctr_error_set(err, ELOOP, "process tree of %d too deep", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir) {
		/* It exited meanwhile: nothing left to follow. */
		if (errno == ENOENT && depth > 0)
			return 0;
		return ctr_error_errno(err, errno, "open %s", path);
	}
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)strtol(d->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		r = ctr_tracer_track(t, tid, err);
		if (r < 0)
			break;
		r = track_children(t, pid, tid, depth, err);
		if (r < 0)
			break;
	}
	closedir(dir);
	return r;
}

/* /proc/PID/task/TID/children lists the children of one thread (proc(5)). */
static int track_children(struct ctr_tracer *t, pid_t pid, pid_t tid, int depth,
			  struct ctr_error *err)
{
	char path[96];
	FILE *f;
	int child, r = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &child) == 1) {
		r = track_threads(t, child, depth + 1, err);
		if (r < 0)
			break;
	}
	fclose(f);
	return r;
}

int ctr_tracer_track_tree(struct ctr_tracer *t, pid_t pid, struct ctr_error *err)
{
	return track_threads(t, pid, 0, err);
}

int ctr_tracer_fd(const struct ctr_tracer *t)
{
	return sym_ring_buffer__epoll_fd(t->rb);
}

int ctr_tracer_consume(struct ctr_tracer *t, struct ctr_error *err)
{
	int r;

	t->cb_error = 0;
	r = sym_ring_buffer__consume(t->rb);
	if (t->cb_error < 0)
		return ctr_error_errno(err, -t->cb_error, "write event");
	if (r < 0)
		return ctr_error_errno(err, -r, "read BPF ring buffer");
	return r;
}

int ctr_tracer_lost(const struct ctr_tracer *t, uint64_t *ret_lost, struct ctr_error *err)
{
	__u32 zero = 0;
	__u64 n = 0;

	if (sym_bpf_map__lookup_elem(t->skel->maps.lost, &zero, sizeof(zero), &n, sizeof(n), 0) < 0)
		return ctr_error_errno(err, errno, "read the lost-event counter");
	*ret_lost = n;
	return 0;
}

void ctr_tracer_free(struct ctr_tracer *t)
{
	if (!t)
		return;
	sym_ring_buffer__free(t->rb);
	trace_bpf__destroy(t->skel);
	free(t);
}
