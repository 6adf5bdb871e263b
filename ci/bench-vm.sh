#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a fresh VM costs under TCG (`isolab vm --accel tcg`). Three boots,
# in interleaved rounds so that a noisy neighbour hits them alike:
#
#   debian:6.1  --boot pvh       the uncompressed vmlinux through its PVH entry
#   debian:6.1  --boot bzimage   the compressed kernel through the boot protocol
#   debian:6.12 (--boot auto)
#
# each running one quick test (-t utsns_hostname_inside_only). From the JSON
# report's "vms" entry: boot_s (qemu start to the guest init's hello),
# first_result_s (qemu start to the first test result) and wall_s (the VM's
# whole life); and, measured here, the whole `isolab vm` command (initramfs,
# reports). Medians over ROUNDS (default 5). Then one 2-kernel matrix
# (debian:6.1 and debian:6.12, every suite) timed once, with isolab vm's
# default -j. The figure with a target: 6.1 PVH boot to first result <= 3 s.
#
# The kernels are fetched first, untimed. A VM that does not end as RESULTS,
# or comes back without its tests' results, is reported and makes the
# benchmark fail once every figure is printed (a failed test in the matrix
# does not: that is the suites' business, not the VM's cost).
#
# usage: bench-vm.sh ISOLAB [ROUNDS]
set -euo pipefail
isolab=$1
rounds=${2:-5}
test_name=utsns_hostname_inside_only
target_s=3

[ "$(id -u)" = 0 ] || { echo "bench-vm: needs root (isolab vm runs the guests' tests as root)" >&2; exit 1; }
command -v qemu-system-x86_64 > /dev/null || { echo "bench-vm: no qemu-system-x86_64" >&2; exit 1; }
command -v jq > /dev/null || { echo "bench-vm: no jq" >&2; exit 1; }
"$isolab" list -t "$test_name" | grep -q . ||
	{ echo "bench-vm: $isolab has no test $test_name" >&2; exit 1; }

