#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configure a coverage build from scratch, run the unit and harness tests,
# and produce the lcov HTML report; fail when it is missing or empty.
# usage: gate-coverage.sh SOURCE_ROOT BUILD_DIR
set -euo pipefail
src=$1
build=$2
rm -rf "$build"
meson setup "$build" "$src" -Db_coverage=true -Dbuildtype=debug > "$build.log" 2>&1 ||
	{ cat "$build.log"; exit 1; }
ninja -C "$build" >> "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
# lessons-check compares the lessons' output byte for byte, and these builds
# add their own (LeakSanitizer's helper process under trace, gcov's messages
# from inside user namespaces): it runs in the plain build only.
meson test -C "$build" --no-rebuild --print-errorlogs --no-suite gates --no-suite slow --no-suite lessons
# gcov dumps its counters before every exec, so a runtime's process that
# execs the container command wrote .gcda files inside the test rootfs,
# under the build path as seen from the container. They are not ours to
# count, and lcov fails on them.
find "$build/fixtures/rootfs" -name '*.gcda' -delete
ninja -C "$build" coverage-html >> "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
index=$build/meson-logs/coveragereport/index.html
[ -s "$index" ] || { echo "coverage: $index missing"; exit 1; }
lines=$(grep -o 'headerCovTableEntry[^>]*>[0-9.]* *%' "$index" | head -1 | grep -o '[0-9.]* *%' || true)
echo "coverage: report at $index (line coverage ${lines:-unknown})"
rm -rf "$build" "$build.log"
