#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configure a clang build with -Dfuzz=true (libFuzzer + ASan) from scratch
# and run the fuzz suite: each target (the config parser, the layer
# unpacker) runs 20 seconds from its seed corpus (fuzz/corpus/). A crash, a
# leak or a trap fails the run. Only the fuzz targets and what they link are
# built, and meson runs the targets side by side, so the gate stays under
# 2.5 minutes (about 30 s here).
# usage: gate-fuzz.sh SOURCE_ROOT BUILD_DIR
set -euo pipefail
src=$1
build=$2
command -v clang > /dev/null || { echo "1..0 # SKIP clang is not installed"; exit 0; }
rm -rf "$build"
CC=clang meson setup "$build" "$src" -Dfuzz=true -Db_lundef=false -Dbpf=disabled \
	> "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
ninja -C "$build" fuzz/fuzz-oci-config fuzz/fuzz-unpack >> "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
meson test -C "$build" --no-rebuild --print-errorlogs --suite fuzz
rm -rf "$build" "$build.log"
