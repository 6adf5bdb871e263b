// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab grade: score a runtime per lesson (ht-grade.h).
 *
 * On the host, each lesson's tests run in a child `isolab run -l N` started
 * under the reference tracer (`contain trace --json`), so the shell-outs the
 * runtime makes while the lesson is graded are seen and attributed to it.
 * The tests this host must skip for a missing kernel feature then run in
 * one fresh VM, as `isolab run --vm auto` does. With --vm, every test runs
 * in the VM and the runtime never runs on this host.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <wordexp.h>

#include "config.h"
#include "ht-grade.h"
#include "ht-journal.h"
#include "ht-probe.h"
#include "ht-proc.h"
#include "ht-registry.h"
#include "ht-report.h"
#include "ht-util.h"
#include "ht-vm.h"
#include "isolab-cli.h"

/*
 * The tracer the grade watches the runtime with: the reference contain built
 * here, whatever runtime this build chose (a starter build's cannot trace).
 * It is not the lesson-10 tracer under test, which the tests take from
 * $ISOLAB_TRACER or the chosen runtime, as under `isolab run`.
 */
#define GRADE_TRACER ISOLAB_BUILD_ROOT "/runtime/contain"

/* What the child `isolab run` may take beyond its tests' own deadlines. */
#define CHILD_SLACK_S 120

static void help(void)
{
	printf("usage: isolab grade [OPTIONS]\n"
	       "\n"
	       "Score a runtime per lesson: passed/applicable, with tests the host cannot run\n"
	       "(skipped, with the reason) kept apart from failures and from tests the runtime\n"
	       "does not implement (not attempted). While it is graded on this host, the\n"
	       "runtime is traced (eBPF): a lesson whose core act it delegated to a tool\n"
	       "(unshare, ip, tar, runc...) is marked \"native: no\".\n"
	       "\n"
	       "  -r, --runtime WORDS  the runtime under test as a command line, e.g.\n"
	       "                       \"/path/to/mine\", \"runc\" (default: the contain\n"
	       "                       built here; also $ISOLAB_RUNTIME)\n"
	       "  -l, --lessons LIST   grade these lessons, e.g. 1-4,8 (default: every lesson\n"
	       "                       1-12 that has tests)\n"
	       "      --vm             run every test inside a fresh VM: the runtime never\n"
	       "                       runs on this host (no shell-out tracing then)\n"
	       "      --vm-kernel SPEC the VM's kernel (default debian:6.1; see isolab vm)\n"
	       "      --rootfs DIR     the test rootfs (default: the one built here)\n"
	       "  -o, --report-dir DIR write DIR/grade.json, DIR/junit.xml, DIR/report.json\n"
	       "                       (every test's result), DIR/console.txt and the\n"
	       "                       per-lesson logs DIR/lesson-NN.log\n"
	       "      --json FILE      write the grade as JSON (reports/isolab-grade.schema.json)\n"
	       "      --junit FILE     write the grade as JUnit XML, one testsuite per lesson\n"
	       "      --timeout-multiplier X\n"
	       "                       scale every test's deadline\n"
	       "  -h, --help           this text\n"
	       "\n"
	       "Without --vm, tests this host must skip run in one fresh VM when qemu is\n"
	       "installed (the report marks them vm:<kernel>), as `isolab run --vm auto`.\n"
	       "\n"
	       "Exit: 0 every lesson passed, 1 a lesson failed or was not attempted,\n"
	       "2 bad usage (nothing run or written), 3 harness error, 4 nothing failed but\n"
	       "a lesson could not be graded (every test of it skipped), 128+N after\n"
	       "signal N.\n");
}

struct grade_opts {
	const char *runtime, *rootfs, *vm_kernel, *multiplier;
	bool vm;
};

/* The lessons the filter selects that have tests, ascending; returns how many. */
static size_t lessons_with_tests(const struct ht_filter *f, int ret[64])
{
	const struct ht_test **tests = NULL;
	size_t n = ht_registry_select(f, &tests), count = 0;
	uint64_t seen = 0;

	for (size_t i = 0; i < n; i++)
		if (tests[i]->lesson > 0 && tests[i]->lesson < 64)
			seen |= 1ULL << tests[i]->lesson;
	free(tests);
	for (int l = 1; l < 64; l++)
		if (seen & (1ULL << l))
			ret[count++] = l;
	return count;
}

