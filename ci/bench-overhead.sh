#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Harness overhead per trivial test: 1,000 registered no-op tests run at -j1
# and -j2, five rounds each. Reports, per -j, the median over rounds of the
# wall time per test (whole `isolab run`, reports included, divided by the
# number of tests). Target: <= 2 ms per test.
#
# usage: bench-overhead.sh ISOLAB_BENCH [ROUNDS]
set -euo pipefail
bench=$1
rounds=${2:-5}
work=$(mktemp -d /tmp/isolab-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ISOLAB_STATE_DIR=$work/state

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

n=$("$bench" list | wc -l)
echo "harness overhead: $n no-op tests, $rounds rounds per -j, $(nproc) CPUs, kernel $(uname -r)"
for j in 1 2; do
	: > "$work/wall"
	for _ in $(seq "$rounds"); do
		start=$(date +%s%N)
		"$bench" run -j"$j" --json "$work/r.json" > /dev/null
		end=$(date +%s%N)
		awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%.4f\n", (e - s) / 1e6 / n }' >> "$work/wall"
		[ "$(jq '[.results[] | select(.outcome != "PASS")] | length' "$work/r.json")" = 0 ] ||
			{ echo "a no-op test did not pass"; exit 1; }
	done
	printf -- '-j%s: median %.3f ms per test (rounds: %s)\n' \
		"$j" "$(median < "$work/wall")" "$(tr '\n' ' ' < "$work/wall")"
done
