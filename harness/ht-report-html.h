/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTML matrix report: one or more JSON reports ("isolab-report/1", as
 * ht-report-json.c writes them) merged into one static page, behaviours as
 * rows grouped by lesson, places they ran (a host, or a fresh VM's kernel)
 * as columns. What `isolab report html` writes.
 */
#ifndef HT_REPORT_HTML_H
#define HT_REPORT_HTML_H

#include <stdio.h>

typedef struct json_t json_t;

/* The reports to render, checked and indexed; opaque. */
struct ht_html;

struct ht_html *ht_html_new(void);
void ht_html_free(struct ht_html *h);

/*
 * Add the report root (a parsed JSON report) read from label (the file name
 * shown on the page). Its results go into the columns they ran in: a host
 * result into the column of the report's host (hostname and kernel), a VM
 * result into the column of its "where" ("vm:debian-6.1"), shared with
 * other reports of the same place. A behaviour seen twice in one column
 * keeps the later report's result. Returns 0, or -EINVAL with *ret_cause
 * set to the JSON path and what is wrong there ("$.results[3].outcome:
 * \"MAYBE\" is not an outcome ..."); h is then unchanged.
 */
int ht_html_add(struct ht_html *h, const char *label, json_t *root, char **ret_cause);

/*
 * Write the page: a summary (counts per outcome and column, the inputs, the
 * VMs), then the matrix. generated is the time shown as the page's date.
 * Every count is also in a data- attribute, so a test can read them from
 * the DOM: id="total-C-OUTCOME" and id="total-C" (C: the column index),
 * td.cell[data-column][data-outcome] per cell, tr.test per behaviour.
 * Returns 0 or -errno (a write error).
 */
int ht_html_write(FILE *f, const struct ht_html *h, const char *generated);

#endif