/* The runtime's program: its first word, as the tests will execute it. */
static char *runtime_prog(const char *words)
{
	wordexp_t we;
	char *prog;

	if (wordexp(words, &we, WRDE_NOCMD | WRDE_UNDEF) != 0)
		return NULL;
	prog = we.we_wordc ? ht_xstrdup(we.we_wordv[0]) : NULL;
	wordfree(&we);
	return prog;
}

/* Why shell-outs cannot be traced on this host, or NULL when they can. */
static char *trace_unavailable(const char *tracer)
{
	static const char *const needs[] = { "bpf.tracepoint", "bpf.btf" };

	if (access(tracer, X_OK) < 0)
		return ht_xasprintf("no tracer: %s: %s", tracer, strerror(errno));
	for (size_t i = 0; i < HT_ARRAY_SIZE(needs); i++) {
		const struct ht_probe_result *p = ht_probe_get(needs[i]);

		if (p->verdict != HT_YES) {
			_cleanup_free_ char *why = ht_probe_reason(p);

			return ht_xasprintf("no tracing here: probe %s: %s", needs[i], why);
		}
	}
	return NULL;
}

/* Whether one of the test's declared needs fails on this host (what --vm auto moves). */
static bool needs_fail(const struct ht_test *t)
{
	for (const char *const *need = t && t->needs ? t->needs : NULL; need && *need; need++)
		if (ht_probe_get(*need)->verdict != HT_YES)
			return true;
	return false;
}

static unsigned lesson_timeout_s(int lesson, const char *multiplier)
{
	double mult = multiplier ? strtod(multiplier, NULL) : 1.0;
	size_t n;
	const struct ht_test *const *all = ht_registry_all(&n);
	double s = 0;

	for (size_t i = 0; i < n; i++)
		if (all[i]->lesson == lesson)
			s += all[i]->timeout_s ? all[i]->timeout_s : 30;
	return (unsigned)(s * mult) + CHILD_SLACK_S;
}

/* Load the child's JSON report into run; returns how many results it held, or -errno. */
static int load_results(struct ht_run *run, const char *path, char **ret_cause)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *results, *obj;
	size_t i;
	int n = 0;

	if (!doc)
		return ht_set_cause(ret_cause, -EIO, "read %s: %s", path, jerr.text);
	results = json_object_get(doc, "results");
	json_array_foreach(results, i, obj) {
		const char *where = json_string_value(json_object_get(obj, "where"));

		if (ht_result_load_json(run, obj, where ? where : "host"))
			n++;
	}
	json_decref(doc);
	return n;
}

/*
 * Grade one lesson on this host: a child `isolab run -l N` under the tracer
 * (when tracer is set), its results appended to run, and the lesson's
 * native verdict from the trace. Returns 0, or -errno with *ret_cause when
 * the lesson could not be run at all.
 */
