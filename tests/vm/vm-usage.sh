#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `isolab vm` and `isolab run --vm` refuse bad input with exit 2 and a message
# naming the problem, before booting or downloading anything.
#
# Usage: vm-usage.sh ISOLAB
set -euo pipefail

isolab=${1:?usage: vm-usage.sh ISOLAB}
n=0
fail() {
	echo "not ok $n - $*"
	exit 1
}

# expect EXIT PATTERN ARGS...: exit code and a stderr line matching PATTERN.
expect() {
	local want=$1 pattern=$2 rc=0 err
	shift 2
	n=$((n + 1))
	err=$("$isolab" "$@" 2>&1 > /dev/null) || rc=$?
	[ "$rc" = "$want" ] || fail "isolab $*: exit $rc, expected $want ($err)"
	grep -qE -- "$pattern" <<< "$err" || fail "isolab $*: stderr does not say /$pattern/: $err"
	echo "ok $n - isolab $* -> $rc"
}

expect 2 "unknown kernel spec 'bogus'" vm --kernel bogus
expect 2 "path:" vm --kernel path:/boot/vmlinuz-none
expect 2 "bad --mem '12Q'" vm --mem 12Q
expect 2 "bad --smp '0'" vm --smp 0
expect 2 "bad --accel 'xen'" vm --accel xen
expect 2 "bad --boot 'efi'" vm --boot efi
expect 2 "bad --fault 'oops'" vm --fault oops
expect 2 "not an option the guest" vm -- --report-dir /tmp/x
expect 2 "no test matches" vm -- -t no_such_test_anywhere
expect 2 "options for .isolab run. go after '--'" vm stray
expect 2 "bad --vm 'sometimes'" run --vm sometimes
expect 2 "--vm-kernel: unknown kernel spec" run --vm auto --vm-kernel nope
n=$((n + 1))
"$isolab" vm --help | grep -q -- "--kernel SPEC" || fail "isolab vm --help"
echo "ok $n - isolab vm --help"
echo "1..$n"
