#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The network suite leaves the root network namespace as it found it: its
# links, addresses, routes (IPv4 and IPv6), nftables ruleset and
# net.ipv4.ip_forward read the same before and after `isolab run -a
# network`. Every test of the suite builds a lab namespace of its own
# (suites/network/nt.h); this checks from the outside that nothing escaped
# it. Only read-only commands are run here on the root namespace.
#
# Usage: root-untouched.sh ISOLAB
# TAP on stdout; "1..0 # SKIP" without root, ip(8) or nft(8).
set -euo pipefail

isolab=${1:?usage: root-untouched.sh ISOLAB}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
for tool in ip nft sysctl; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP needs $tool"
		exit 0
	fi
done

# The snapshots are host-wide: two copies of this test (two build
# directories, or meson's --repeat) must not overlap. flock(1) on this file
# serialises them and leaves nothing behind.
exec 9<"$0"
flock -w 600 9 || { echo "Bail out! another root-untouched.sh held its lock for 600 s"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each view, filtered only of what changes by itself:
# - `ip addr`: valid_lft/preferred_lft count down on DHCP or SLAAC
#   addresses (ip-address(8)); the addresses themselves stay.
# - `ip -6 route`: "expires Nsec" counts down on router-advertised routes.
# - `nft list ruleset`: "counter packets N bytes M" and quota usage move
#   with any traffic on the host; the rules stay.
# `ip -d link` is used without -s, so no packet statistics appear.
view() {
	case $1 in
	link) ip -d link show ;;
	addr) ip addr show | sed -E 's/valid_lft [^ ]+ preferred_lft [^ ]+//' ;;
	route) ip route show table all ;;
	route6) ip -6 route show table all | sed -E 's/ expires [0-9]+sec//' ;;
	nft) nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/; s/used [0-9]+ [a-z]+//' ;;
	sysctl) sysctl net.ipv4.ip_forward ;;
	esac
}
views="link addr route route6 nft sysctl"

for v in $views; do
	view "$v" >"$tmp/before.$v"
done

status=0
"$isolab" run --tap -a network >"$tmp/run.tap" 2>"$tmp/run.err" || status=$?

for v in $views; do
	view "$v" >"$tmp/after.$v"
done

n=0
total=$((1 + $(echo $views | wc -w)))
echo "1..$total"
n=$((n + 1))
# The suite's own verdicts are its own meson tests; here the run only has
# to complete (isolab --tap exits 0 whenever its TAP stream is complete).
if [ "$status" = 0 ]; then
	echo "ok $n - isolab run -a network completed"
else
	echo "not ok $n - isolab run -a network exited $status"
	sed 's/^/# /' "$tmp/run.err" | tail -n 20
fi
grep -E '^(not )?ok ' "$tmp/run.tap" | sed 's/^/#   /' || true
for v in $views; do
	n=$((n + 1))
	if diff -u "$tmp/before.$v" "$tmp/after.$v" >"$tmp/diff.$v"; then
		echo "ok $n - root namespace $v unchanged"
	else
		echo "not ok $n - root namespace $v changed"
		sed 's/^/# /' "$tmp/diff.$v"
	fi
done