static int grade_on_host(struct ht_run *run, struct ht_grade_lesson *l, const char *work,
			 const char *log_dir, const char *tracer, const char *lesson_tracer,
			 const char *prog, const struct grade_opts *o, char **ret_cause)
{
	_cleanup_free_ char *json = ht_xasprintf("%s/lesson-%02d.json", work, l->lesson);
	_cleanup_free_ char *log = ht_xasprintf("%s/lesson-%02d.log", log_dir, l->lesson);
	_cleanup_free_ char *lesson = ht_xasprintf("%d", l->lesson);
	_cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
	_cleanup_free_ char *tracer_env =
		lesson_tracer ? ht_xasprintf("ISOLAB_TRACER=%s", lesson_tracer) : NULL;
	char *env[] = { tracer_env, NULL };
	const char *argv[40];
	struct ht_proc p;
	size_t n = 0, before = run->n_results, ran_here = 0;
	json_t *events = NULL, *summary = NULL;
	struct ht_proc_opts po = {
		.timeout_ms = (int)lesson_timeout_s(l->lesson, o->multiplier) * 1000,
		.env_add = tracer && lesson_tracer ? env : NULL,
	};
	int r;

	if (!self)
		return ht_set_cause(ret_cause, -errno, "find isolab itself: %s", strerror(errno));
	if (tracer) {
		argv[n++] = tracer;
		argv[n++] = "trace";
		argv[n++] = "--json";
		argv[n++] = "--";
	}
	/* The child's output goes to the log: the tracer's stdout carries only events. */
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = "log=$1; shift; exec \"$@\" >\"$log\" 2>&1";
	argv[n++] = "sh";
	argv[n++] = log;
	argv[n++] = self;
	argv[n++] = "run";
	argv[n++] = "--lesson";
	argv[n++] = lesson;
	argv[n++] = "--vm";
	argv[n++] = "never";
	argv[n++] = "--json";
	argv[n++] = json;
	if (o->runtime) {
		argv[n++] = "--runtime";
		argv[n++] = o->runtime;
	}
	if (o->rootfs) {
		argv[n++] = "--rootfs";
		argv[n++] = o->rootfs;
	}
	if (o->multiplier) {
		argv[n++] = "--timeout-multiplier";
		argv[n++] = o->multiplier;
	}
	argv[n] = NULL;

	r = ht_proc_run(&p, argv, &po);
	if (r < 0) {
		r = ht_set_cause(ret_cause, r, "run lesson %d: %s", l->lesson, strerror(-r));
		goto out;
	}
	if (p.timed_out) {
		r = ht_set_cause(ret_cause, -ETIMEDOUT, "lesson %d: no end within %d s (log: %s)",
				 l->lesson, po.timeout_ms / 1000, log);
		goto out;
	}
	r = load_results(run, json, ret_cause);
	if (r < 0) {
		r = ht_set_cause(ret_cause, r,
				 "lesson %d: isolab run exited %d without a report "
				 "(log: %s)",
				 l->lesson, p.exit_code, log);
		goto out;
	}
	for (size_t i = before; i < run->n_results; i++)
		ran_here += run->results[i].outcome != HT_SKIP;

	if (!tracer) {
		r = 0;
		goto out;
	}
	ht_trace_parse(p.out, p.out_len, &events, &summary, NULL);
	if (!summary) {
		ht_grade_set_unknown(l, "the tracer wrote no summary");
	} else if (json_integer_value(json_object_get(summary, "lost")) != 0) {
		_cleanup_free_ char *why = ht_xasprintf(
			"the tracer lost %lld events",
			(long long)json_integer_value(json_object_get(summary, "lost")));

		ht_grade_set_unknown(l, why);
	} else if (json_integer_value(json_object_get(summary, "events")) !=
		   (json_int_t)json_array_size(events)) {
		ht_grade_set_unknown(l, "some trace lines could not be read");
	} else if (ran_here == 0) {
		ht_grade_set_unknown(l, "no test of this lesson ran on this host");
	} else {
		struct ht_shellout s = { 0 };

		ht_grade_runtime_shellouts(events, prog, &s);
		ht_grade_set_native(l, &s);
		ht_shellout_free(&s);
	}
	r = 0;
out:
	unlink(json);
	json_decref(events);
	json_decref(summary);
	ht_proc_free(&p);
	return r;
}

typedef int (*grade_writer)(FILE *f, const struct ht_grade *g, const struct ht_run *run);

static int write_file(const char *path, grade_writer fn, const struct ht_grade *g,
		      const struct ht_run *run)
{
	struct isolab_out out = { 0 };
	int r = isolab_out_open(&out, path);

	if (r < 0) {
		fprintf(stderr, "isolab grade: open %s: %s\n", out.tmp, strerror(-r));
		isolab_out_close(&out, false);
		return r;
	}
	r = fn(out.f, g, run);
	r = isolab_out_close(&out, r == 0) ?: r;
	if (r < 0)
		fprintf(stderr, "isolab grade: write %s: %s\n", path, strerror(-r));
	return r;
}