work=$(mktemp -d /tmp/isolab-bench-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT

median() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
		      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
now() { date +%s%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f\n", (e - s) / 1e9 }'; }
rounds_of() { tr '\n' ' ' < "$1" | sed 's/ $//'; }

configs=(6.1-pvh 6.1-bzimage 6.12-auto)
declare -A args=(
	[6.1-pvh]="--kernel debian:6.1 --boot pvh"
	[6.1-bzimage]="--kernel debian:6.1 --boot bzimage"
	[6.12-auto]="--kernel debian:6.12 --boot auto"
)
bad=0

"$isolab" vm --kernel debian:6.1 --kernel debian:6.12 --fetch-only > "$work/fetch.log" 2>&1 ||
	{ cat "$work/fetch.log" >&2; echo "bench-vm: fetching the kernels failed" >&2; exit 1; }

echo "vm boot under TCG: $rounds interleaved rounds, -t $test_name, $(nproc) CPUs," \
	"host kernel $(uname -r), $(qemu-system-x86_64 --version | head -n 1)"
for c in "${configs[@]}"; do
	for f in hello first wall cmd; do : > "$work/$c.$f"; done
done
for r in $(seq "$rounds"); do
	for c in "${configs[@]}"; do
		json=$work/$c.$r.json
		rc=0
		s=$(now)
		# shellcheck disable=SC2086 # the config's words are meant to split
		"$isolab" vm ${args[$c]} --accel tcg --json "$json" -- -t "$test_name" \
			> "$work/out" 2>&1 || rc=$?
		e=$(now)
		if [ ! -s "$json" ]; then
			echo "round $r $c: no JSON report (exit $rc): $(tail -n 5 "$work/out")"
			bad=$((bad + 1))
			continue
		fi
		IFS=$'\t' read -r class hello first wall boot accel < <(jq -r \
			'.vms[0] | [.classification, .boot_s, .first_result_s, .wall_s, .boot, .accel] | map(tostring) | @tsv' \
			"$json")
		echo "round $r $c: $class ($accel/$boot) hello ${hello}s, first result ${first}s," \
			"vm ${wall}s, command $(secs "$s" "$e")s (exit $rc)"
		outcome=$(jq -r --arg t "$test_name" '.results[] | select(.name == $t) | .outcome' "$json")
		if [ "$class" != RESULTS ] || [ "$rc" != 0 ] || [ "$outcome" != PASS ]; then
			echo "  $test_name: ${outcome:-no result}"
			echo "  $(jq -r '.vms[0].detail // empty' "$json")"
			bad=$((bad + 1))
		fi
		if [ "$accel" != tcg ]; then
			echo "  asked for --accel tcg, the VM ran with $accel"
			bad=$((bad + 1))
		fi
		[ "$hello" = null ] || echo "$hello" >> "$work/$c.hello"
		[ "$first" = null ] || echo "$first" >> "$work/$c.first"
		echo "$wall" >> "$work/$c.wall"
		secs "$s" "$e" >> "$work/$c.cmd"
	done
done

echo
echo "medians of $rounds rounds, in seconds (qemu start to: the init's hello, the first"
echo "result, the VM's end; and the whole isolab vm command)"
printf '%-12s %9s %14s %9s %9s\n' config hello first-result vm-wall command
for c in "${configs[@]}"; do
	printf '%-12s %9.2f %14.2f %9.2f %9.2f\n' "$c" \
		"$(median < "$work/$c.hello")" "$(median < "$work/$c.first")" \
		"$(median < "$work/$c.wall")" "$(median < "$work/$c.cmd")"
done
for c in "${configs[@]}"; do
	echo "$c rounds: hello $(rounds_of "$work/$c.hello"); first result" \
		"$(rounds_of "$work/$c.first"); command $(rounds_of "$work/$c.cmd")"
done

pvh=$(median < "$work/6.1-pvh.first")
verdict=$(awk -v v="$pvh" -v t="$target_s" \
	'BEGIN { print (v != "nan" && v <= t) ? "within target" : "ABOVE TARGET" }')
printf '6.1 PVH boot to first result: median %.2f s (target <= %s s: %s)\n' "$pvh" "$target_s" "$verdict"

echo
echo "2-kernel matrix (debian:6.1, debian:6.12), every suite, --accel tcg, isolab vm's default -j," \
	"once:"
rc=0
s=$(now)
"$isolab" vm --kernel debian:6.1 --kernel debian:6.12 --accel tcg --json "$work/matrix.json" -- \
	> "$work/matrix.out" 2>&1 || rc=$?
e=$(now)
if [ -s "$work/matrix.json" ]; then
	jq -r '.vms[] | "  \(.where): \(.classification) (\(.accel)/\(.boot)) hello \(.boot_s // "-")s, first result \(.first_result_s // "-")s, vm \(.wall_s)s"' \
		"$work/matrix.json"
	jq -r '"  results: \(.results | length); " + ([.results[] | .outcome] | group_by(.) | map("\(.[0]) \(length)") | join(", "))' \
		"$work/matrix.json"
	jq -r '.results[] | select(.outcome == "FAIL" or .outcome == "BROKEN" or .outcome == "TIMEOUT") | "  \(.outcome) \(.where) \(.area)/\(.name): \(.reason // "" | split("\n")[0])"' \
		"$work/matrix.json"
	notres=$(jq '[.vms[] | select(.classification != "RESULTS")] | length' "$work/matrix.json")
	[ "$notres" = 0 ] || bad=$((bad + notres))
	# A VM that came back without running its tests is no result either.
	notrun=$(jq '[.results[] | select((.reason // "") | startswith("not run"))] | length' \
		"$work/matrix.json")
	[ "$notrun" = 0 ] || { echo "  $notrun tests did not run"; bad=$((bad + 1)); }
else
	echo "  no JSON report: $(tail -n 5 "$work/matrix.out")"
	bad=$((bad + 1))
fi
echo "matrix wall time: $(secs "$s" "$e") s (exit $rc: $([ "$rc" = 0 ] && echo "nothing failed" || echo "a test failed or a VM did not end as RESULTS"))"

[ "$bad" = 0 ] || { echo "bench-vm: $bad VM runs did not return every result" >&2; exit 1; }
