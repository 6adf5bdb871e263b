// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Suite-side helpers for driving the runtime under test (see ht-runtime.h).
 */
#include <limits.h>
#include <string.h>
#include <sys/random.h>
#include <wordexp.h>

#include "ht-ctx.h"
#include "ht-runtime.h"
#include "ht-util.h"

/* What a wait inside a test leaves for the test itself to report a timeout. */
#define TEST_MARGIN_MS 500

int ht_timeout_ms(struct ht_ctx *t, int ms)
{
	double scaled = (double)ms * (t->timeout_multiplier > 0 ? t->timeout_multiplier : 1.0);
	int left = t->deadline_ns ? ht_remaining_ms(t->deadline_ns) - TEST_MARGIN_MS : INT_MAX;

	if (left < 1)
		left = 1;
	return scaled < left ? (int)scaled : left;
}

static struct ht_proc_opts with_deadline(struct ht_ctx *t, const struct ht_proc_opts *o)
{
	struct ht_proc_opts r = o ? *o : (struct ht_proc_opts){ 0 };

	/* No explicit wait: up to the test's own deadline. */
	r.timeout_ms = ht_timeout_ms(t, r.timeout_ms > 0 ? r.timeout_ms : INT_MAX / 1000);
	return r;
}

/*
 * "ISOLAB_JOURNAL=<path>" for this run's journal, or NULL when the test has
 * none. The runtime appends what it creates there before creating it
 * (ht-journal.h), so `isolab reap` can undo a run killed mid-test. The path
 * is read back from the test's own descriptor of the journal (proc(5),
 * /proc/PID/fd), so it names exactly the file the runner locks.
 */
static char *journal_env(struct ht_ctx *t)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (t->journal_fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", t->journal_fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/')
		return NULL;
	path[n] = '\0';
	return ht_xasprintf("ISOLAB_JOURNAL=%s", path);
}

static void start_words(struct ht_ctx *t, struct ht_proc *p, const char *const *args,
			const struct ht_proc_opts *o)
{
	_cleanup_free_ char *jenv = journal_env(t);
	_cleanup_free_ char **env = NULL;
	struct ht_proc_opts opts = *o;
	const char *words = ht_runtime_words_for_area(t->test ? (int)t->test->area : -1);
	wordexp_t we;
	size_t n = 0, n_env = 0;
	const char **argv;
	int r;

	if (jenv) {
		for (char *const *e = o->env_add; e && *e; e++)
			n_env++;
		env = ht_xcalloc(n_env + 2, sizeof(*env));
		for (size_t i = 0; i < n_env; i++)
			env[i] = o->env_add[i];
		env[n_env] = jenv;
		opts.env_add = env;
	}

	if (wordexp(words, &we, WRDE_NOCMD | WRDE_UNDEF) != 0 || we.we_wordc == 0)
		ht_broken(t, "cannot split the runtime command '%s'", words);
	for (const char *const *a = args; *a; a++)
		n++;
	argv = ht_xcalloc(we.we_wordc + n + 1, sizeof(*argv));
	for (size_t i = 0; i < we.we_wordc; i++)
		argv[i] = we.we_wordv[i];
	for (size_t i = 0; i < n; i++)
		argv[we.we_wordc + i] = args[i];
	r = ht_proc_start(p, argv, &opts);
	free(argv);
	wordfree(&we);
	if (r < 0)
		ht_broken(t, "start runtime '%s': %s", words, strerror(-r));
}

void ht_runtime_start(struct ht_ctx *t, struct ht_proc *p, const char *const *args,
		      const struct ht_proc_opts *o)
{
	struct ht_proc_opts opts = with_deadline(t, o);

	start_words(t, p, args, &opts);
}

void ht_runtime_run(struct ht_ctx *t, struct ht_proc *p, const char *const *args,
		    const struct ht_proc_opts *o)
{
	struct ht_proc_opts opts = with_deadline(t, o);
	int r;

	start_words(t, p, args, &opts);
	r = ht_proc_wait(p, opts.timeout_ms);
	if (r < 0)
		ht_broken(t, "wait for runtime '%s': %s", ht_runtime_words(), strerror(-r));
}

void ht_cmd_run(struct ht_ctx *t, struct ht_proc *p, const char *const *argv,
		const struct ht_proc_opts *o)
{
	struct ht_proc_opts opts = with_deadline(t, o);
	int r = ht_proc_run(p, argv, &opts);

	if (r < 0)
		ht_broken(t, "run %s: %s", argv[0], strerror(-r));
}

const char *ht_nonce(struct ht_ctx *t)
{
	static __thread char nonce[17];
	uint64_t v = 0;

	if (nonce[0])
		return nonce;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		ht_broken(t, "getrandom: %s", strerror(errno));
	snprintf(nonce, sizeof(nonce), "%016llx", (unsigned long long)v);
	return nonce;
}

json_t *ht_probe_json_line(struct ht_ctx *t, const char *line, size_t len)
{
	const char *nonce;
	json_error_t jerr;
	json_t *j;

	j = json_loadb(line, len, 0, &jerr);
	if (!j) {
		ht_fail(t, "probe output is not JSON (%s): \"%.*s\"", jerr.text,
			(int)(len > 300 ? 300 : len), line);
		return NULL;
	}
	nonce = json_string_value(json_object_get(j, "nonce"));
	if (!nonce || strcmp(nonce, ht_nonce(t)) != 0) {
		ht_fail(t, "probe output carries nonce \"%s\", want \"%s\": the probe did not run",
			nonce ? nonce : "(none)", ht_nonce(t));
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *ht_probe_json(struct ht_ctx *t, const struct ht_proc *p)
{
	const char *line = p->out, *nl;

	/* The probe prints one JSON line; take the last non-empty one. */
	for (const char *s = p->out; (nl = strchr(s, '\n')); s = nl + 1)
		if (nl[1] != '\0')
			line = nl + 1;
	if (!*line) {
		ht_fail(t, "no probe output on stdout; stderr: \"%.300s\"", p->err);
		return NULL;
	}
	return ht_probe_json_line(t, line, strcspn(line, "\n"));
}

bool ht_check_exit(struct ht_ctx *t, bool fatal, const char *file, int line,
		   const struct ht_proc *p, int want)
{
	bool ok = p->exit_code == want;

	if (ok)
		return ht_check_true(t, false, file, line, NULL);
	ht_report(t, HT_FAIL, file, line,
		  "expected exit status %d from %s, got %d%s; stderr: \"%.400s\"", want,
		  p->argv0 ? p->argv0 : "?", p->exit_code, p->timed_out ? " (timed out)" : "",
		  p->err ? p->err : "");
	if (fatal) {
		fflush(NULL);
		_exit(0);
	}
	return false;
}
