#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every (area, lesson) pair that has registered tests must be a meson test,
# or `meson test --suite AREA|lesson-NN` would silently miss those tests.
# usage: suite-pairs.sh ISOLAB "area lesson"...
set -euo pipefail
isolab=$1
shift
declare -A meson_pairs=()
for p in "$@"; do meson_pairs[$p]=1; done
missing=0
while read -r area lesson; do
	if [ -z "${meson_pairs["$area $lesson"]:-}" ]; then
		echo "tests of area $area, lesson $lesson are registered but no meson test runs them:" \
			"add ['$area', $lesson] to suite_pairs in suites/$area/meson.build" >&2
		missing=1
	fi
done < <("$isolab" list --pairs)
[ $missing -eq 0 ] && echo "all $(("$isolab" list --pairs) | wc -l) pairs are meson tests"
exit $missing
