#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fail when a tracked C file is not formatted by the root .clang-format.
# usage: check-format.sh SOURCE_ROOT CLANG_FORMAT
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null ||
	find harness suites tests runtime fixtures -name '*.[ch]')
[ ${#files[@]} -gt 0 ] || { echo "no C files found"; exit 1; }
"$2" --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files formatted"
