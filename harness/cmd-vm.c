// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab vm: run `isolab run` inside fresh VMs, one per kernel, and merge
 * their results into one matrix (kernels x behaviours).
 */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ht-journal.h"
#include "ht-proc.h"
#include "ht-registry.h"
#include "ht-report.h"
#include "ht-util.h"
#include "ht-vm.h"
#include "isolab-cli.h"

#define MAX_KERNELS 16

static void help(void)
{
	printf("usage: isolab vm [OPTIONS] [-- RUN-OPTIONS...]\n"
	       "\n"
	       "Boot a fresh VM per kernel (qemu; KVM when it works, else TCG), run\n"
	       "`isolab run RUN-OPTIONS` inside it, and merge the results into one matrix.\n"
	       "RUN-OPTIONS are the selection options of `isolab run` (-a, -l, -t,\n"
	       "--selftest) and -j, --timeout-multiplier, --runtime, --rootfs.\n"
	       "\n"
	       "  -k, --kernel SPEC     debian:6.1 (default), debian:6.12, or path:FILE with\n"
	       "                        --modules; repeat for a matrix. Debian kernels are\n"
	       "                        downloaded once into ~/.cache/isolab\n"
	       "      --modules DIR     the modules directory of a path: kernel\n"
	       "      --smp N           virtual CPUs (default 1: TCG is flaky with more)\n"
	       "      --mem SIZE        guest memory, e.g. 1G, 768M (default 1G)\n"
	       "  -j, --jobs N          VMs at once (default: one per host CPU, over --smp)\n"
	       "      --accel auto|kvm|tcg   (default auto: KVM when /dev/kvm works)\n"
	       "      --boot auto|pvh|bzimage\n"
	       "                        pvh boots the uncompressed vmlinux (fastest under TCG);\n"
	       "                        auto uses it when the kernel has a PVH entry\n"
	       "      --append ARGS     extra kernel command line\n"
	       "      --boot-timeout S  seconds until the guest init says hello (default\n"
	       "                        120 under TCG, 30 under KVM)\n"
	       "      --hang-timeout S  seconds of heartbeat silence that mean HANG (default 30)\n"
	       "  -o, --report-dir DIR  write DIR/junit.xml, DIR/report.json, DIR/console.txt\n"
	       "                        and DIR/report.html\n"
	       "      --junit FILE      JUnit XML: one testsuite per kernel\n"
	       "      --json FILE       the JSON report, with a \"vms\" entry per kernel\n"
	       "      --keep DIR        keep each VM's console.log and qemu.log in DIR/<kernel>/\n"
	       "      --fetch-only      download and unpack the kernels, then stop\n"
	       "      --fault panic|hang\n"
	       "                        make the guest panic or stop its heartbeat (to test\n"
	       "                        the supervisor's classification)\n"
	       "  -h, --help            this text\n"
	       "\n"
	       "Each VM ends as RESULTS, SPLAT (kernel taint), KERNEL_PANIC, BOOT_TIMEOUT,\n"
	       "HANG (no heartbeat) or INFRA (qemu failed; retried once); the matrix goes on.\n"
	       "\n"
	       "Exit: 0 every VM returned results and nothing failed, 1 a test failed or a\n"
	       "VM did not end as RESULTS, 2 bad usage, 3 harness error (no qemu, kernel\n"
	       "download failed), 128+N after signal N.\n");
}

static int parse_size_mb(const char *s, unsigned *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'G':
	case 'g':
		v *= 1024;
		end++;
		break;
	case 'M':
	case 'm':
	case '\0':
		end += *end ? 1 : 0;
		break;
	case 'K':
	case 'k':
		v /= 1024;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v < 128 || v > 64 * 1024)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *s, double *ret)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 86400)
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * Check the options meant for the guest's `isolab run` and compute, from the
 * same selection, the tests the guest will run: those that never report are
 * marked as not run. Returns 0 or ISOLAB_EXIT_USAGE.
 */
