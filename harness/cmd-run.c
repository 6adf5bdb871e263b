// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab run: select tests, reap what dead runs left, run, write reports.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "ht-journal.h"
#include "ht-proc.h"
#include "ht-registry.h"
#include "ht-report.h"
#include "ht-runner.h"
#include "ht-util.h"
#include "ht-vm.h"
#include "isolab-cli.h"

static void help(void)
{
	printf("usage: isolab run [OPTIONS] [GLOB...]\n"
	       "\n"
	       "Run the selected tests, each in its own process tree with a deadline.\n"
	       "Tests the host cannot support are skipped with the failing probe's reason.\n"
	       "\n" ISOLAB_FILTER_HELP
	       "  -j, --jobs N         run N tests at once (default 1; 0 = one per CPU)\n"
	       "      --tap            TAP 13 on stdout (what meson test reads); the human\n"
	       "                       view goes to stderr\n"
	       "      --junit FILE     write JUnit XML to FILE\n"
	       "      --json FILE      write the JSON report (schema: reports/) to FILE\n"
	       "  -o, --report-dir DIR write DIR/junit.xml, DIR/report.json, DIR/console.txt\n"
	       "                       and DIR/report.html\n"
	       "      --stream-fd FD   write one JSON object per line to FD as tests start\n"
	       "                       and end (what `isolab vm`'s guest init reads)\n"
	       "      --runtime WORDS  the runtime under test as a command line, e.g.\n"
	       "                       \"contain\", \"/path/to/mine --debug\" (default: the\n"
	       "                       contain built here; also $ISOLAB_RUNTIME)\n"
	       "      --rootfs DIR     the test rootfs (default: the one built here;\n"
	       "                       also $ISOLAB_ROOTFS)\n"
	       "      --vm auto|never|always\n"
	       "                       auto: tests this host must skip for a missing kernel\n"
	       "                       feature run again in a fresh VM (when qemu is\n"
	       "                       installed; the report marks them vm:<kernel>);\n"
	       "                       always: every test runs in the VM (default never)\n"
	       "      --vm-kernel SPEC the VM's kernel (default debian:6.1; see isolab vm)\n"
	       "      --timeout-multiplier X\n"
	       "                       scale every test's deadline (also from\n"
	       "                       ISOLAB_TIMEOUT_MULTIPLIER; for valgrind)\n"
	       "  -h, --help           this text\n"
	       "\n"
	       "Exit: 0 nothing failed, 1 a test failed/broke/timed out, 2 bad usage,\n"
	       "3 harness error; with --tap, 0 whenever the TAP stream is complete and\n"
	       "99 (after \"Bail out!\") when the harness broke; 128+N after signal N.\n");
}

/*
 * The harness itself cannot go on: say so once, in TAP too when asked
 * (after the header, if the TAP reporter has not printed it yet).
 */
static int bail(bool tap, bool tap_started, char *msg)
{
	if (tap) {
		printf("%sBail out! %s\n", tap_started ? "" : "TAP version 13\n", msg);
		fflush(stdout);
	}
	fprintf(stderr, "isolab run: %s\n", msg);
	free(msg);
	return tap ? ISOLAB_EXIT_BAIL : ISOLAB_EXIT_ERROR;
}

