// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Print the TAP stream of a run that should keep a meson test green (PASS,
 * WARN, SKIP, XFAIL, and the whole-skip stream of an empty run with
 * --empty). meson.build runs it with protocol: 'tap', so meson 1.0.1's own
 * parser proves it reads our TAP: a parse error, an unknown line or an
 * unexpected result would turn the test into ERROR or FAIL.
 */
#include <stdio.h>
#include <string.h>

#include "ht-report.h"
#include "report-fixture.h"

int main(int argc, char **argv)
{
	struct ht_run run;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--empty") == 0)
		fixture_empty_run(&run);
	else
		fixture_passing_run(&run);
	rc = ht_report_write(&ht_report_tap, stdout, &run);
	ht_run_done(&run);
	if (rc < 0) {
		fprintf(stderr, "tap-demo: write tap stream: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