static int parse_run_args(int argc, char **argv, struct ht_vm_opts *o, struct ht_filter *filter)
{
	static const struct option opts[] = { ISOLAB_FILTER_LONGOPTS,
					      { "jobs", required_argument, NULL, 'j' },
					      { "timeout-multiplier", required_argument, NULL,
						'M' },
					      { "runtime", required_argument, NULL, 'R' },
					      { "rootfs", required_argument, NULL, 'F' },
					      {} };
	_cleanup_free_ char **args = ht_xcalloc((size_t)argc + 2, sizeof(char *));
	int opt;

	/* getopt permutes: work on a copy so the guest gets the words as given. */
	args[0] = (char *)"isolab vm --";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc + 1, args, "+" ISOLAB_FILTER_SHORTOPTS "j:", opts, NULL)) !=
	       -1) {
		int r = isolab_filter_option(filter, opt, optarg);
		char *end;

		if (r < 0)
			return ISOLAB_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case 'j':
			o->guest_jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o->guest_jobs == 0 || o->guest_jobs > 64) {
				isolab_usage_error("vm", "bad -j '%s' for the guest (1..64)",
						   optarg);
				return ISOLAB_EXIT_USAGE;
			}
			break;
		case 'M':
			if (parse_seconds(optarg, &o->timeout_multiplier) < 0) {
				isolab_usage_error("vm", "bad --timeout-multiplier '%s'", optarg);
				return ISOLAB_EXIT_USAGE;
			}
			break;
		case 'R':
			o->runtime_words = optarg;
			break;
		case 'F':
			/* It is copied into the guest's initramfs: not the whole host. */
			if (strcmp(optarg, "/") == 0) {
				isolab_usage_error("vm",
						   "--rootfs / would copy the whole host into "
						   "the VM");
				return ISOLAB_EXIT_USAGE;
			}
			o->rootfs = optarg;
			break;
		default:
			isolab_usage_error("vm",
					   "'%s' is not an option the guest's `isolab run` takes "
					   "here (selection options, -j, --timeout-multiplier, "
					   "--runtime, --rootfs); reports are written on the host",
					   args[optind - 1]);
			return ISOLAB_EXIT_USAGE;
		}
	}
	opterr = 1;
	for (int i = optind; i < argc + 1; i++)
		ht_filter_add_glob(filter, args[i]);
	return 0;
}

struct vm_job {
	struct ht_vm_kernel kernel;
	struct ht_vm_opts opts;
	struct ht_run run; /* this VM's results, merged into the main run at the end */
	char *work_dir;
	char *err;
	int r;
	char **args;
	size_t n_args;
	const struct ht_test *const *planned;
	size_t n_planned;
	int journal_fd;
};

struct vm_queue {
	pthread_mutex_t lock;
	struct vm_job *jobs;
	size_t n, next;
	int stop_fd; /* readable: start no more VMs */
};

static void *vm_worker(void *arg)
{
	struct vm_queue *q = arg;

	for (;;) {
		struct vm_job *j;

		struct pollfd p = { .fd = q->stop_fd, .events = POLLIN };

		pthread_mutex_lock(&q->lock);
		j = q->next < q->n ? &q->jobs[q->next++] : NULL;
		pthread_mutex_unlock(&q->lock);
		if (!j)
			return NULL;
		if (poll(&p, 1, 0) > 0) {
			j->r = -EINTR;
			j->err = ht_xstrdup("not started: stopped by a signal");
			continue;
		}
		j->r = ht_vm_run(&j->kernel, &j->opts, j->args, j->n_args, j->planned, j->n_planned,
				 &j->run, j->journal_fd, &j->err);
	}
}

/*
 * Copy a VM's logs (and those of an attempt that was retried) out of its
 * journaled work dir before that is removed.
 */
