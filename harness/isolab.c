// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab: the harness command line. One function per verb (cmd-*.c); this
 * file only dispatches and holds the option parsing the verbs share.
 */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ht-journal.h"
#include "ht-registry.h"
#include "ht-util.h"
#include "ht-vm-kernel.h"
#include "isolab-cli.h"

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "run", isolab_cmd_run, "run the selected tests and write the reports" },
	{ "list", isolab_cmd_list, "list the registered tests" },
	{ "probe", isolab_cmd_probe,
	  "probe what this host supports, and which lessons it can run" },
	{ "grade", isolab_cmd_grade,
	  "score a runtime per lesson, with shell-out detection: JSON, JUnit, a table" },
	{ "vm", isolab_cmd_vm, "run the tests in fresh VMs, one per kernel, as a matrix" },
	{ "reap", isolab_cmd_reap, "undo what dead runs left behind (cgroups, netns, mounts...)" },
	{ "report", isolab_cmd_report,
	  "render JSON reports: `isolab report html RUN.json... -o FILE`" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: isolab VERB [OPTIONS]\n"
		     "\n"
		     "A test harness and conformance suite for the kernel primitives containers\n"
		     "are built from. Run `isolab VERB --help` for a verb's options.\n"
		     "\n"
		     "verbs:\n");
	for (size_t i = 0; i < HT_ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-7s %s\n", verbs[i].name, verbs[i].help);
	fprintf(out, "\n"
		     "exit codes: 0 ok, 1 a test failed, 2 bad usage, 3 harness error,\n"
		     "99 harness broke in --tap mode, 128+N stopped by signal N\n");
}

void isolab_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "isolab %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'isolab %s --help'.\n", verb);
}

bool isolab_vm_kernel_ok(const char *verb, const char *spec)
{
	struct ht_vm_kernel k = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = ht_vm_kernel_parse(spec, NULL, &k, &err);

	ht_vm_kernel_done(&k);
	if (r < 0)
		isolab_usage_error(verb, "--vm-kernel: %s", err);
	return r >= 0;
}

int isolab_filter_option(struct ht_filter *f, int opt, const char *arg)
{
	switch (opt) {
	case 'a':
		if (ht_filter_add_areas(f, arg) < 0) {
			fprintf(stderr,
				"isolab: unknown area in '%s' (known: harness, isolation, "
				"limits, network, oci, tracing)\n",
				arg);
			return -EINVAL;
		}
		return 1;
	case 'l':
		if (ht_filter_add_lessons(f, arg) < 0) {
			fprintf(stderr,
				"isolab: bad lesson list '%s' (expected e.g. 1,3-5; "
				"lessons are 1..63)\n",
				arg);
			return -EINVAL;
		}
		return 1;
	case 't':
		ht_filter_add_glob(f, arg);
		return 1;
	case 'S':
		f->selftest = true;
		return 1;
	default:
		return 0;
	}
}

int isolab_out_open(struct isolab_out *o, const char *path)
{
	o->path = ht_xstrdup(path);
	o->tmp = ht_xasprintf("%s.tmp", path);
	o->f = fopen(o->tmp, "we");
	return o->f ? 0 : -errno;
}

int isolab_out_close(struct isolab_out *o, bool ok)
{
	int r = 0;

	if (o->f) {
		if (fclose(o->f) != 0)
			ok = false, r = -errno;
		o->f = NULL;
		if (ok && rename(o->tmp, o->path) < 0)
			r = -errno;
		if (!ok || r < 0)
			unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	return r;
}

void isolab_block_stop_signals(sigset_t *ret_set, sigset_t *ret_saved)
{
	sigemptyset(ret_set);
	sigaddset(ret_set, SIGINT);
	sigaddset(ret_set, SIGTERM);
	sigaddset(ret_set, SIGHUP);
	sigprocmask(SIG_BLOCK, ret_set, ret_saved);
}

char *isolab_iso_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ht_xstrdup(buf);
}

void isolab_reap_dead_runs(struct ht_journal *journal, const char *verb, unsigned *ret_journals)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *log = open_memstream(&buf, &len);
	int r;

	r = ht_journal_reap_all(journal, log, false, ret_journals);
	if (log)
		fclose(log);
	/* Entries already gone are routine: only real work or failures get a line. */
	for (char *save = NULL, *line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strstr(line, "(already gone)"))
			fprintf(stderr, "isolab %s: reap: %s\n", verb, line);
	free(buf);
	if (r > 0)
		fprintf(stderr,
			"isolab %s: warning: %d leftover resources of dead runs could not be "
			"undone; `isolab reap` retries them\n",
			verb, r);
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;

	if (!verb) {
		usage(stderr);
		return ISOLAB_EXIT_USAGE;
	}
	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
		usage(stdout);
		return ISOLAB_EXIT_OK;
	}
	if (strcmp(verb, "--version") == 0) {
		printf("isolab %s\n", ISOLAB_VERSION);
		return ISOLAB_EXIT_OK;
	}
	for (size_t i = 0; i < HT_ARRAY_SIZE(verbs); i++)
		if (strcmp(verb, verbs[i].name) == 0) {
			/* getopt(3) names argv[0] in its messages: "isolab run: ...". */
			_cleanup_free_ char *name = ht_xasprintf("isolab %s", verb);

			argv[1] = name;
			return verbs[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "isolab: unknown verb '%s'\n\n", verb);
	usage(stderr);
	return ISOLAB_EXIT_USAGE;
}
