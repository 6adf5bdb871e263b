#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The cost of `contain trace` (issue 8 figures). The workload is 10,000
# fork+exec cycles (a shell running /bin/true in a loop), run plain and
# under `contain trace --json` with the events going to /dev/null, in
# interleaved rounds so that a noisy neighbour hits both sides alike. The
# traced side includes the tracer's own start (BPF load and attach) and exit.
# An untimed round first writes the events to a file and checks that all
# 10,000 execs are there.
# Reports the median wall time of each side and their ratio (target <= 1.10),
# the lost events (must be 0: a nonzero count fails the benchmark), and the
# attach time: how much later the command starts under the tracer than
# plainly (both stamped by date(1) as it starts), and the whole traced
# /bin/date against the plain one.
#
# usage: bench-trace.sh CONTAIN [ROUNDS]
set -euo pipefail
contain=$1
rounds=${2:-5}
cycles=10000
work=$(mktemp -d /tmp/isolab-bench-trace.XXXXXX)
trap 'rm -rf "$work"' EXIT

median() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
now() { date +%s%N; }
ms() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f\n", (e - s) / 1e6 }'; }

loop="i=0; while [ \$i -lt $cycles ]; do /bin/true; i=\$((i+1)); done"
"$contain" trace --help > /dev/null 2>&1 ||
	{ echo "bench-trace: $contain has no working 'trace' verb" >&2; exit 1; }

echo "trace overhead: $cycles fork+exec cycles, $rounds interleaved rounds," \
	"$(nproc) CPUs, kernel $(uname -r)"
for f in plain traced ratio attach tplain ttraced; do : > "$work/$f"; done
# One untimed round to a file: every cycle reported, and a JSON summary.
"$contain" trace --json -- /bin/sh -c "$loop" > "$work/events.json" 2> /dev/null
execs=$(grep -c '"syscall":"execve".*"filename":"/bin/true"' "$work/events.json" || true)
lost_total=$(tail -n 1 "$work/events.json" | jq -r 'select(.type == "summary") | .lost')
[ -n "$lost_total" ] || { echo "bench-trace: no JSON summary line" >&2; exit 1; }
echo "check round: /bin/true execs traced $execs of $cycles, lost $lost_total"
[ "$execs" -eq "$cycles" ] || { echo "bench-trace: execs were missed" >&2; exit 1; }
for r in $(seq "$rounds"); do
	s=$(now); /bin/sh -c "$loop"; e=$(now)
	ms "$s" "$e" >> "$work/plain"

	# The events go to /dev/null; the lost count comes from the stderr summary.
	s=$(now); "$contain" trace --json -- /bin/sh -c "$loop" > /dev/null 2> "$work/err"; e=$(now)
	ms "$s" "$e" >> "$work/traced"
	lost=$(sed -n 's/.* \([0-9][0-9]*\) lost$/\1/p' "$work/err")
	[ -n "$lost" ] || { echo "bench-trace: round $r: no summary: $(cat "$work/err")" >&2; exit 1; }
	lost_total=$((lost_total + lost))
	awk -v p="$(tail -n 1 "$work/plain")" -v t="$(tail -n 1 "$work/traced")" \
		'BEGIN { printf "%.4f\n", t / p }' >> "$work/ratio"

	# Attach: the command's first instant, as stamped by itself, after launch.
	# (The traced command's stdout is the tracer's too: its stamp is the bare number.)
	s=$(now)
	c=$("$contain" trace --json -- /bin/date +%s%N 2> /dev/null | grep -E '^[0-9]+$')
	e=$(now)
	s2=$(now); c2=$(/bin/date +%s%N); e2=$(now)
	awk -v a="$s" -v b="$c" -v a2="$s2" -v b2="$c2" \
		'BEGIN { printf "%.3f\n", ((b - a) - (b2 - a2)) / 1e6 }' >> "$work/attach"
	ms "$s" "$e" >> "$work/ttraced"
	ms "$s2" "$e2" >> "$work/tplain"
done

p=$(median < "$work/plain")
t=$(median < "$work/traced")
ratio=$(awk -v p="$p" -v t="$t" 'BEGIN { printf "%.3f", t / p }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.10) ? "within target" : "ABOVE TARGET" }')
printf 'plain : median %.1f ms (rounds: %s)\n' "$p" "$(tr '\n' ' ' < "$work/plain")"
printf 'traced: median %.1f ms (rounds: %s)\n' "$t" "$(tr '\n' ' ' < "$work/traced")"
printf 'ratio of medians traced/plain: %s (target <= 1.10: %s)\n' "$ratio" "$verdict"
printf 'median of per-round ratios: %.3f (rounds: %s)\n' "$(median < "$work/ratio")" \
	"$(tr '\n' ' ' < "$work/ratio")"
printf 'per cycle: plain %.1f us, traced %.1f us\n' \
	"$(awk -v p="$p" -v n="$cycles" 'BEGIN { print p * 1000 / n }')" \
	"$(awk -v t="$t" -v n="$cycles" 'BEGIN { print t * 1000 / n }')"
printf 'attach: command starts %.1f ms later under the tracer (median; rounds: %s)\n' \
	"$(median < "$work/attach")" "$(tr '\n' ' ' < "$work/attach")"
printf 'trace of one /bin/date: %.1f ms total vs %.1f ms plain (medians)\n' \
	"$(median < "$work/ttraced")" "$(median < "$work/tplain")"
echo "lost events: $lost_total"
[ "$lost_total" -eq 0 ] || { echo "bench-trace: events were lost" >&2; exit 1; }