static void keep_logs(const char *keep_dir, const struct vm_job *j)
{
	static const char *const names[] = { "console.log", "qemu.log", "console-1.log",
					     "qemu-1.log" };
	_cleanup_free_ char *dir = ht_xasprintf("%s/%s", keep_dir, j->kernel.label);

	if ((mkdir(keep_dir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		fprintf(stderr, "isolab vm: --keep %s: %s\n", dir, strerror(errno));
		return;
	}
	for (size_t i = 0; i < HT_ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *from = ht_xasprintf("%s/%s", j->work_dir, names[i]);
		_cleanup_free_ char *to = ht_xasprintf("%s/%s", dir, names[i]);
		_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
		_cleanup_free_ char *data = NULL;
		size_t len = 0;

		if (in < 0)
			continue;
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0 || ht_read_fd(in, &data, &len) < 0 || ht_write_all(out, data, len) < 0)
			fprintf(stderr, "isolab vm: --keep %s: %s\n", to, strerror(errno));
	}
}

int isolab_cmd_vm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "modules", required_argument, NULL, 'm' },
		{ "smp", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'M' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "accel", required_argument, NULL, 'A' },
		{ "boot", required_argument, NULL, 'B' },
		{ "append", required_argument, NULL, 'a' },
		{ "boot-timeout", required_argument, NULL, 'T' },
		{ "hang-timeout", required_argument, NULL, 'H' },
		{ "report-dir", required_argument, NULL, 'o' },
		{ "junit", required_argument, NULL, 'J' },
		{ "json", required_argument, NULL, 'O' },
		{ "keep", required_argument, NULL, 'K' },
		{ "fetch-only", no_argument, NULL, 'f' },
		{ "fault", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *specs[MAX_KERNELS], *modules = NULL, *report_dir = NULL, *junit = NULL,
					*json = NULL, *keep = NULL;
	_cleanup_free_ char *junit_path = NULL, *json_path = NULL, *console_path = NULL;
	_cleanup_free_ char *runs_dir = NULL, *run_dir = NULL;
	struct ht_vm_opts base = { .stop_fd = -1, .verdict_result = true, .log = stderr };
	struct ht_filter filter = { 0 };
	struct isolab_out outs[3] = { 0 };
	struct vm_job *jobs = NULL;
	struct ht_journal *journal = NULL;
	const struct ht_test **planned = NULL;
	struct vm_queue q = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t threads[MAX_KERNELS];
	sigset_t stop_signals, saved_mask;
	size_t n_specs = 0, n_planned = 0;
	unsigned n_jobs = 0, started = 0;
	char run_id[16] = "";
	struct ht_run run;
	bool fetch_only = false, run_inited = false;
	int opt, r, ret = ISOLAB_EXIT_OK, stop_fd = -1, dashdash;

	isolab_block_stop_signals(&stop_signals, &saved_mask);

	/* Everything after "--" belongs to the guest's `isolab run`. */
	for (dashdash = 1; dashdash < argc && strcmp(argv[dashdash], "--") != 0; dashdash++)
		;
	optind = 1;
	while ((opt = getopt_long(dashdash, argv, "k:j:o:h", opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'k':
			if (n_specs == MAX_KERNELS) {
				isolab_usage_error("vm", "at most %d kernels", MAX_KERNELS);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			specs[n_specs++] = optarg;
			break;
		case 'm':
			modules = optarg;
			break;
		case 'c':
			base.smp = (unsigned)strtoul(optarg, &end, 10);
			if (*end || base.smp == 0 || base.smp > 64) {
				isolab_usage_error("vm", "bad --smp '%s' (1..64)", optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'M':
			if (parse_size_mb(optarg, &base.mem_mb) < 0) {
				isolab_usage_error("vm",
						   "bad --mem '%s' (128M..64G, e.g. 1G or 768M)",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'j':
			n_jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || n_jobs == 0 || n_jobs > MAX_KERNELS) {
				isolab_usage_error("vm", "bad --jobs '%s' (1..%d)", optarg,
						   MAX_KERNELS);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'A':
			if (strcmp(optarg, "auto") == 0)
				base.accel = HT_VM_ACCEL_AUTO;
			else if (strcmp(optarg, "kvm") == 0)
				base.accel = HT_VM_ACCEL_KVM;
			else if (strcmp(optarg, "tcg") == 0)
				base.accel = HT_VM_ACCEL_TCG;
			else {
				isolab_usage_error("vm", "bad --accel '%s' (auto, kvm or tcg)",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'B':
			if (strcmp(optarg, "auto") == 0)
				base.boot = HT_VM_BOOT_AUTO;
			else if (strcmp(optarg, "pvh") == 0)
				base.boot = HT_VM_BOOT_PVH;
			else if (strcmp(optarg, "bzimage") == 0)
				base.boot = HT_VM_BOOT_BZIMAGE;
			else {
				isolab_usage_error("vm", "bad --boot '%s' (auto, pvh or bzimage)",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'a':
			base.append = optarg;
			break;
		case 'T':
		case 'H':
			if (parse_seconds(optarg, opt == 'T' ? &base.boot_timeout_s :
							       &base.hang_timeout_s) < 0) {
				isolab_usage_error("vm", "bad --%s-timeout '%s' (seconds)",
						   opt == 'T' ? "boot" : "hang", optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			break;
		case 'o':
			report_dir = optarg;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'O':
			json = optarg;
			break;
		case 'K':
			keep = optarg;
			break;
		case 'f':
			fetch_only = true;
			break;
		case 'F':
			if (strcmp(optarg, "panic") != 0 && strcmp(optarg, "hang") != 0) {
				isolab_usage_error("vm", "bad --fault '%s' (panic or hang)",
						   optarg);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			base.fault = optarg;
			break;
		case 'h':
			help();
			goto out;
		default:
			fprintf(stderr, "Try 'isolab vm --help'.\n");
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
	}
	if (optind < dashdash) {
		isolab_usage_error("vm", "unexpected '%s': options for `isolab run` go after '--'",
				   argv[optind]);
		ret = ISOLAB_EXIT_USAGE;
		goto out;
	}
	if (n_specs == 0)
		specs[n_specs++] = "debian:6.1";
	{
		int gargc = dashdash < argc ? argc - dashdash - 1 : 0;
		char **gargv = argv + dashdash + (dashdash < argc ? 1 : 0);

		ret = parse_run_args(gargc, gargv, &base, &filter);
		if (ret)
			goto out;
		n_planned = ht_registry_select(&filter, &planned);
		if (n_planned == 0 && filter.n_globs > 0) {
			isolab_usage_error("vm",
					   "no test matches the given names (see 'isolab list')");
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
		jobs = ht_xcalloc(n_specs, sizeof(*jobs));
		for (size_t i = 0; i < n_specs; i++) {
			_cleanup_free_ char *err = NULL;

			if (ht_vm_kernel_parse(specs[i], modules, &jobs[i].kernel, &err) < 0) {
				isolab_usage_error("vm", "%s", err);
				ret = ISOLAB_EXIT_USAGE;
				goto out;
			}
			for (size_t k = 0; k < i; k++)
				if (strcmp(jobs[k].kernel.label, jobs[i].kernel.label) == 0) {
					isolab_usage_error("vm", "kernel %s given twice",
							   jobs[i].kernel.label);
					ret = ISOLAB_EXIT_USAGE;
					goto out;
				}
			jobs[i].args = gargv;
			jobs[i].n_args = (size_t)gargc;
		}
	}
	if (!fetch_only && !ht_vm_qemu()) {
		fprintf(stderr, "isolab vm: qemu-system-x86_64 not found: install qemu-system-x86 "
				"(ci/setup does), or set ISOLAB_QEMU\n");
		ret = ISOLAB_EXIT_ERROR;
		goto out;
	}

	/* Before the fetch, which may take minutes: Ctrl-C stops between steps. */
	stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (stop_fd < 0) {
		fprintf(stderr, "isolab vm: signalfd: %s\n", strerror(errno));
		ret = ISOLAB_EXIT_ERROR;
		goto out;
	}
	/* Fetch first, one at a time: they share the cache and its lock. */
	for (size_t i = 0; i < n_specs; i++) {
		_cleanup_free_ char *err = NULL;
		struct signalfd_siginfo ssi;

		if (read(stop_fd, &ssi, sizeof(ssi)) == sizeof(ssi)) {
			ret = ISOLAB_EXIT_SIGNAL_BASE + (int)ssi.ssi_signo;
			goto out;
		}

		if (ht_vm_kernel_fetch(&jobs[i].kernel, stderr, &err) < 0) {
			fprintf(stderr, "isolab vm: %s: %s\n", specs[i],
				err ? err : "fetch failed");
			ret = ISOLAB_EXIT_ERROR;
			goto out;
		}
		if (fetch_only)
			printf("%s\t%s\t%s\t%s\n", jobs[i].kernel.spec, jobs[i].kernel.release,
			       jobs[i].kernel.vmlinux ? jobs[i].kernel.vmlinux : "-",
			       jobs[i].kernel.bzimage);
	}
	if (fetch_only)
		goto out;

	r = ht_journal_open(&journal, run_id);
	if (r < 0) {
		fprintf(stderr, "isolab vm: open the resource journal in %s: %s\n", ht_state_dir(),
			strerror(-r));
		ret = ISOLAB_EXIT_ERROR;
		goto out;
	}
	isolab_reap_dead_runs(journal, "vm", NULL);
	runs_dir = ht_xasprintf("%s/runs", ht_state_dir());
	run_dir = ht_xasprintf("%s/%s", runs_dir, run_id);
	/* Journaled before it exists: a killed run's initrds and sockets are reaped. */
	r = ht_journal_append(ht_journal_fd(journal), "tree", run_dir, NULL, NULL);
	if (r < 0 || (mkdir(runs_dir, 0711) < 0 && errno != EEXIST) || mkdir(run_dir, 0700) < 0) {
		fprintf(stderr, "isolab vm: create %s: %s\n", run_dir,
			strerror(r < 0 ? -r : errno));
		ret = ISOLAB_EXIT_ERROR;
		goto out;
	}

	if (report_dir) {
		if (mkdir(report_dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "isolab vm: create report dir %s: %s\n", report_dir,
				strerror(errno));
			ret = ISOLAB_EXIT_ERROR;
			goto out;
		}
		if (!junit)
			junit = junit_path = ht_xasprintf("%s/junit.xml", report_dir);
		if (!json)
			json = json_path = ht_xasprintf("%s/report.json", report_dir);
		console_path = ht_xasprintf("%s/console.txt", report_dir);
	}
	{
		const char *paths[3] = { junit, json, console_path };

		for (int i = 0; i < 3; i++)
			if (paths[i] && isolab_out_open(&outs[i], paths[i]) < 0) {
				fprintf(stderr, "isolab vm: open %s: %s\n", outs[i].tmp,
					strerror(errno));
				ret = ISOLAB_EXIT_ERROR;
				goto out;
			}
	}

	ht_run_init(&run, run_id);
	run_inited = true;
	run.tool_version = ht_xstrdup(ISOLAB_VERSION);
	{
		char host[256] = "";

		gethostname(host, sizeof(host) - 1);
		run.hostname = ht_xstrdup(host);
	}
	run.started = isolab_iso_now();
	ht_run_add_fact(&run, "runtime",
			base.runtime_words ? base.runtime_words : ht_runtime_words());
	base.stop_fd = stop_fd;
	for (size_t i = 0; i < n_specs; i++) {
		struct vm_job *j = &jobs[i];

		j->opts = base;
		j->planned = planned;
		j->n_planned = n_planned;
		j->journal_fd = ht_journal_fd(journal);
		j->work_dir = ht_xasprintf("%s/vm-%zu", run_dir, i);
		j->opts.work_dir = j->work_dir;
		ht_run_init(&j->run, run_id);
		if (mkdir(j->work_dir, 0700) < 0) {
			fprintf(stderr, "isolab vm: create %s: %s\n", j->work_dir, strerror(errno));
			ret = ISOLAB_EXIT_ERROR;
			goto out;
		}
	}
	if (!n_jobs) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		/* A single-vCPU TCG guest keeps about one host CPU busy. */
		n_jobs = cpus > 1 ? (unsigned)cpus / (base.smp ? base.smp : 1) : 1;
		if (n_jobs == 0)
			n_jobs = 1;
	}
	if (n_jobs > n_specs)
		n_jobs = (unsigned)n_specs;
	{
		uint64_t t0 = ht_now_ns();

		q.jobs = jobs;
		q.n = n_specs;
		q.stop_fd = stop_fd;
		for (unsigned i = 0; i < n_jobs; i++)
			if (pthread_create(&threads[started], NULL, vm_worker, &q) == 0)
				started++;
		if (started == 0)
			vm_worker(&q);
		for (unsigned i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
		run.duration_s = (double)(ht_now_ns() - t0) / 1e9;
	}

	for (size_t i = 0; i < n_specs; i++) {
		struct vm_job *j = &jobs[i];

		if (j->r < 0) {
			fprintf(stderr, "isolab vm: %s: %s\n", j->kernel.label,
				j->err ? j->err : strerror(-j->r));
			ret = ISOLAB_EXIT_ERROR;
		}
		if (keep)
			keep_logs(keep, j);
		ht_run_merge(&run, &j->run);
	}
	{
		struct signalfd_siginfo ssi;

		if (stop_fd >= 0 && read(stop_fd, &ssi, sizeof(ssi)) == sizeof(ssi))
			run.interrupted_by = (int)ssi.ssi_signo;
	}

	ht_report_matrix(stdout, &run);
	{
		bool written[3] = {
			!outs[0].f || ht_report_write(&ht_report_junit, outs[0].f, &run) == 0,
			!outs[1].f || ht_report_write(&ht_report_json, outs[1].f, &run) == 0,
			!outs[2].f || ht_report_matrix(outs[2].f, &run) == 0,
		};

		for (int i = 0; i < 3; i++)
			if ((isolab_out_close(&outs[i], written[i]) < 0 || !written[i]) &&
			    ret == ISOLAB_EXIT_OK)
				ret = ISOLAB_EXIT_ERROR;
	}
	/* The same report as one static page, as `isolab report html` makes it. */
	if (report_dir && json && ret != ISOLAB_EXIT_ERROR) {
		_cleanup_free_ char *html = ht_xasprintf("%s/report.html", report_dir);

		if (isolab_report_html(&json, 1, html) != ISOLAB_EXIT_OK && ret == ISOLAB_EXIT_OK)
			ret = ISOLAB_EXIT_ERROR;
	}
	if (ret == ISOLAB_EXIT_OK) {
		size_t counts[HT_OUTCOME_MAX];

		ht_run_count(&run, counts);
		if (counts[HT_FAIL] || counts[HT_BROKEN] || counts[HT_TIMEOUT])
			ret = ISOLAB_EXIT_FAILED;
		for (size_t i = 0; i < run.n_vms; i++)
			if (strcmp(run.vms[i].classification, "RESULTS") != 0)
				ret = ISOLAB_EXIT_FAILED;
	}
	if (run.interrupted_by)
		ret = ISOLAB_EXIT_SIGNAL_BASE + run.interrupted_by;
out:
	for (int i = 0; i < 3; i++)
		isolab_out_close(&outs[i], false);
	for (size_t i = 0; jobs && i < n_specs; i++) {
		ht_vm_kernel_done(&jobs[i].kernel);
		ht_run_done(&jobs[i].run);
		free(jobs[i].work_dir);
		free(jobs[i].err);
	}
	free(jobs);
	if (run_inited)
		ht_run_done(&run);
	/* Closing the journal undoes it: the work dirs and any qemu left. */
	if (journal)
		ht_journal_close(journal, stderr);
	free(planned);
	ht_filter_done(&filter);
	ht_closep(&stop_fd);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return ret;
}
