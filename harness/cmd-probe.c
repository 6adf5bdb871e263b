// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `isolab probe [--json] [-v] [ID...]`: run the host probes and say which
 * lessons this host can run, and why not the others. For the operator
 * preparing a lab machine (DESIGN.md "Who uses it").
 *
 * The verdicts are information, so the exit status is 0 whenever the probes
 * ran, whatever they found; 2 for bad flags or ids (nothing run), 3 when the
 * journal could not undo a scratch resource.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <sys/utsname.h>

#include "ht-journal.h"
#include "ht-probe.h"
#include "ht-util.h"
#include "isolab-cli.h"

/*
 * Where the host must skip, `isolab run --vm auto` re-runs those tests in a fresh VM
 * (ht-vm.h), and `isolab vm` runs a whole selection in one: say how, with the lesson.
 */
#define VM_HINT "a fresh VM can run it: isolab run --vm auto -l %d (or isolab vm -- -l %d)"

static void usage(FILE *f)
{
	size_t n;
	const struct ht_probe_desc *list = ht_probe_list(&n);

	fprintf(f, "usage: isolab probe [--json] [-v] [ID...]\n"
		   "\n"
		   "Try each kernel feature the lessons need in a throwaway child and report\n"
		   "yes, no or unknown, with what was done and, for a no, why. Without IDs,\n"
		   "every probe runs and a lesson readiness table follows.\n"
		   "\n"
		   "  --json         print one JSON document with the probes and lessons\n"
		   "  -v, --verbose  also print the evidence of each probe\n"
		   "  -h, --help     show this help\n"
		   "\n"
		   "Probe ids:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-16s %s\n", list[i].id, list[i].title);
	fprintf(f, "\nExit status: 0 when the probes ran (whatever they found), 2 for bad\n"
		   "arguments, 3 when a scratch resource could not be cleaned up.\n");
}

/* A fresh VM brings its own kernel and cgroup setup, but not qemu or KVM. */
static bool vm_could_provide(const char *id)
{
	return strncmp(id, "vm.", 3) != 0;
}

struct lesson_state {
	const struct ht_lesson *lesson;
	const struct ht_probe_result *blocker; /* first need that is not yes */
	char *reason;
	char *elsewhere;
};

static void lesson_evaluate(const struct ht_lesson *l, struct lesson_state *s)
{
	bool vm_ok = true;

	*s = (struct lesson_state){ .lesson = l };
	for (const char *const *need = l->needs; *need; need++) {
		const struct ht_probe_result *r = ht_probe_get(*need);

		if (r->verdict == HT_YES)
			continue;
		if (!s->blocker)
			s->blocker = r;
		if (!vm_could_provide(*need))
			vm_ok = false;
	}
	if (!s->blocker)
		return;
	s->reason = ht_probe_reason(s->blocker);
	if (vm_ok) {
		const struct ht_probe_result *q = ht_probe_get("vm.qemu");

		if (q->verdict == HT_YES) {
			s->elsewhere = ht_xasprintf(VM_HINT, l->number, l->number);
		} else {
			_cleanup_free_ char *why = ht_probe_reason(q);

			s->elsewhere = ht_xasprintf("a fresh VM could run it, but %s", why);
		}
	}
}

static void lesson_state_done(struct lesson_state *s)
{
	free(s->reason);
	free(s->elsewhere);
}

static void print_row(const struct ht_probe_desc *d, const struct ht_probe_result *r, int w,
		      bool verbose)
{
	printf("%-*s  %-7s  %7.3fs  %s\n", w, d->id, ht_verdict_name(r->verdict), r->duration_s,
	       d->title);
	if (r->verdict != HT_YES) {
		const char *why = r->explanation ? r->explanation : "no explanation";

		if (r->err)
			printf("%-*s  why: %s (%s)\n", w + 20, "", why, ht_errno_name(r->err));
		else
			printf("%-*s  why: %s\n", w + 20, "", why);
	}
	if (verbose && r->evidence)
		printf("%-*s  did: %s\n", w + 20, "", r->evidence);
	fflush(stdout);
}

static void print_lessons(void)
{
	size_t n;
	const struct ht_lesson *ls = ht_lesson_list(&n);
	int w = 0;

	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(ls[i].title);

		if (len > w)
			w = len;
	}
	printf("\n%-*s  %s\n", w + 4, "LESSON", "STATUS");
	for (size_t i = 0; i < n; i++) {
		struct lesson_state s;

		lesson_evaluate(&ls[i], &s);
		if (!s.blocker)
			printf("%2d  %-*s  ready\n", ls[i].number, w, ls[i].title);
		else
			printf("%2d  %-*s  not here: %s\n", ls[i].number, w, ls[i].title, s.reason);
		if (s.elsewhere)
			printf("    %-*s  %s\n", w, "", s.elsewhere);
		lesson_state_done(&s);
	}
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *probe_json(const struct ht_probe_desc *d, const struct ht_probe_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(d->id));
	json_object_set_new(o, "title", json_string(d->title));
	json_object_set_new(o, "verdict", json_string(ht_verdict_name(r->verdict)));
	json_object_set_new(o, "errno", string_or_null(r->err ? ht_errno_name(r->err) : NULL));
	json_object_set_new(o, "errno_num", json_integer(r->err));
	json_object_set_new(o, "evidence", string_or_null(r->evidence));
	json_object_set_new(o, "explanation", string_or_null(r->explanation));
	json_object_set_new(o, "duration_s", json_real(r->duration_s));
	return o;
}

