#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configure an ASan+UBSan build from scratch and run the unit and harness
# tests under it. Any sanitizer report fails the run.
# usage: gate-sanitize.sh SOURCE_ROOT BUILD_DIR
set -euo pipefail
src=$1
build=$2
rm -rf "$build"
meson setup "$build" "$src" -Db_sanitize=address,undefined -Db_lundef=false \
	-Dbuildtype=debug > "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
ninja -C "$build" >> "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
export ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# lessons-check compares the lessons' output byte for byte, and these builds
# add their own (LeakSanitizer's helper process under trace, gcov's messages
# from inside user namespaces): it runs in the plain build only.
meson test -C "$build" --no-rebuild --print-errorlogs --no-suite gates --no-suite slow --no-suite lessons
rm -rf "$build" "$build.log"
