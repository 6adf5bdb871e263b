#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A real run as a user makes it: every suite the build has, -j2, all three
# reports. The reports must validate, carry the host facts, agree with each
# other, and the run must leave nothing in its state directory.
# usage: live-run.sh ISOLAB VALIDATE_JSON... -- VALIDATE_JUNIT...
set -euo pipefail

isolab=$1
shift
vjson=()
while [ "$1" != -- ]; do vjson+=("$1"); shift; done
shift
vjunit=("$@")

work=$(mktemp -d /tmp/isolab-live-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Like /run: user-namespace tests run as a mapped uid that must reach the state dir.
chmod 0711 "$work"
export ISOLAB_STATE_DIR=$work/state
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

rc=0
"$isolab" run -j2 --report-dir "$work/r" > "$work/stdout" 2> "$work/stderr" || rc=$?
[ $rc -eq 0 ] || fail "isolab run exited $rc: $(tail -5 "$work/stdout")"

"${vjson[@]}" "$work/r/report.json" > /dev/null || fail "report.json does not validate"
"${vjunit[@]}" "$work/r/junit.xml" > /dev/null || fail "junit.xml does not validate"

# Facts the JUnit properties must carry for graders and CI.
for key in kernel cgroup_layout tree_kill runtime; do
	grep -q "<property name=\"$key\"" "$work/r/junit.xml" || fail "junit.xml lacks property $key"
done
grep -q '<property name="probe\.ns\.pid" value="yes"' "$work/r/junit.xml" ||
	fail "junit.xml lacks the probe facts"

# The three reports tell the same story.
n_json=$(jq '.results | length' "$work/r/report.json")
n_xml=$(grep -c '<testcase ' "$work/r/junit.xml")
[ "$n_json" = "$n_xml" ] || fail "report.json has $n_json results, junit.xml $n_xml testcases"
passed=$(jq '[.results[] | select(.outcome == "PASS" or .outcome == "WARN" or .outcome == "XFAIL")] | length' "$work/r/report.json")
skipped=$(jq '[.results[] | select(.outcome == "SKIP")] | length' "$work/r/report.json")
last=$(tail -1 "$work/r/console.txt")
[ "$last" = "$passed passed, 0 failed, $skipped skipped" ] || fail "console.txt ends with '$last'"
[ "$(tail -1 "$work/stdout")" = "$last" ] || fail "stdout and console.txt disagree"

# Nothing left: no journal, no scratch directory, no complaint from the journal.
[ -z "$(ls -A "$ISOLAB_STATE_DIR/journal")" ] || fail "journals left: $(ls "$ISOLAB_STATE_DIR/journal")"
[ -z "$(ls -A "$ISOLAB_STATE_DIR/runs")" ] || fail "scratch dirs left: $(ls "$ISOLAB_STATE_DIR/runs")"
if grep -E 'failed to undo|kept journal' "$work/stderr"; then
	fail "the run could not clean up after itself"
fi

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "live run: $n_json tests, $passed passed, $skipped skipped; reports valid; nothing left"