static json_t *lessons_json(void)
{
	size_t n;
	const struct ht_lesson *ls = ht_lesson_list(&n);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object(), *needs = json_array();
		struct lesson_state s;

		for (const char *const *need = ls[i].needs; *need; need++)
			json_array_append_new(needs, json_string(*need));
		lesson_evaluate(&ls[i], &s);
		json_object_set_new(o, "number", json_integer(ls[i].number));
		json_object_set_new(o, "title", json_string(ls[i].title));
		json_object_set_new(o, "where", json_string(ls[i].where));
		json_object_set_new(o, "needs", needs);
		json_object_set_new(o, "ready", json_boolean(!s.blocker));
		json_object_set_new(o, "blocked_by",
				    string_or_null(s.blocker ? s.blocker->id : NULL));
		json_object_set_new(o, "reason", string_or_null(s.reason));
		json_object_set_new(o, "elsewhere", string_or_null(s.elsewhere));
		json_array_append_new(arr, o);
		lesson_state_done(&s);
	}
	return arr;
}

int isolab_cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_free_ const struct ht_probe_desc **sel = NULL;
	struct ht_journal *journal = NULL;
	char run_id[16] = "";
	bool json = false, verbose = false;
	size_t n_all, n_sel = 0;
	const struct ht_probe_desc *all = ht_probe_list(&n_all);
	int c, w = 5, ret, exit_code = ISOLAB_EXIT_OK;

	optind = 0; /* glibc: full re-initialisation, the verb may follow global flags */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return ISOLAB_EXIT_OK;
		default:
			fprintf(stderr,
				"isolab probe: unknown option %s (see isolab probe --help)\n",
				argv[optind - 1]);
			return ISOLAB_EXIT_USAGE;
		}
	}

	/* Check every id before running anything. */
	sel = ht_xcalloc(n_all, sizeof(*sel));
	if (optind == argc) {
		for (size_t i = 0; i < n_all; i++)
			sel[n_sel++] = &all[i];
	}
	for (int i = optind; i < argc; i++) {
		const struct ht_probe_desc *d = ht_probe_find(argv[i]);
		bool dup = false;

		if (!d) {
			fprintf(stderr,
				"isolab probe: no such probe: %s (isolab probe --help lists "
				"them)\n",
				argv[i]);
			return ISOLAB_EXIT_USAGE;
		}
		for (size_t k = 0; k < n_sel; k++)
			dup = dup || sel[k] == d;
		if (!dup)
			sel[n_sel++] = d;
	}

	/* Scratch cgroups are journaled first, so a killed run leaves nothing. */
	ret = ht_journal_open(&journal, run_id);
	if (ret < 0) {
		fprintf(stderr,
			"isolab probe: cannot open a journal in %s: %s; continuing "
			"without one, so scratch cgroups of a killed probe run are not reaped\n",
			ht_state_dir(), ht_errno_name(ret));
		journal = NULL;
	} else {
		ht_probe_set_journal(ht_journal_fd(journal));
	}

	for (size_t i = 0; i < n_sel; i++) {
		int len = (int)strlen(sel[i]->id);

		if (len > w)
			w = len;
	}
	if (json) {
		json_t *doc, *probes = json_array();
		struct utsname u;

		for (size_t i = 0; i < n_sel; i++)
			json_array_append_new(probes, probe_json(sel[i], ht_probe_get(sel[i]->id)));
		doc = json_pack("{s:s, s:o}", "kernel", uname(&u) == 0 ? u.release : "?", "probes",
				probes);
		if (optind == argc)
			json_object_set_new(doc, "lessons", lessons_json());
		if (json_dumpf(doc, stdout,
			       JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) < 0) {
			fprintf(stderr, "isolab probe: cannot write the JSON document\n");
			exit_code = ISOLAB_EXIT_ERROR;
		}
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		printf("%-*s  %-7s  %8s  %s\n", w, "PROBE", "RESULT", "TIME", "WHAT");
		for (size_t i = 0; i < n_sel; i++)
			print_row(sel[i], ht_probe_get(sel[i]->id), w, verbose);
		if (optind == argc)
			print_lessons();
	}
	fflush(stdout);

	if (journal) {
		ht_probe_set_journal(-1);
		ret = ht_journal_close(journal, stderr);
		if (ret != 0) {
			fprintf(stderr, "isolab probe: the journal could not undo %d entr%s%s%s\n",
				ret < 0 ? 0 : ret, ret == 1 ? "y" : "ies", ret < 0 ? ": " : "",
				ret < 0 ? ht_errno_name(ret) : "");
			exit_code = ISOLAB_EXIT_ERROR;
		}
	}
	return exit_code;
}
