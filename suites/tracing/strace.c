// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The tracer against strace (lesson 10): one container start, watched by
 * both at once, gives the same syscalls with the same return values.
 *
 * strace runs *inside* the tracer (`contain trace -- strace -f … -- RUNTIME
 * …`), so both see the same execution and the same pids. The tracer also
 * sees strace itself; strace does not, so the strace process's own events
 * are dropped (by its pid: strace's forked child keeps the comm "strace"
 * until its execve of the runtime, which both must report).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "trace.h"

#define TRACED \
	"clone,clone3,unshare,setns,mount,umount2,pivot_root,chroot,sethostname,execve,execveat"
#define STRACE "/usr/bin/strace"

/* "clone3 1234", "mount -1 EPERM": what both must agree on for one syscall. */
static char *key_of_event(json_t *ev)
{
	const char *err = ev_str(ev, "errno");

	return ht_xasprintf("%s %lld%s%s", ev_str(ev, "syscall"), ev_int(ev, "ret", 0),
			    err ? " " : "", err ? err : "");
}

/*
 * One strace line into a key, or NULL for lines that carry no result:
 * `+++ exited …`, `--- SIG… ---`, and `… <unfinished ...>` (its
 * `<... NAME resumed> … = RET` line carries the result).
 */
static char *key_of_strace_line(char *line)
{
	char *p = line, *name, *eq, *ret, *end;

	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	if (p == line || !*p || strncmp(p, "+++", 3) == 0 || strncmp(p, "---", 3) == 0 ||
	    strstr(p, "<unfinished ...>"))
		return NULL;
	if (strncmp(p, "<... ", 5) == 0) {
		name = p + 5;
		end = strstr(name, " resumed>");
	} else {
		name = p;
		end = strchr(name, '(');
	}
	eq = NULL;
	/* The result follows the last " = "; arguments may contain " = " in strings. */
	for (char *q = strstr(p, " = "); q; q = strstr(q + 1, " = "))
		eq = q;
	if (!end || !eq)
		return NULL;
	ret = eq + 3;
	/* "-1 EPERM (Operation not permitted)" → "-1 EPERM"; "0" stays. */
	if (strchr(ret, '('))
		*strchr(ret, '(') = '\0';
	ht_strstrip(ret);
	return ht_xasprintf("%.*s %s", (int)(end - name), name, ret);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keys {
	char **v;
	size_t n;
};

static void keys_add(struct keys *k, char *s)
{
	k->v = ht_xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
	k->v[k->n++] = s;
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
}

/* Append "name ret" to *msg for every key in a that b does not match (sorted multisets). */
static size_t diff(const struct keys *a, const struct keys *b, char **msg)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n) {
		int c = j < b->n ? strcmp(a->v[i], b->v[j]) : -1;

		if (c == 0) {
			i++;
			j++;
		} else if (c > 0) {
			j++;
		} else {
			char *next = ht_xasprintf("%s%s\"%s\"", *msg, n ? ", " : "", a->v[i]);

			free(*msg);
			*msg = next;
			n++;
			i++;
		}
	}
	return n;
}

/*
 * The same container start under strace -f and under the tracer gives the
 * same multiset of (syscall, return value): nothing missed, nothing made up.
 */
static void trace_matches_strace(struct ht_ctx *t)
{
	_cleanup_free_ char *file = ht_xasprintf("%s/strace.out", ht_scratch_dir(t));
	_cleanup_free_ char *host = ht_xasprintf("st-%.12s", ht_nonce(t));
	_cleanup_free_ char *text = NULL, *lines = NULL, *missing = ht_xstrdup(""),
			    *extra = ht_xstrdup("");
	_cleanup_close_ int fd = -1;
	struct keys traced = { 0 }, straced = { 0 };
	struct targv cmd = { 0 };
	struct trace_out out;
	long long strace_pid = -1;
	size_t i;
	json_t *ev;

	if (access(STRACE, X_OK) < 0)
		ht_broken(t, "%s: %s (ci/setup installs Debian's strace)", STRACE, strerror(errno));
	/*
	 * LeakSanitizer cannot work under ptrace(2) and fails a sanitized
	 * runtime; its leak check is the other tests' job (strace -E sets the
	 * variable for the traced command only).
	 */
	targv_add_list(&cmd, HT_ARGS(STRACE, "-f", "-qq", "-E", "LSAN_OPTIONS=detect_leaks=0", "-e",
				     "trace=" TRACED, "-o", file, "--"));
	targv_add_runtime(t, &cmd);
	targv_add_list(&cmd, HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--hostname", host,
				     "--", "/bin/true"));
	if (!trace_run(t, &out, NULL, cmd.v)) {
		targv_free(&cmd);
		trace_out_free(&out);
		return;
	}
	targv_free(&cmd);
	HT_EXPECT_EXIT(t, &out.p, 0);
	trace_expect_no_loss(t, &out);

	json_array_foreach(out.events, i, ev) {
		const char *f = ev_arg(ev, "filename");

		if (ev_is(ev, "execve") && ev_int(ev, "ret", -1) == 0 && f &&
		    strcmp(f, STRACE) == 0) {
			strace_pid = ev_int(ev, "pid", -1);
			break;
		}
	}
	if (strace_pid < 0)
		ht_fail(t, "the trace has no execve of %s", STRACE);
	json_array_foreach(out.events, i, ev)
		if (ev_str(ev, "syscall") && ev_int(ev, "pid", -1) != strace_pid)
			keys_add(&traced, key_of_event(ev));

	fd = HT_SETUP(t, open(file, O_RDONLY | O_CLOEXEC));
	HT_SETUP(t, ht_read_fd(fd, &text, NULL));
	lines = ht_xstrdup(text);
	for (char *sp, *line = strtok_r(lines, "\n", &sp); line; line = strtok_r(NULL, "\n", &sp)) {
		char *k = key_of_strace_line(line);

		if (k)
			keys_add(&straced, k);
	}
	/* A bare execve would compare equal to a bare execve: demand the container's calls. */
	HT_EXPECT_GE(t, straced.n, 5);

	qsort(traced.v, traced.n, sizeof(*traced.v), cmp_str);
	qsort(straced.v, straced.n, sizeof(*straced.v), cmp_str);
	if (diff(&straced, &traced, &missing))
		ht_fail(t, "strace saw, the tracer did not: %s", missing);
	if (diff(&traced, &straced, &extra))
		ht_fail(t, "the tracer reported, strace did not: %s", extra);
	if (missing[0] || extra[0])
		ht_fail(t, "strace -f output: %.1200s", text ? text : "");
	keys_free(&traced);
	keys_free(&straced);
	trace_out_free(&out);
}
HT_TEST(trace_matches_strace, TRACE_AREA, .timeout_s = 60,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf", "ns.pid", "ns.mnt", "ns.uts", "ns.ipc",
			  "ns.cgroup", "pivot_root"),
	.tags = "man:strace(1)");
