#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# cgroup v2 figures, measured in a fresh debian:6.1 VM under TCG (this kind
# of host binds memory, cpu and pids to cgroup v1):
#
#   - the create + configure + attach + delete cycle of one group, as contain
#     does it: the median `contain run` with --memory/--cpus/--pids minus the
#     median without a cgroup, interleaved (the selftest fixture
#     bench_limits_cycle, suites/limits/bench.c), in microseconds;
#   - the wall time of the whole limits suite in one VM (target: 60 s or less),
#     as the VM's wall time and as the sum of the tests' durations.
#
# usage: bench-cgroup.sh ISOLAB
set -euo pipefail
isolab=${1:?usage: bench-cgroup.sh ISOLAB}
[ "$(id -u)" = 0 ] || { echo "bench-cgroup: needs root" >&2; exit 1; }
command -v jq > /dev/null || { echo "bench-cgroup: no jq" >&2; exit 1; }
work=$(mktemp -d /tmp/isolab-bench-cgroup.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$isolab" vm --kernel debian:6.1 --json "$work/cycle.json" -- --selftest -t bench_limits_cycle \
	> /dev/null 2> "$work/cycle.err" || { cat "$work/cycle.err" >&2; exit 1; }
cycle=$(jq -r '.results[] | select(.name == "bench_limits_cycle") | .messages[] |
	select(.text | test("cgroup cycle")) | .text' "$work/cycle.json")
[ -n "$cycle" ] || { echo "bench-cgroup: no figure from bench_limits_cycle" >&2; exit 1; }

"$isolab" vm --kernel debian:6.1 --json "$work/limits.json" -- -a limits \
	> /dev/null 2> "$work/limits.err" || { cat "$work/limits.err" >&2; exit 1; }
read -r n wall sum < <(jq -r '[([.results[] | select(.area == "limits")] | length),
	.vms[0].wall_s, ([.results[] | select(.area == "limits") | .duration_s] | add)] | @tsv' \
	"$work/limits.json")

echo "debian:6.1 under $(jq -r '.vms[0].accel' "$work/cycle.json"), $(nproc) host CPUs"
echo "cgroup create+configure+attach+delete: ${cycle##*cgroup cycle: }"
printf 'limits suite in one VM: %s tests, VM wall %.1f s (tests alone %.1f s; target <= 60 s)\n' \
	"$n" "$wall" "$sum"
awk -v w="$wall" 'BEGIN { exit !(w <= 60) }' || { echo "ABOVE TARGET"; exit 1; }
