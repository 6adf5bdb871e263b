#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The runner's outcome mapping, deadlines, tree kill, output capture, -j and
# signal handling, checked on the JSON report and on /proc.
# usage: runner-outcomes.sh ISOLAB_FIXTURES VALIDATE_JSON_CMD...
# env:   ISOLAB_WRAP="valgrind --error-exitcode=97 ..." runs each `isolab run`
#        under that command; exit status 97 then means it found errors.
set -euo pipefail
read -r -a wrap <<< "${ISOLAB_WRAP:-}"

fixtures=$1
shift
validate=("$@")

work=$(mktemp -d /tmp/isolab-runner-test.XXXXXX)
export ISOLAB_STATE_DIR=$work/state
export ISOLAB_SELFTEST_DIR=$work/st
mkdir -p "$ISOLAB_SELFTEST_DIR"
bg=
cleanup() {
	[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null || true
	if [ -f "$ISOLAB_SELFTEST_DIR/pids" ]; then
		xargs -r kill -9 < "$ISOLAB_SELFTEST_DIR/pids" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# run_one NAME -> writes $work/NAME.json, prints nothing; returns isolab's exit code
run_one() {
	local name=$1 rc=0
	shift
	"${wrap[@]}" "$fixtures" run --selftest -t "$name" --json "$work/$name.json" "$@" \
		> "$work/$name.out" 2> "$work/$name.err" || rc=$?
	if [ $rc -eq 97 ] && [ ${#wrap[@]} -gt 0 ]; then
		fail "$name: ${wrap[0]} reported errors: $(cat "$work/$name.err")"
	fi
	return $rc
}

field() { jq -r "$2" "$work/$1.json"; }

expect_outcome() {
	local name=$1 want=$2 reason_re=${3:-} got reason
	got=$(field "$name" '.results[0].outcome')
	reason=$(field "$name" '.results[0].reason // ""')
	[ "$got" = "$want" ] || fail "$name: outcome $got, want $want (reason: $reason)"
	if [ -n "$reason_re" ] && ! grep -Eq -- "$reason_re" <<< "$reason"; then
		fail "$name: reason '$reason' does not match /$reason_re/"
	fi
	"${validate[@]}" "$work/$name.json" > /dev/null || fail "$name: report does not validate"
}

pids_gone() {
	local pid
	[ -f "$ISOLAB_SELFTEST_DIR/pids" ] || { fail "$1: no pids were recorded"; return; }
	while read -r pid; do
		# A zombie still has a /proc entry; only a reaped pid is really gone.
		if [ -e "/proc/$pid" ]; then
			fail "$1: process $pid survived ($(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null))"
		fi
	done < "$ISOLAB_SELFTEST_DIR/pids"
	rm -f "$ISOLAB_SELFTEST_DIR/pids"
}

run_one fixture_pass || fail "fixture_pass: exit $?"
expect_outcome fixture_pass PASS

rc=0; run_one fixture_fail || rc=$?
[ $rc -eq 1 ] || fail "fixture_fail: exit $rc, want 1"
expect_outcome fixture_fail FAIL 'got 3, want 4'
msgs=$(field fixture_fail '[.results[0].messages[].text] | join("\n")')
grep -q 'fixtures.c:[0-9]*: expected got == 4: got 3, want 4' <<< "$msgs" || fail "fixture_fail: no file:line with both values: $msgs"
grep -q 'got "abc", want "abd"' <<< "$msgs" || fail "fixture_fail: string values missing"
grep -q 'within 10% of 100 (90..110): got 130' <<< "$msgs" || fail "fixture_fail: tolerance not printed"

run_one fixture_segfault || true
expect_outcome fixture_segfault BROKEN 'signal 11 \(SIGSEGV\)'

run_one fixture_silent || true
expect_outcome fixture_silent BROKEN 'reported nothing'

run_one fixture_exit3 || true
expect_outcome fixture_exit3 BROKEN 'exited with status 3'

run_one fixture_xfail || fail "fixture_xfail: exit $?"
expect_outcome fixture_xfail XFAIL 'known bug #0'

run_one fixture_xpass || true
expect_outcome fixture_xpass FAIL 'but passed'

run_one fixture_warn || fail "fixture_warn: exit $?"
expect_outcome fixture_warn WARN 'looked odd'

run_one fixture_needs_unknown || fail "fixture_needs_unknown: exit $?"
expect_outcome fixture_needs_unknown SKIP 'selftest.no-such-probe'
[ "$(field fixture_needs_unknown '.results[0].skip.probe')" = selftest.no-such-probe ] ||
	fail "fixture_needs_unknown: skip.probe not recorded"

run_one fixture_broken_setup || true
expect_outcome fixture_broken_setup BROKEN 'ENOENT'

# Test output is captured into the report, never mixed into the TAP stream.
run_one fixture_prints --tap || fail "fixture_prints --tap: exit $?"
expect_outcome fixture_prints PASS
grep -q 'must not reach' "$work/fixture_prints.out" && fail "fixture_prints: test output leaked into TAP"
field fixture_prints '.results[0].output // ""' | grep -q 'fixture stderr line' ||
	fail "fixture_prints: output not captured in the report"

run_one fixture_leaves_process || fail "fixture_leaves_process: exit $?"
expect_outcome fixture_leaves_process WARN 'left processes'
pids_gone fixture_leaves_process

# A hanging tree is killed at its 1 s deadline, with no process left.
start=$(date +%s%N)
run_one fixture_hang_tree || true
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_outcome fixture_hang_tree TIMEOUT 'timed out'
[ "$(wc -l < "$ISOLAB_SELFTEST_DIR/pids")" -eq 3 ] || fail "fixture_hang_tree: expected 3 pids"
pids_gone fixture_hang_tree
[ $elapsed_ms -lt 6000 ] || fail "fixture_hang_tree: took ${elapsed_ms} ms for a 1 s deadline"

# -j2 really runs two tests at once.
mkfifo "$ISOLAB_SELFTEST_DIR/rendezvous"
run_one 'fixture_pair_*' -j2 || fail "pair -j2: exit $?"
[ "$(field 'fixture_pair_*' '[.results[] | select(.outcome == "PASS")] | length')" = 2 ] ||
	fail "-j2: the rendezvous pair did not both pass"

# Filters.
n=$("$fixtures" list --selftest -t 'fixture_pa*' | wc -l)
[ "$n" -eq 3 ] || fail "list -t fixture_pa*: $n tests, want 3"
n=$("$fixtures" list | wc -l)
[ "$n" -eq 0 ] || fail "selftest fixtures listed without --selftest -t"
n=$("$fixtures" list --selftest -t 'harness/fixture_pass' | wc -l)
[ "$n" -eq 1 ] || fail "area/name glob did not match"

# Bad usage: exit 2, nothing run.
rc=0; "$fixtures" run --jobs=-1 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "run --jobs=-1: exit $rc, want 2"
rc=0; "$fixtures" run --area nosuch 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "run --area nosuch: exit $rc, want 2"
rc=0; "$fixtures" run --lesson 0 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "run --lesson 0: exit $rc, want 2"
rc=0; "$fixtures" frobnicate 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "unknown verb: exit $rc, want 2"

# SIGTERM mid-run: the running test's tree is killed, the rest is reported
# as not run, the TAP stream and the reports are complete, exit is 128+15.
mkfifo "$ISOLAB_SELFTEST_DIR/running"
"$fixtures" run --selftest -t fixture_block -t fixture_block_next --tap \
	--json "$work/interrupted.json" > "$work/interrupted.tap" 2>/dev/null &
bg=$!
read -r _ < "$ISOLAB_SELFTEST_DIR/running"
kill -TERM "$bg"
rc=0; wait "$bg" || rc=$?
bg=
[ $rc -eq 143 ] || fail "SIGTERM: exit $rc, want 143"
grep -q '^1\.\.2$' "$work/interrupted.tap" || fail "SIGTERM: TAP plan missing: $(cat "$work/interrupted.tap")"
[ "$(jq -r .interrupted_by "$work/interrupted.json")" = 15 ] || fail "SIGTERM: interrupted_by not 15"
[ "$(jq -r '[.results[] | select(.outcome == "BROKEN")] | length' "$work/interrupted.json")" = 2 ] ||
	fail "SIGTERM: both tests should be BROKEN (killed, not run)"
pids_gone fixture_block

# Nothing of ours is left: no journal, no run directory, no cgroup.
[ -z "$(ls -A "$ISOLAB_STATE_DIR/journal" 2>/dev/null)" ] || fail "journal files left: $(ls "$ISOLAB_STATE_DIR/journal")"
[ -z "$(ls -A "$ISOLAB_STATE_DIR/runs" 2>/dev/null)" ] || fail "run directories left"
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
for report in "$work"/*.json; do
	id=$(jq -r .run_id "$report")
	[ -n "$cg2" ] && [ -e "$cg2/isolab-$id" ] && fail "cgroup left by run $id: $cg2/isolab-$id"
done

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "runner outcomes: all checks passed"
