#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Whole `isolab vm` runs on a stock Debian kernel, checked through the JSON
# report the host writes (never through what the guest prints):
#
#   smoke         boot debian:6.1, run the probe and the isolation suite; every
#                 result comes back from the VM, none fails, and the guest's own
#                 probe finds the cgroup2 memory, cpu and pids controllers
#                 writable (what this host cannot offer)
#   panic         the guest init is told to crash the kernel: KERNEL_PANIC, with
#                 the panic in the console excerpt, and the test marked not run
#   panic-text    a test prints a fake "Kernel panic" line on the console: the
#                 VM still ends as RESULTS (only the kernel's verdict counts)
#   hang          the guest init stops its heartbeat: HANG, within the bound
#   boot-timeout  bogus kernel arguments (no init, wait for a root device that
#                 never comes): BOOT_TIMEOUT
#   run-auto      `isolab run --vm auto`: a test whose needs fail on this host
#                 runs in the VM instead, marked vm:debian-6.1
#   limits        the limits suite for real (its controllers may be bound to
#                 cgroup v1 here): every limits test comes back from the VM as
#                 PASS; a FAIL, SKIP, BROKEN or TIMEOUT fails the case
#   network       the same for the network suite (issue 6: it must pass in the
#                 VM as well as on the host)
#   oci           the same for the OCI suite (issue 7: oci_cgroup_memory_limit
#                 needs the cgroup2 memory controller); a WARN counts as passed
#                 there, as the suite grades SHOULDs (exit codes, a relative
#                 bind source) as WARN
#
# Usage: vm-run.sh ISOLAB CASE
# Exits 77 (skipped, for meson) without root or qemu; the kernel is fetched
# into the per-user cache once and shared by every case.
set -euo pipefail

isolab=${1:?usage: vm-run.sh ISOLAB CASE}
case_=${2:?usage: vm-run.sh ISOLAB CASE}

