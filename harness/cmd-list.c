// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * isolab list: the registered tests as a table or JSON, and the
 * (area, lesson) pairs that meson's suites must cover.
 */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "ht-registry.h"
#include "ht-result.h"
#include "ht-util.h"
#include "isolab-cli.h"

static void help(void)
{
	printf("usage: isolab list [OPTIONS] [GLOB...]\n"
	       "\n"
	       "List the registered tests: area, lesson, name, timeout, needs, tags.\n"
	       "\n" ISOLAB_FILTER_HELP "      --json           one JSON array\n"
	       "      --pairs          the distinct \"area lesson\" pairs (what meson's\n"
	       "                       per-area and per-lesson suites must cover)\n"
	       "  -h, --help           this text\n");
}

static char *join_needs(const struct ht_test *t)
{
	char *s = ht_xstrdup("");

	for (const char *const *n = t->needs; n && *n; n++) {
		char *next = ht_xasprintf("%s%s%s", s, *s ? "," : "", *n);

		free(s);
		s = next;
	}
	return s;
}

static void print_json(const struct ht_test **tests, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct ht_test *t = tests[i];
		json_t *needs = json_array();

		for (const char *const *p = t->needs; p && *p; p++)
			json_array_append_new(needs, json_string(*p));
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:i, s:i, s:o, s:s?, s:s?, s:s, s:i}", "name",
				       t->name, "area", ht_area_name(t->area), "lesson", t->lesson,
				       "timeout_s", t->timeout_s, "needs", needs, "tags", t->tags,
				       "xfail", t->xfail, "file", t->file, "line", t->line));
	}
	json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("\n");
	json_decref(arr);
}

int isolab_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { ISOLAB_FILTER_LONGOPTS,
					      { "json", no_argument, NULL, 'J' },
					      { "pairs", no_argument, NULL, 'P' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	struct ht_filter filter = { 0 };
	const struct ht_test **tests = NULL;
	bool json = false, pairs = false;
	int opt, r, ret = ISOLAB_EXIT_OK;
	size_t n;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ISOLAB_FILTER_SHORTOPTS "h", opts, NULL)) != -1) {
		r = isolab_filter_option(&filter, opt, optarg);
		if (r < 0) {
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
		if (r > 0)
			continue;
		switch (opt) {
		case 'J':
			json = true;
			break;
		case 'P':
			pairs = true;
			break;
		case 'h':
			help();
			goto out;
		default:
			fprintf(stderr, "Try 'isolab list --help'.\n");
			ret = ISOLAB_EXIT_USAGE;
			goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		ht_filter_add_glob(&filter, argv[i]);
	n = ht_registry_select(&filter, &tests);
	if (json) {
		print_json(tests, n);
	} else if (pairs) {
		/* The selection is sorted by area then lesson: print each change. */
		for (size_t i = 0; i < n; i++)
			if (i == 0 || tests[i]->area != tests[i - 1]->area ||
			    tests[i]->lesson != tests[i - 1]->lesson)
				printf("%s %d\n", ht_area_name(tests[i]->area), tests[i]->lesson);
	} else {
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *needs = join_needs(tests[i]);

			printf("%-10s %2d  %-40s %4us  %s%s%s%s\n", ht_area_name(tests[i]->area),
			       tests[i]->lesson, tests[i]->name, tests[i]->timeout_s,
			       *needs ? "needs " : "", needs, tests[i]->tags ? "  " : "",
			       tests[i]->tags ? tests[i]->tags : "");
		}
	}
out:
	free(tests);
	ht_filter_done(&filter);
	return ret;
}
