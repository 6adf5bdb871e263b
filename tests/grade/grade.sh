#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `isolab grade` end to end (TAP). Cases:
#   reference   the built contain scores 100% on lessons 1,2,3,4,8,10,11 on
#               this host, natively, and lesson 5 through the automatic VM
#               (its cgroup v2 tests skip here) when qemu is installed
#   liar        tests/grade/liar-runtime.sh (prints probe-like output with
#               exit 0, creates nothing) scores 0 on lessons 1 and 2, both
#               with a canned nonce and with the nonce copied from its argv
#   starter     build/starter/contain-starter (every verb "not implemented")
#               passes no test of lessons 1-4 and 8-11 on this host, with
#               `oci unpack` and the tracer pointed at it too
#   shellout    suites/tracing/shellout-runtime.sh (delegates to unshare(1))
#               is "native: no" on lesson 1
#   usage       bad flags exit 2 and write nothing
#   vm          --vm on lesson 1: every result comes from a VM
#
# Usage: grade.sh ISOLAB SCHEMA CASE
set -euo pipefail

isolab=$(realpath "${1:?usage: grade.sh ISOLAB SCHEMA CASE}")
schema=$(realpath "${2:?usage: grade.sh ISOLAB SCHEMA CASE}")
case_=${3:?usage: grade.sh ISOLAB SCHEMA CASE}
here=$(cd "$(dirname "$0")" && pwd)
check="/usr/bin/python3 $here/check-grade.py $schema"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
# grade EXPECTED_EXIT DIR ARGS...: run isolab grade into DIR, check the exit.
grade() {
	local want=$1 dir=$2 rc=0
	shift 2
	"$isolab" grade -o "$dir" "$@" > "$dir.out" 2> "$dir.err" || rc=$?
	sed 's/^/# /' "$dir.out"
	if [ "$rc" != "$want" ]; then
		not_ok "isolab grade $*: exit $rc, want $want"
		sed 's/^/# /' "$dir.err" | tail -20
		return 1
	fi
	ok "isolab grade $* -> $rc"
}
checked() {
	local desc=$1 rc=0
	shift
	$check "$@" 2> "$tmp/check.err" || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$desc"
	elif [ "$rc" = 77 ]; then
		n=$((n + 1))
		echo "ok $n - $desc # SKIP python3-jsonschema is not installed"
	else
		not_ok "$desc"
		sed 's/^/# /' "$tmp/check.err"
	fi
}
# probe_yes ID: the host probe says yes (output captured first: grep -q and pipefail).
probe_yes() {
	local out
	out=$("$isolab" probe "$1" 2> /dev/null || true)
	grep -qE "^$1 +yes" <<< "$out"
}
have_qemu() { probe_yes vm.qemu; }

case "$case_" in
reference)
	lessons=1,2,3,4,8,10,11
	expect=(1=score=1,native=yes 2=score=1,native=yes 3=score=1,native=yes
		4=score=1,native=yes 8=score=1,native=yes 10=score=1,native=yes
		11=score=1,native=yes)
	if have_qemu; then
		lessons=$lessons,5
		expect+=(5=score=1,where~vm:)
	fi
	grade 0 "$tmp/ref" --lessons "$lessons" || true
	checked "reference: 100% on lessons $lessons, native on the host" "$tmp/ref" "${expect[@]}"
	;;
liar)
	liar=$here/liar-runtime.sh
	grade 1 "$tmp/liar" --lessons 1,2 --runtime "$liar --canned" || true
	checked "a runtime that prints probe-like output scores 0 on lessons 1 and 2" \
		"$tmp/liar" 1=score=0 2=score=0
	# The nonce copied from its argv: every test also looks from the host.
	grade 1 "$tmp/forge" --lessons 1,2 --runtime "$liar" || true
	checked "a runtime that forges the probe's nonce scores 0 on lessons 1 and 2" \
		"$tmp/forge" 1=score=0 2=score=0
	;;
starter)
	starter=$(dirname "$isolab")/starter/contain-starter
	lessons=1,2,3,4,8,9,10,11
	expect=()
	for l in ${lessons//,/ }; do
		expect+=("$l=score=0")
	done
	# As tests/starter/starter.py: `oci unpack` and the tracer are the starter's.
	ISOLAB_OCI_UNPACKER="$starter oci" ISOLAB_TRACER=$starter \
		grade 1 "$tmp/starter" --lessons "$lessons" --runtime "$starter" || true
	checked "the starter passes no test of lessons $lessons" "$tmp/starter" "${expect[@]}"
	;;
shellout)
	grade 1 "$tmp/sh" --lessons 1 --runtime "$here/../../suites/tracing/shellout-runtime.sh" || true
	if probe_yes bpf.tracepoint && probe_yes bpf.btf; then
		checked "a runtime that runs unshare(1) is native: no on lesson 1" "$tmp/sh" \
			1=native=no,tool=unshare
	else
		checked "no BPF: native is unknown" "$tmp/sh" 1=native=unknown
	fi
	;;
usage)
	cd "$tmp"
	for args in "--bogus" "--lessons 99" "--lessons x" "--runtime ''" "--vm-kernel nope" \
		"--timeout-multiplier 0" "stray"; do
		rc=0
		eval "\"$isolab\" grade -o out --json j.json --junit j.xml $args" > /dev/null 2>&1 || rc=$?
		if [ "$rc" = 2 ] && [ -z "$(ls -A "$tmp")" ]; then
			ok "isolab grade $args -> 2, nothing written"
		else
			not_ok "isolab grade $args -> $rc; written: $(ls -A "$tmp")"
		fi
	done
	if "$isolab" grade --help | grep -q -- "--runtime WORDS"; then
		ok "isolab grade --help"
	else
		not_ok "isolab grade --help"
	fi
	;;
vm)
	if ! have_qemu; then
		echo "1..0 # SKIP qemu is not installed"
		exit 0
	fi
	grade 0 "$tmp/vm" --vm --lessons 1 || true
	checked "--vm: lesson 1 graded inside a VM" "$tmp/vm" 1=score=1,native=unknown,where~vm:
	if grep -q '"where": "host"' "$tmp/vm/grade.json"; then
		not_ok "--vm: no result may come from the host"
	else
		ok "--vm: no result came from the host"
	fi
	;;
*)
	echo "grade.sh: unknown case $case_" >&2
	exit 2
	;;
esac
echo "1..$n"
