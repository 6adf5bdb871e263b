// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel matrix: one row per behaviour, one column per place it ran
 * ("host", "vm:debian-6.1"...), then how each VM ended and how long it took.
 * What `isolab vm` prints for a run over several kernels.
 */
#include <string.h>

#include "ht-report-priv.h"
#include "ht-report.h"
#include "ht-util.h"

static const char *where_of(const struct ht_result *r)
{
	return r->where ? r->where : "host";
}

static size_t index_of(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return i;
	return n;
}

/* Column label: "debian-6.1" for "vm:debian-6.1". */
static const char *column_label(const char *where)
{
	return strncmp(where, "vm:", 3) == 0 ? where + 3 : where;
}

static const struct ht_run_vm *vm_of(const struct ht_run *run, const char *where)
{
	for (size_t i = 0; i < run->n_vms; i++)
		if (run->vms[i].where && strcmp(run->vms[i].where, where) == 0)
			return &run->vms[i];
	return NULL;
}

static void seconds_cell(FILE *f, double s, int width)
{
	if (s < 0)
		fprintf(f, "  %-*s", width, "-");
	else
		fprintf(f, "  %-*.1f", width, s);
}

int ht_report_matrix(FILE *f, const struct ht_run *run)
{
	char **cols = NULL, **rows = NULL;
	size_t n_cols = 0, n_rows = 0;
	int name_w = 4, col_w = 12;

	for (size_t i = 0; i < run->n_results; i++) {
		const struct ht_result *r = &run->results[i];
		_cleanup_free_ char *row = ht_xasprintf("%s/%s", ht_area_name(ht_report_area(r)),
							ht_report_test_name(r));

		if (index_of(cols, n_cols, where_of(r)) == n_cols) {
			cols = ht_xrealloc(cols, (n_cols + 1) * sizeof(*cols));
			cols[n_cols++] = ht_xstrdup(where_of(r));
		}
		if (index_of(rows, n_rows, row) == n_rows) {
			rows = ht_xrealloc(rows, (n_rows + 1) * sizeof(*rows));
			rows[n_rows++] = ht_xstrdup(row);
			if ((int)strlen(row) > name_w)
				name_w = (int)strlen(row);
		}
	}
	for (size_t c = 0; c < n_cols; c++)
		if ((int)strlen(column_label(cols[c])) > col_w)
			col_w = (int)strlen(column_label(cols[c]));

	fprintf(f, "%-*s", name_w, "test");
	for (size_t c = 0; c < n_cols; c++)
		fprintf(f, "  %-*s", col_w, column_label(cols[c]));
	fputc('\n', f);
	for (size_t k = 0; k < n_rows; k++) {
		fprintf(f, "%-*s", name_w, rows[k]);
		for (size_t c = 0; c < n_cols; c++) {
			const char *cell = "-";

			for (size_t i = 0; i < run->n_results; i++) {
				const struct ht_result *r = &run->results[i];
				_cleanup_free_ char *row =
					ht_xasprintf("%s/%s", ht_area_name(ht_report_area(r)),
						     ht_report_test_name(r));

				if (strcmp(row, rows[k]) == 0 && strcmp(where_of(r), cols[c]) == 0)
					cell = ht_outcome_name(ht_report_outcome(r));
			}
			fprintf(f, "  %-*s", col_w, cell);
		}
		fputc('\n', f);
	}
	if (run->n_vms) {
		static const char *const labels[] = { "vm: ended as",	      "vm: kernel",
						      "vm: accel/boot",	      "vm: hello (s)",
						      "vm: first result (s)", "vm: wall (s)" };

		for (size_t l = 0; l < HT_ARRAY_SIZE(labels); l++) {
			fprintf(f, "%-*s", name_w, labels[l]);
			for (size_t c = 0; c < n_cols; c++) {
				const struct ht_run_vm *v = vm_of(run, cols[c]);
				_cleanup_free_ char *cell = NULL;

				if (!v) {
					fprintf(f, "  %-*s", col_w, "-");
					continue;
				}
				switch (l) {
				case 0:
					cell = ht_xstrdup(v->classification);
					break;
				case 1:
					cell = ht_xstrdup(v->release ? v->release : "?");
					break;
				case 2:
					cell = ht_xasprintf("%s/%s", v->accel, v->boot);
					break;
				case 3:
					seconds_cell(f, v->boot_s, col_w);
					continue;
				case 4:
					seconds_cell(f, v->first_result_s, col_w);
					continue;
				default:
					seconds_cell(f, v->wall_s, col_w);
					continue;
				}
				fprintf(f, "  %-*s", col_w, cell);
			}
			fputc('\n', f);
		}
		for (size_t i = 0; i < run->n_vms; i++) {
			const struct ht_run_vm *v = &run->vms[i];

			if (v->detail)
				fprintf(f, "%s: %s: %s\n", v->where, v->classification, v->detail);
			if (v->excerpt && *v->excerpt) {
				fprintf(f, "%s: console:\n", v->where);
				for (const char *p = v->excerpt; *p;) {
					size_t n = strcspn(p, "\n");

					fprintf(f, "  | %.*s\n", (int)n, p);
					p += n + (p[n] ? 1 : 0);
				}
			}
		}
	}
	for (size_t i = 0; i < n_cols; i++)
		free(cols[i]);
	for (size_t i = 0; i < n_rows; i++)
		free(rows[i]);
	free(cols);
	free(rows);
	return ht_report_flush(f);
}