say() { echo "# $*"; }
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 77; }
command -v qemu-system-x86_64 > /dev/null || { say "skipped: no qemu-system-x86_64"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
report=$tmp/report.json

jqr() { jq -r "$@" "$report"; }

run_vm() {
	local rc=0
	"$isolab" vm --kernel debian:6.1 --json "$report" --keep "$tmp/keep" "$@" \
		> "$tmp/out.txt" 2> "$tmp/err.txt" || rc=$?
	cat "$tmp/out.txt"
	sed 's/^/# stderr: /' "$tmp/err.txt"
	[ -s "$report" ] || fail "no JSON report written (exit $rc)"
	echo "$rc"
}

expect_class() {
	local want=$1 got
	got=$(jqr '.vms[0].classification')
	[ "$got" = "$want" ] || {
		tail -40 "$tmp"/keep/*/console.log 2> /dev/null | sed 's/^/# console: /' || true
		fail "classified $got, expected $want ($(jqr '.vms[0].detail'))"
	}
	say "classified $got: $(jqr '.vms[0].detail')"
}

case $case_ in
smoke)
	rc=$(run_vm -- --area isolation | tee /dev/stderr | tail -1)
	expect_class RESULTS
	want=$("$isolab" list --area isolation | wc -l)
	got=$(jqr '[.results[] | select(.where == "vm:debian-6.1" and .area == "isolation")] | length')
	[ "$got" = "$want" ] || fail "$got isolation results came back, expected $want"
	bad=$(jqr '[.results[] | select(.outcome == "FAIL" or .outcome == "BROKEN" or .outcome == "TIMEOUT")] | map(.name + ": " + (.reason // "")) | join("; ")')
	[ -z "$bad" ] || fail "failed in the VM: $bad"
	[ "$rc" = 0 ] || fail "isolab vm exited $rc with every result passing"
	for c in memory cpu pids; do
		v=$(jqr ".vms[0].probe.probes[] | select(.id == \"cgroup2.$c\") | .verdict")
		[ "$v" = yes ] || fail "guest probe cgroup2.$c: ${v:-missing}"
	done
	release=$(jqr '.vms[0].release')
	case $release in 6.1.*) ;; *) fail "guest kernel is '$release', not 6.1" ;; esac
	[ -s "$tmp/keep/debian-6.1/console.log" ] || fail "--keep kept no console.log"
	say "guest $release: $got isolation results, cgroup2 memory/cpu/pids writable"
	say "hello $(jqr '.vms[0].boot_s') s, first result $(jqr '.vms[0].first_result_s') s, wall $(jqr '.vms[0].wall_s') s ($(jqr '.vms[0].accel')/$(jqr '.vms[0].boot'))"
	;;
panic)
	rc=$(run_vm --fault panic -- -t utsns_hostname_inside_only | tail -1)
	expect_class KERNEL_PANIC
	jqr '.vms[0].excerpt' | grep -q 'Kernel panic' || fail "no panic in the console excerpt"
	o=$(jqr '.results[] | select(.name == "utsns_hostname_inside_only") | .outcome')
	[ "$o" = BROKEN ] || fail "the test that never ran is $o, not BROKEN"
	[ "$rc" = 1 ] || fail "exit $rc after a kernel panic, expected 1"
	;;
panic-text)
	# A "runtime" that prints the kernel's panic line and fails the test.
	rc=$(run_vm -- -t badinput_unknown_flag \
		--runtime "/bin/sh -c 'echo \"[    1.0] Kernel panic - not syncing: fake\" >&2; exit 1' x" |
		tail -1)
	expect_class RESULTS
	o=$(jqr '.results[] | select(.name == "badinput_unknown_flag") | .outcome')
	[ "$o" = FAIL ] || fail "the fake runtime's test is $o, not FAIL"
	;;
hang)
	bound=8
	start=$(date +%s)
	rc=$(run_vm --fault hang --hang-timeout "$bound" -- -t utsns_hostname_inside_only | tail -1)
	took=$(($(date +%s) - start))
	expect_class HANG
	hello=$(jqr '.vms[0].boot_s | floor')
	# Boot, then the bound, then at most a few seconds to kill and classify.
	[ "$took" -le $((hello + bound + 10)) ] || fail "HANG took ${took}s (hello at ${hello}s, bound ${bound}s)"
	[ "$rc" = 1 ] || fail "exit $rc after a hang, expected 1"
	say "HANG after ${took}s (hello at ${hello}s, bound ${bound}s)"
	;;
boot-timeout)
	rc=$(run_vm --boot-timeout 20 --append "rdinit=/nonexistent root=/dev/nonexistent rootwait" \
		-- -t utsns_hostname_inside_only | tail -1)
	expect_class BOOT_TIMEOUT
	[ "$rc" = 1 ] || fail "exit $rc after a boot timeout, expected 1"
	;;
run-auto)
	rc=0
	"$isolab" run --vm auto --json "$report" -a limits > "$tmp/out.txt" 2>&1 || rc=$?
	sed 's/^/# /' "$tmp/out.txt"
	[ "$rc" = 0 ] || fail "isolab run --vm auto exited $rc"
	n=$(jqr '[.results[]] | length')
	[ "$n" -gt 0 ] || fail "no limits tests ran"
	if [ "$(jqr '[.results[] | select(.where == "host" and .outcome == "SKIP")] | length')" != 0 ]; then
		fail "a test skipped on the host was not re-run in the VM"
	fi
	invm=$(jqr '[.results[] | select(.where == "vm:debian-6.1")] | length')
	say "$invm of $n limits tests ran in the VM: $(jqr '[.results[] | .name + "=" + .outcome + "@" + .where] | join(" ")')"
	;;
limits | network | oci)
	area=$case_
	notpass='.outcome != "PASS"'
	[ "$area" != oci ] || notpass='.outcome != "PASS" and .outcome != "WARN"'
	rc=$(run_vm -- --area "$area" | tail -1)
	expect_class RESULTS
	want=$("$isolab" list --area "$area" | wc -l)
	got=$(jqr "[.results[] | select(.where == \"vm:debian-6.1\" and .area == \"$area\")] | length")
	[ "$got" = "$want" ] || fail "$got $area results came back, expected $want"
	# A SKIP counts too: this guest has every controller, veth, bridge and
	# nft, so a skip would hide a test that should have run.
	bad=$(jqr "[.results[] | select(.area == \"$area\" and ($notpass))] | map(.name + \" \" + .outcome + \": \" + (.reason // \"\")) | join(\"; \")")
	[ -z "$bad" ] || fail "not PASS in the VM: $bad"
	[ "$rc" = 0 ] || fail "isolab vm exited $rc with every $area result passing"
	say "$got $area tests passed on $(jqr '.vms[0].release'), wall $(jqr '.vms[0].wall_s') s ($(jqr '.vms[0].accel'))"
	;;
*)
	fail "unknown case $case_"
	;;
esac