static int console_fn(FILE *f, const struct ht_grade *g, const struct ht_run *run)
{
	(void)run;
	return ht_grade_write_console(f, g);
}

static int report_fn(FILE *f, const struct ht_grade *g, const struct ht_run *run)
{
	(void)g;
	return ht_report_write(&ht_report_json, f, run);
}

int isolab_cmd_grade(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "lessons", required_argument, NULL, 'l' },
		{ "lesson", required_argument, NULL, 'l' },
		{ "vm", no_argument, NULL, 'V' },
		{ "vm-kernel", required_argument, NULL, 'K' },
		{ "rootfs", required_argument, NULL, 'F' },
		{ "report-dir", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'O' },
		{ "junit", required_argument, NULL, 'J' },
		{ "timeout-multiplier", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct grade_opts o = { 0 };
	struct ht_filter filter = { 0 };
	const char *json = NULL, *junit = NULL, *report_dir = NULL, *tracer_path;
	const char *lesson_tracer = NULL;
	_cleanup_free_ char *json_path = NULL, *junit_path = NULL, *run_dir = NULL, *prog = NULL;
	_cleanup_free_ char *no_trace = NULL, *tracer_link = NULL, *runs_dir = NULL;
	_cleanup_close_ int stop_fd = -1;
	_cleanup_free_ size_t *idx = NULL;
	size_t n_idx = 0;
	struct ht_journal *journal = NULL;
	struct ht_grade g = { 0 };
	struct ht_run run;
	bool run_ready = false, lessons_given = false;
	sigset_t stop_signals, saved_mask;
	char run_id[16] = "";
	int lessons[64];
	size_t n_lessons;
	uint64_t t0 = ht_now_ns();
	int opt, r, ret = ISOLAB_EXIT_OK;

	isolab_block_stop_signals(&stop_signals, &saved_mask);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "r:l:o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (ht_set_runtime(optarg) < 0) {
				isolab_usage_error("grade",
						   "bad --runtime '%s': expected a command and "
						   "its arguments",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			o.runtime = optarg;
			break;
		case 'l':
			lessons_given = true;
			if (ht_filter_add_lessons(&filter, optarg) < 0) {
				isolab_usage_error("grade",
						   "bad --lessons '%s' (expected e.g. 1,3-5)",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'V':
			o.vm = true;
			break;
		case 'K':
			if (!isolab_vm_kernel_ok("grade", optarg)) {
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			o.vm_kernel = optarg;
			break;
		case 'F':
			ht_set_rootfs(optarg);
			o.rootfs = optarg;
			break;
		case 'o':
			report_dir = optarg;
			break;
		case 'O':
			json = optarg;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'M': {
			char *end;
			double m = strtod(optarg, &end);

			if (*end || end == optarg || m <= 0) {
				isolab_usage_error("grade", "bad --timeout-multiplier '%s'",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			o.multiplier = optarg;
			break;
		}
		case 'h':
			help();
			goto out;
		default:
			fprintf(stderr, "Try 'isolab grade --help'.\n");
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
	}
	if (optind < argc) {
		isolab_usage_error("grade", "unexpected argument '%s'", argv[optind]);
		ret = ISOLAB_EXIT_USAGE;
		goto out;
	}
	if (!filter.lessons)
		(void)ht_filter_add_lessons(&filter, "1-12");
	n_lessons = lessons_with_tests(&filter, lessons);
	for (int l = 1; l < 64; l++) {
		bool found = false;

		for (size_t i = 0; i < n_lessons; i++)
			found |= lessons[i] == l;
		if ((filter.lessons & (1ULL << l)) && !found && lessons_given) {
			isolab_usage_error("grade", "lesson %d has no tests in this build", l);
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
	}
	if (n_lessons == 0) {
		isolab_usage_error("grade", "no lesson to grade");
		ret = ISOLAB_EXIT_USAGE;
		goto out;
	}
	prog = runtime_prog(ht_runtime_words());

	/* ---- from here on, the host is touched ---- */
	r = ht_journal_open(&journal, run_id);
	if (r < 0) {
		fprintf(stderr, "isolab grade: open the resource journal in %s: %s\n",
			ht_state_dir(), strerror(-r));
		ret = ISOLAB_EXIT_ERROR;
		goto out;
	}
	isolab_reap_dead_runs(journal, "grade", NULL);
	ht_probe_set_journal(ht_journal_fd(journal));
	runs_dir = ht_xasprintf("%s/runs", ht_state_dir());
	run_dir = ht_xasprintf("%s/%s", runs_dir, run_id);
	/* Journaled before it exists: a killed grade's scratch files are reaped. */
	r = ht_journal_append(ht_journal_fd(journal), "tree", run_dir, NULL, NULL);
	if (r < 0 || (mkdir(runs_dir, 0711) < 0 && errno != EEXIST) || mkdir(run_dir, 0700) < 0) {
		fprintf(stderr, "isolab grade: create %s: %s\n", run_dir,
			strerror(r < 0 ? -r : errno));
		ret = ISOLAB_EXIT_ERROR;
		goto out;
	}
	if (report_dir) {
		if (mkdir(report_dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "isolab grade: create report dir %s: %s\n", report_dir,
				strerror(errno));
			ret = ISOLAB_EXIT_ERROR;
			goto out;
		}
		if (!json)
			json = json_path = ht_xasprintf("%s/grade.json", report_dir);
		if (!junit)
			junit = junit_path = ht_xasprintf("%s/junit.xml", report_dir);
	}
	stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);

	ht_run_init(&run, run_id);
	run_ready = true;
	run.tool_version = ht_xstrdup(ISOLAB_VERSION);
	{
		char host[HOST_NAME_MAX + 1] = "";
		struct utsname u;

		gethostname(host, sizeof(host) - 1);
		run.hostname = ht_xstrdup(host);
		if (uname(&u) == 0)
			run.kernel = ht_xstrdup(u.release);
	}
	run.started = isolab_iso_now();
	ht_run_add_fact(&run, "runtime", ht_runtime_words());
	ht_run_add_fact(&run, "grade_mode", o.vm ? "vm" : "host");
	ht_grade_init(&g, ht_runtime_words(), o.vm ? "vm" : "host", lessons, n_lessons);

	struct ht_vm_elsewhere vm = {
		.spec = o.vm_kernel,
		.always = o.vm,
		.journal_fd = ht_journal_fd(journal),
		.log = stderr,
		.runtime_words = o.runtime || getenv("ISOLAB_RUNTIME") ? ht_runtime_words() : NULL,
		.rootfs = o.rootfs || getenv("ISOLAB_ROOTFS") ? ht_rootfs() : NULL,
	};
	if (o.vm) {
		/* Placeholders the VM fills: nothing of the runtime runs here. */
		const struct ht_test **tests = NULL;
		size_t n = ht_registry_select(&filter, &tests);

		idx = ht_xcalloc(n ? n : 1, sizeof(*idx));
		for (size_t i = 0; i < n; i++) {
			struct ht_result *res;

			if (!tests[i]->lesson || !ht_grade_find(&g, tests[i]->lesson))
				continue;
			res = ht_run_add_result(&run, tests[i]);
			res->outcome = HT_SKIP;
			res->reason = ht_xstrdup("not run on the host: isolab grade --vm");
			idx[n_idx++] = run.n_results - 1;
		}
		free(tests);
		for (size_t i = 0; i < g.n_lessons; i++)
			ht_grade_set_unknown(&g.lessons[i],
					     "--vm: the runtime ran only inside the VM, which has "
					     "no tracer");
	} else {
		tracer_path = GRADE_TRACER;
		lesson_tracer = getenv("ISOLAB_TRACER");
		if (!lesson_tracer || !*lesson_tracer)
			lesson_tracer = ISOLAB_DEFAULT_RUNTIME;
		no_trace = trace_unavailable(tracer_path);
		/*
		 * The tracing suite runs its tracer itself. When that is the
		 * grade's own, it runs under a name of its own so that its
		 * processes are never mistaken for the runtime's, even when the
		 * runtime graded is the reference contain; any other (a
		 * learner's `trace`) is left as the tests would find it.
		 */
		tracer_link = ht_xasprintf("%s/tracer", run_dir);
		if (!no_trace && symlink(tracer_path, tracer_link) < 0)
			no_trace = ht_xasprintf("link the tracer: %s", strerror(errno));
		lesson_tracer = strcmp(lesson_tracer, tracer_path) == 0 ? tracer_link : NULL;
		if (!prog && !no_trace)
			no_trace = ht_xstrdup("the runtime's program is unknown");
		if (no_trace)
			fprintf(stderr, "isolab grade: shell-outs cannot be traced: %s\n",
				no_trace);
		for (size_t i = 0; i < g.n_lessons; i++) {
			struct ht_grade_lesson *l = &g.lessons[i];
			_cleanup_free_ char *cause = NULL;
			const struct timespec now = { 0 };
			int sig = sigtimedwait(&stop_signals, NULL, &now);

			if (sig > 0) {
				ret = ISOLAB_EXIT_SIGNAL_BASE + sig;
				goto out;
			}
			fprintf(stderr, "isolab grade: lesson %d (%s) on this host%s\n", l->lesson,
				l->title, no_trace ? "" : ", traced");
			r = grade_on_host(&run, l, run_dir, report_dir ? report_dir : run_dir,
					  no_trace ? NULL : tracer_path, lesson_tracer, prog, &o,
					  &cause);
			if (r < 0) {
				fprintf(stderr, "isolab grade: %s\n", cause);
				ret = ISOLAB_EXIT_ERROR;
				goto out;
			}
			if (no_trace)
				ht_grade_set_unknown(l, no_trace);
		}
		idx = ht_xcalloc(run.n_results ? run.n_results : 1, sizeof(*idx));
		for (size_t i = 0; i < run.n_results; i++)
			if (run.results[i].outcome == HT_SKIP && needs_fail(run.results[i].test))
				idx[n_idx++] = i;
	}
	if (n_idx) {
		char sigbuf[sizeof(struct signalfd_siginfo)];

		ht_vm_elsewhere(&vm, &run, idx, n_idx, stop_fd);
		if (stop_fd >= 0 && read(stop_fd, sigbuf, sizeof(sigbuf)) == sizeof(sigbuf)) {
			ret = ISOLAB_EXIT_SIGNAL_BASE +
			      (int)((struct signalfd_siginfo *)sigbuf)->ssi_signo;
			goto out;
		}
	}
	run.duration_s = (double)(ht_now_ns() - t0) / 1e9;

	ht_grade_score(&g, &run);
	for (size_t i = 0; i < g.n_lessons; i++) {
		struct ht_grade_lesson *l = &g.lessons[i];

		if (!o.vm && !l->traced && l->where && !strstr(l->where, "host"))
			ht_grade_set_unknown(l, "its tests ran in a VM, which has no tracer");
	}

	ht_grade_write_console(stdout, &g);
	fflush(stdout);
	if (json && write_file(json, ht_grade_write_json, &g, &run) < 0)
		ret = ISOLAB_EXIT_ERROR;
	if (junit && write_file(junit, ht_grade_write_junit, &g, &run) < 0)
		ret = ISOLAB_EXIT_ERROR;
	if (report_dir) {
		_cleanup_free_ char *full = ht_xasprintf("%s/report.json", report_dir);
		_cleanup_free_ char *console = ht_xasprintf("%s/console.txt", report_dir);

		if (write_file(full, report_fn, &g, &run) < 0 ||
		    write_file(console, console_fn, &g, &run) < 0)
			ret = ISOLAB_EXIT_ERROR;
	}
	if (ret == ISOLAB_EXIT_OK)
		ret = (int)ht_grade_exit_code(&g);
out:
	ht_grade_done(&g);
	if (run_ready)
		ht_run_done(&run);
	if (journal)
		ht_journal_close(journal, stderr);
	ht_filter_done(&filter);
	{
		const struct timespec now = { 0 };
		int sig = sigtimedwait(&stop_signals, NULL, &now);

		if (sig > 0 && ret < ISOLAB_EXIT_SIGNAL_BASE)
			ret = ISOLAB_EXIT_SIGNAL_BASE + sig;
	}
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return ret;
}
