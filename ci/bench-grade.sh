#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The wall time of grading a runtime over all lessons (issue #9's figure):
#
#   host  `isolab grade` with the lessons run here under the shell-out
#         tracer, and the tests this host must skip sent to one fresh VM
#   vm    `isolab grade --vm`: every lesson in one fresh VM
#
# The runtime is the reference contain (the default). Each mode runs once;
# the scores are printed with the times. A grade that is not 100% makes the
# benchmark fail once both figures are printed.
#
# usage: bench-grade.sh ISOLAB [RUNTIME]
set -uo pipefail
isolab=${1:?usage: bench-grade.sh ISOLAB [RUNTIME]}
runtime=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

for mode in host vm; do
	args=(grade --json "$tmp/$mode.json")
	[ "$mode" = vm ] && args+=(--vm)
	[ -n "$runtime" ] && args+=(--runtime "$runtime")
	start=$(date +%s.%N)
	rc=0
	"$isolab" "${args[@]}" > "$tmp/$mode.out" 2> "$tmp/$mode.err" || rc=$?
	end=$(date +%s.%N)
	cat "$tmp/$mode.out"
	printf 'grade-%s: wall %.1f s, exit %d\n' "$mode" "$(echo "$end - $start" | bc)" "$rc"
	[ "$rc" = 0 ] || { status=1; tail -5 "$tmp/$mode.err"; }
done
exit $status