int isolab_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = { ISOLAB_FILTER_LONGOPTS,
					      { "jobs", required_argument, NULL, 'j' },
					      { "tap", no_argument, NULL, 'T' },
					      { "junit", required_argument, NULL, 'J' },
					      { "json", required_argument, NULL, 'O' },
					      { "report-dir", required_argument, NULL, 'o' },
					      { "stream-fd", required_argument, NULL, 'E' },
					      { "vm", required_argument, NULL, 'V' },
					      { "vm-kernel", required_argument, NULL, 'K' },
					      { "timeout-multiplier", required_argument, NULL,
						'M' },
					      { "runtime", required_argument, NULL, 'R' },
					      { "rootfs", required_argument, NULL, 'F' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	sigset_t stop_signals, saved_mask;
	struct ht_filter filter = { 0 };
	const char *junit = NULL, *json = NULL, *report_dir = NULL, *env;
	_cleanup_free_ char *junit_path = NULL, *json_path = NULL, *console_path = NULL;
	struct isolab_out outs[3] = { 0 };
	struct ht_reporter reps[5] = { 0 };
	FILE *stream = NULL;
	struct ht_vm_elsewhere vm = { .log = stderr };
	bool use_vm = false, runtime_set = false, rootfs_set = false;
	struct ht_run_opts ropts = { .jobs = 1, .timeout_multiplier = 1.0 };
	struct ht_journal *journal = NULL;
	const struct ht_test **tests = NULL;
	char run_id[16] = "";
	struct ht_run run;
	bool tap = false;
	size_t n, n_reps = 0;
	int opt, r, ret;
	unsigned reaped_journals = 0;

	/*
	 * Held blocked until the reports and the journal are finished: the
	 * runner reads them from a signalfd, and one that arrives after the
	 * last test must not kill isolab halfway through writing reports.
	 */
	isolab_block_stop_signals(&stop_signals, &saved_mask);

	env = getenv("ISOLAB_TIMEOUT_MULTIPLIER");
	if (env && *env)
		ropts.timeout_multiplier = strtod(env, NULL);
	optind = 1;
	while ((opt = getopt_long(argc, argv, ISOLAB_FILTER_SHORTOPTS "j:o:h", opts, NULL)) != -1) {
		char *end;
		long v;

		r = isolab_filter_option(&filter, opt, optarg);
		if (r < 0) {
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
		if (r > 0)
			continue;
		switch (opt) {
		case 'j':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > 256) {
				isolab_usage_error("run", "bad --jobs '%s' (0..256)", optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			ropts.jobs = v ? (unsigned)v : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
			break;
		case 'T':
			tap = true;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'O':
			json = optarg;
			break;
		case 'o':
			report_dir = optarg;
			break;
		case 'V':
			if (strcmp(optarg, "auto") == 0 || strcmp(optarg, "always") == 0) {
				use_vm = true;
				vm.always = strcmp(optarg, "always") == 0;
			} else if (strcmp(optarg, "never") == 0) {
				use_vm = false;
			} else {
				isolab_usage_error("run", "bad --vm '%s' (auto, never or always)",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'K':
			if (!isolab_vm_kernel_ok("run", optarg)) {
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			vm.spec = optarg;
			break;
		case 'E':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > INT_MAX ||
			    fcntl((int)v, F_GETFD) < 0) {
				isolab_usage_error("run", "bad --stream-fd '%s': not an open fd",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			/* The stream must not leak into the tests' processes. */
			(void)fcntl((int)v, F_SETFD, FD_CLOEXEC);
			stream = fdopen((int)v, "w");
			if (!stream) {
				ret = bail(tap, false,
					   ht_xasprintf("--stream-fd %ld: %s", v, strerror(errno)));
				goto out;
			}
			break;
		case 'M':
			ropts.timeout_multiplier = strtod(optarg, &end);
			if (*end || end == optarg || ropts.timeout_multiplier <= 0) {
				isolab_usage_error("run", "bad --timeout-multiplier '%s'", optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'R':
			runtime_set = true;
			if (ht_set_runtime(optarg) < 0) {
				isolab_usage_error("run",
						   "bad --runtime '%s': expected a command and "
						   "its arguments, e.g. \"contain\" or \"runc\"",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'F':
			rootfs_set = true;
			ht_set_rootfs(optarg);
			break;
		case 'h':
			help();
			ret = ISOLAB_EXIT_OK;
			goto out;
		default:
			fprintf(stderr, "Try 'isolab run --help'.\n");
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
	}
	if (ropts.timeout_multiplier <= 0)
		ropts.timeout_multiplier = 1.0;
	for (int i = optind; i < argc; i++)
		ht_filter_add_glob(&filter, argv[i]);

	if (ht_registry_duplicate()) {
		ret = bail(tap, false,
			   ht_xasprintf("two tests are named %s", ht_registry_duplicate()));
		goto out;
	}
	n = ht_registry_select(&filter, &tests);
	/* A mistyped name must not turn into a green, empty run. */
	if (n == 0 && filter.n_globs > 0) {
		isolab_usage_error("run", "no test matches the given names (see 'isolab list')");
		ret = ISOLAB_EXIT_USAGE;
		goto out;
	}

	r = ht_journal_open(&journal, run_id);
	if (r < 0) {
		ret = bail(tap, false,
			   ht_xasprintf("open the resource journal in %s: %s", ht_state_dir(),
					strerror(-r)));
		goto out;
	}
	isolab_reap_dead_runs(journal, "run", &reaped_journals);

	if (report_dir) {
		if (mkdir(report_dir, 0755) < 0 && errno != EEXIST) {
			ret = bail(tap, false,
				   ht_xasprintf("create report dir %s: %s", report_dir,
						strerror(errno)));
			goto out;
		}
		if (!junit)
			junit = junit_path = ht_xasprintf("%s/junit.xml", report_dir);
		if (!json)
			json = json_path = ht_xasprintf("%s/report.json", report_dir);
		console_path = ht_xasprintf("%s/console.txt", report_dir);
	}
	if (tap)
		reps[n_reps++] = (struct ht_reporter){ .ops = &ht_report_tap, .out = stdout };
	if (stream)
		reps[n_reps++] = (struct ht_reporter){ .ops = &ht_report_stream, .out = stream };
	reps[n_reps++] =
		(struct ht_reporter){ .ops = &ht_report_console, .out = tap ? stderr : stdout };
	const char *paths[3] = { junit, json, console_path };
	const struct ht_reporter_ops *file_ops[3] = { &ht_report_junit, &ht_report_json,
						      &ht_report_console };
	for (int i = 0; i < 3; i++) {
		if (!paths[i])
			continue;
		r = isolab_out_open(&outs[i], paths[i]);
		if (r < 0) {
			ret = bail(tap, false,
				   ht_xasprintf("open %s: %s", outs[i].tmp, strerror(-r)));
			goto out;
		}
		reps[n_reps++] = (struct ht_reporter){ .ops = file_ops[i], .out = outs[i].f };
	}
	ropts.reporters = reps;
	ropts.n_reporters = n_reps;
	if (use_vm) {
		vm.journal_fd = ht_journal_fd(journal);
		vm.runtime_words =
			getenv("ISOLAB_RUNTIME") || runtime_set ? ht_runtime_words() : NULL;
		vm.rootfs = getenv("ISOLAB_ROOTFS") || rootfs_set ? ht_rootfs() : NULL;
		ropts.elsewhere = ht_vm_elsewhere;
		ropts.elsewhere_ctx = &vm;
		ropts.all_elsewhere = vm.always;
	}

	ht_run_init(&run, run_id);
	run.tool_version = ht_xstrdup(ISOLAB_VERSION);
	{
		char host[HOST_NAME_MAX + 1] = "";

		gethostname(host, sizeof(host) - 1);
		run.hostname = ht_xstrdup(host);
	}
	run.started = isolab_iso_now();
	ht_run_add_fact(&run, "runtime", ht_runtime_words());
	if (reaped_journals) {
		_cleanup_free_ char *v = ht_xasprintf("%u", reaped_journals);

		ht_run_add_fact(&run, "reaped_dead_runs", v);
	}

	r = ht_runner_run(&run, tests, n, &ropts, journal);
	fflush(stdout);
	if (r < 0) {
		ret = bail(tap, true, ht_xasprintf("runner failed: %s", strerror(-r)));
	} else if (run.interrupted_by) {
		ret = ISOLAB_EXIT_SIGNAL_BASE + run.interrupted_by;
	} else {
		size_t counts[HT_OUTCOME_MAX];

		ht_run_count(&run, counts);
		ret = ISOLAB_EXIT_OK;
		if (!tap && (counts[HT_FAIL] || counts[HT_BROKEN] || counts[HT_TIMEOUT]))
			ret = ISOLAB_EXIT_FAILED;
	}
	for (int i = 0; i < 3; i++)
		if (isolab_out_close(&outs[i], r == 0) < 0 && ret == ISOLAB_EXIT_OK)
			ret = ISOLAB_EXIT_ERROR;
	/* The same report as one static page, as `isolab report html` makes it. */
	if (report_dir && json && r == 0) {
		_cleanup_free_ char *html = ht_xasprintf("%s/report.html", report_dir);

		if (isolab_report_html(&json, 1, html) != ISOLAB_EXIT_OK && ret == ISOLAB_EXIT_OK)
			ret = ISOLAB_EXIT_ERROR;
	}
	ht_run_done(&run);
out:
	for (int i = 0; i < 3; i++)
		isolab_out_close(&outs[i], false);
	if (journal)
		ht_journal_close(journal, stderr);
	free(tests);
	if (stream)
		fclose(stream);
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
