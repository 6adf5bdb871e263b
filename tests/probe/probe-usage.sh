#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# probe-usage.sh ISOLAB: the command line of `isolab probe`. Bad flags and
# unknown ids are refused with a message on stderr and exit status 2 before
# anything runs; --help, a selection of ids and --json behave as documented.
set -euo pipefail

isolab=${1:?usage: probe-usage.sh ISOLAB}
failures=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: sets rc, leaves stdout and stderr in $tmp/NAME.{out,err}
run() {
	local name=$1
	shift
	rc=0
	"$isolab" probe "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}

refused() {
	local name=$1 word=$2
	if [ "$rc" = 2 ] && grep -qF -- "$word" "$tmp/$name.err" && [ ! -s "$tmp/$name.out" ]; then
		ok "$name: exit 2, stderr names $word, nothing on stdout"
	else
		bad "$name: exit $rc, stderr \"$(cat "$tmp/$name.err")\"," \
			"stdout $(wc -c <"$tmp/$name.out") bytes"
	fi
}

run bogus --bogus
refused bogus --bogus

run no_such no.such.id
refused no_such no.such.id

run mixed ns.uts no.such.id
refused mixed no.such.id

run help --help
if [ "$rc" = 0 ] && grep -q "^usage: isolab probe" "$tmp/help.out" &&
	grep -q "ns.pid" "$tmp/help.out" && grep -q "cgroup2.memory" "$tmp/help.out"; then
	ok "--help: exit 0, usage and the probe ids on stdout"
else
	bad "--help: exit $rc"
fi

run one ns.uts
if [ "$rc" = 0 ] && [ "$(grep -c '^ns\.' "$tmp/one.out")" = 1 ] &&
	! grep -q '^LESSON' "$tmp/one.out"; then
	ok "ns.uts alone: exit 0, one probe row, no lesson table"
else
	bad "ns.uts alone: exit $rc, output: $(cat "$tmp/one.out")"
fi

run json --json ns.uts seccomp ns.uts
if [ "$rc" = 0 ] &&
	jq -e '[.probes[].id] == ["ns.uts", "seccomp"] and (has("lessons") | not) and
		all(.probes[]; (.verdict | IN("yes", "no", "unknown")) and
			(.duration_s | type) == "number")' \
		"$tmp/json.out" >/dev/null; then
	ok "--json with ids: just those probes, once each, no lessons"
else
	bad "--json with ids: exit $rc, output: $(cat "$tmp/json.out")"
fi

echo "1..$n"
[ "$failures" = 0 ]
