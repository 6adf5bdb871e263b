#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# probe-truth.sh ISOLAB [QEMU]: does `isolab probe` tell the truth, and does
# it leave the host as it found it?
#
# Every verdict of `isolab probe --json` is compared with an independent
# check this script makes itself with stock tools (util-linux unshare, ip
# inside `unshare -n`, nft, bpftool, the cgroup files), computed from what
# this host has rather than from a list of expected answers. Where a cgroup2
# controller is bound to a v1 hierarchy, the explanation must say so in the
# documented words. Mount points, links, named netns and the cgroup2 tree are
# snapshotted before and after the probes and must not change.
#
# QEMU is the qemu path isolab was configured with (may be empty).
set -euo pipefail

isolab=${1:?usage: probe-truth.sh ISOLAB [QEMU]}
qemu=${2:-}
failures=0
checked=0

ok() { checked=$((checked + 1)); echo "ok - $*"; }
bad() { checked=$((checked + 1)); failures=$((failures + 1)); echo "not ok - $*"; }
note() { echo "# $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 77
fi
for tool in jq unshare ip; do
	command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

# "fstype mountpoint superopts" for every mount (the fields after " - ").
mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $5, $(i + 3); break } }' \
		/proc/self/mountinfo
}

cg2=$(mounts | awk '$1 == "cgroup2" { print $2; exit }')

snapshot() {
	echo "== mount points"
	awk '{ print $5 }' /proc/self/mountinfo | sort
	echo "== links"
	ip -o link show | awk -F': ' '{ print $1 ": " $2 }' | sort
	echo "== netns"
	ip netns list 2>/dev/null | sort || true
	if [ -n "$cg2" ]; then
		echo "== cgroup2 tree"
		find "$cg2" -type d | sort
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Other activity on the host (a second test run) can change the snapshot too.
# A change naming what the probes create fails at once; any other change
# fails when it shows in three runs in a row (a leak by a probe recurs, as
# scratch cgroups carry the pid and stacked mounts are listed again).
our_names='isolab-probe|isolab-pv[01]|isolab-pbr0|isolab_probe|isolab-userns'
clean=false
for attempt in 1 2 3; do
	snapshot >"$tmp/before"
	if ! "$isolab" probe --json >"$tmp/probe.json" 2>"$tmp/probe.err"; then
		cat "$tmp/probe.err" >&2
		bad "isolab probe --json exits 0"
		exit 1
	fi
	snapshot >"$tmp/after"
	if diff -u "$tmp/before" "$tmp/after" >"$tmp/diff"; then
		clean=true
		break
	fi
	note "attempt $attempt: the snapshot changed around isolab probe:"
	sed 's/^/#   /' "$tmp/diff"
	if grep -E '^[-+]' "$tmp/diff" | grep -qE "$our_names"; then
		break
	fi
done
ok "isolab probe --json exits 0"
if [ -s "$tmp/probe.err" ]; then
	note "stderr of isolab probe:"
	sed 's/^/#   /' "$tmp/probe.err"
fi
if $clean; then
	ok "mount points, links, netns list and cgroup2 tree unchanged"
else
	bad "the probes left something behind (see the snapshot difference above)"
fi

jq -e '.probes | length > 0' "$tmp/probe.json" >/dev/null || { bad "JSON has probes"; exit 1; }

field() { jq -r --arg id "$1" --arg f "$2" '.probes[] | select(.id == $id) | .[$f] // ""' \
	"$tmp/probe.json"; }

seen_ids=" "

# expect ID WANT(yes|no) WHY: compare the probe's verdict with ours.
expect() {
	local id=$1 want=$2 why=$3 got
	seen_ids+="$id "
	got=$(field "$id" verdict)
	if [ -z "$got" ]; then
		bad "$id: missing from the JSON"
	elif [ "$got" = "$want" ]; then
		ok "$id: $got ($why)"
	else
		bad "$id: isolab says $got, independent check says $want ($why)"
		note "  evidence: $(field "$id" evidence)"
		note "  explanation: $(field "$id" explanation) ($(field "$id" errno))"
	fi
}

# expect_cmd ID WHY CMD...: yes when CMD succeeds.
expect_cmd() {
	local id=$1 why=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		expect "$id" yes "$why"
	else
		expect "$id" no "$why fails"
	fi
}

# A probe whose library isolab was built without says unknown, with that reason.
built_without() {
	[ "$(field "$1" verdict)" = unknown ] &&
		[[ "$(field "$1" explanation)" == *"built without"* ]]
}

explains() {
	local id=$1 text=$2
	if [[ "$(field "$id" explanation)" == *"$text"* ]]; then
		ok "$id: explanation says \"$text\""
	else
		bad "$id: explanation \"$(field "$id" explanation)\" lacks \"$text\""
	fi
}

# ---- namespaces -------------------------------------------------------

expect_cmd ns.pid "unshare --pid --fork: \$\$ is 1" unshare --pid --fork bash -c '[ $$ -eq 1 ]'
expect_cmd ns.mnt "unshare --mount: a private tmpfs" \
	unshare --mount sh -c 'mount -t tmpfs truth /mnt && findmnt -n /mnt'
expect_cmd ns.uts "unshare --uts: hostname" \
	unshare --uts sh -c 'hostname isolab-truth && [ "$(hostname)" = isolab-truth ]'
expect_cmd ns.ipc "unshare --ipc" unshare --ipc true
expect_cmd ns.user "unshare --user" unshare --user true
expect_cmd ns.cgroup "unshare --cgroup: /proc/self/cgroup paths are /" \
	unshare --cgroup sh -c '! grep -qv ":/$" /proc/self/cgroup'
expect_cmd ns.time "unshare --time --boottime 86400: uptime shifted" \
	unshare --time --fork --boottime 86400 \
	sh -c 'read -r up _ </proc/uptime && [ "${up%%.*}" -ge 86400 ]'
expect_cmd ns.net "unshare --net: only lo" \
	unshare --net sh -c '[ "$(ip -o link show | grep -vc ": lo:")" = 0 ]'
expect_cmd userns.map "unshare --user --map-root-user: hostname and tmpfs as root" \
	unshare --user --map-root-user --uts --mount \
	sh -c 'hostname isolab-truth && [ "$(id -u)" = 0 ] && mount -t tmpfs truth /mnt'

# ---- cgroups ----------------------------------------------------------

# The v1 mount holding a controller, from the super options of cgroup mounts.
v1_mount() {
	mounts | awk -v c="$1" '$1 == "cgroup" {
		n = split($3, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }'
}

# A block device for io.max, preferring real hardware, as a scratch test needs.
block_dev() {
	local best="" d
	for d in /sys/block/*; do
		[ -r "$d/dev" ] || continue
		case ${d##*/} in loop* | ram* | zram* | nbd*) continue ;; esac
		[ -e "$d/device" ] && { cat "$d/dev"; return; }
		[ -n "$best" ] || best=$(cat "$d/dev")
	done
	[ -n "$best" ] && echo "$best"
}

# Write a limit in a scratch group of our own, like the probe, but with shell tools.
cg2_write_test() {
	local c=$1 g="$cg2/isolab-truth-$$-$1" dev rc=0
	mkdir "$g" || return 1
	case $c in
	memory) echo 33554432 >"$g/memory.max" && grep -qx 33554432 "$g/memory.max" || rc=1 ;;
	cpu) echo "50000 100000" >"$g/cpu.max" && grep -qx "50000 100000" "$g/cpu.max" || rc=1 ;;
	pids) echo 64 >"$g/pids.max" && grep -qx 64 "$g/pids.max" || rc=1 ;;
	io)
		dev=$(block_dev) || rc=1
		if [ $rc = 0 ]; then
			echo "$dev rbps=1048576" >"$g/io.max" &&
				grep -q "^$dev rbps=1048576" "$g/io.max" || rc=1
		fi
		;;
	esac
	rmdir "$g" || rc=1
	return $rc
}

if [ -n "$cg2" ]; then
	expect_cmd cgroup2.mount "mkdir and rmdir in $cg2" \
		sh -c "mkdir '$cg2/isolab-truth-$$' && rmdir '$cg2/isolab-truth-$$'"
	offered=$(cat "$cg2/cgroup.controllers")
	delegated=$(cat "$cg2/cgroup.subtree_control")
else
	expect cgroup2.mount no "no cgroup2 line in mountinfo"
	offered=""
	delegated=""
fi
note "cgroup2 at ${cg2:-(none)} offers \"$offered\", delegates \"$delegated\""

for c in memory cpu pids io; do
	id=cgroup2.$c
	v1name=$c
	[ "$c" = io ] && v1name=blkio
	if [ -n "$cg2" ] && [[ " $offered " == *" $c "* ]]; then
		if [[ " $delegated " != *" $c "* ]]; then
			expect "$id" no "$c offered but not in the root's cgroup.subtree_control"
			explains "$id" "does not delegate it"
		elif cg2_write_test "$c"; then
			expect "$id" yes "limit written and read back in a scratch group"
		else
			expect "$id" no "writing the limit in a scratch group fails"
		fi
		continue
	fi
	expect "$id" no "$c is not in $cg2/cgroup.controllers"
	[ "$(field "$id" errno)" = ENOENT ] && ok "$id: errno ENOENT" ||
		bad "$id: errno $(field "$id" errno), want ENOENT"
	v1=$(v1_mount "$v1name")
	if [ -n "$v1" ]; then
		explains "$id" "$c controller bound to v1 hierarchy at $v1"
	fi
	if [ -n "$cg2" ]; then
		if [ -n "$offered" ]; then
			explains "$id" "cgroup2 mount at $cg2 offers only $offered"
		else
			explains "$id" "cgroup2 mount at $cg2 offers no controllers"
		fi
	fi
	reason=$(jq -r --arg id "$id" '.lessons[]? | select(.blocked_by == $id) | .reason' \
		"$tmp/probe.json" | head -n1)
	if [ -n "$reason" ]; then
		want="probe $id: $(field "$id" explanation) (ENOENT)"
		[ "$reason" = "$want" ] && ok "$id: skip reason \"$reason\"" ||
			bad "$id: skip reason \"$reason\", want \"$want\""
	fi
done

v1_with_controllers=$(
	subsys=$(awk '!/^#/ { print $1 }' /proc/cgroups | tr '\n' ' ')
	mounts | awk -v s=" $subsys " '$1 == "cgroup" {
		n = split($3, o, ",")
		for (i = 1; i <= n; i++) if (index(s, " " o[i] " ")) print $2 }' |
		sort -u
)
if [ -n "$v1_with_controllers" ]; then
	expect cgroup.v1 yes "v1 mounts with controllers: $(echo $v1_with_controllers)"
	for m in $v1_with_controllers; do
		if [[ "$(field cgroup.v1 evidence)" == *" at $m"* ]]; then
			ok "cgroup.v1: evidence lists $m"
		else
			bad "cgroup.v1: evidence lacks $m"
		fi
	done
else
	expect cgroup.v1 no "no v1 mount with controllers"
fi

# ---- mounts -----------------------------------------------------------

# After pivot_root the old root's binaries are gone; bash builtins check.
expect_cmd pivot_root "util-linux pivot_root onto a tmpfs" unshare --mount bash -c \
	'mount -t tmpfs truth /mnt && cd /mnt && : >marker && mkdir old &&
	 pivot_root . old && [ -e /marker ] && [ -d /old/proc ]'
expect_cmd overlayfs "mount -t overlay, write through merged" unshare --mount sh -c \
	'mount -t tmpfs truth /mnt && cd /mnt && mkdir l u w m && echo lower >l/f &&
	 mount -t overlay truth -o lowerdir=/mnt/l,upperdir=/mnt/u,workdir=/mnt/w /mnt/m &&
	 echo merged >m/f && grep -qx merged u/f && grep -qx lower l/f'

# ---- network, only inside unshare -n ------------------------------------

expect_cmd net.veth "ip link add type veth in unshare -n" unshare --net sh -c \
	'ip link add t0 type veth peer name t1 && ip link set t0 up && ip link set t1 up &&
	 ip -o link show t0 | grep -q "<.*UP.*>"'
expect_cmd net.bridge "ip link add type bridge + master in unshare -n" unshare --net sh -c \
	'ip link add tb type bridge && ip link add t0 type veth peer name t1 &&
	 ip link set t0 master tb && ip link set tb up && ip -o link show t0 | grep -q "master tb"'
if built_without net.nft_nat; then
	seen_ids+="net.nft_nat "
	ok "net.nft_nat: unknown, isolab was built without libnftables"
elif command -v nft >/dev/null; then
	expect_cmd net.nft_nat "nft masquerade rule in unshare -n" unshare --net sh -c \
		'nft -f - <<EOF && nft list table ip truth | grep -q masquerade
add table ip truth
add chain ip truth post { type nat hook postrouting priority 100; }
add rule ip truth post masquerade
EOF'
else
	seen_ids+="net.nft_nat "
	note "net.nft_nat: no nft tool to cross-check the verdict ($(field net.nft_nat verdict))"
fi

# ---- bpf, seccomp -------------------------------------------------------

tracepoint_exists() {
	unshare --mount sh -c '
		for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
			[ -r $d/events/syscalls/sys_enter_getpid/id ] && exit 0
		done
		mount -t tracefs truth /sys/kernel/tracing &&
			[ -r /sys/kernel/tracing/events/syscalls/sys_enter_getpid/id ]'
}
# Output is captured first: grep -q closing a pipe early would trip pipefail.
bpftool_tracepoint() {
	local features
	features=$(bpftool feature probe kernel 2>/dev/null) || return 1
	[[ "$features" == *"program_type tracepoint is available"* ]] && tracepoint_exists
}
bpftool_btf() {
	bpftool btf dump file /sys/kernel/btf/vmlinux >"$tmp/btf" 2>/dev/null &&
		grep -q "STRUCT 'task_struct'" "$tmp/btf"
}
if built_without bpf.tracepoint; then
	seen_ids+="bpf.tracepoint "
	ok "bpf.tracepoint: unknown, isolab was built without libbpf"
elif command -v bpftool >/dev/null; then
	expect_cmd bpf.tracepoint "bpftool feature probe + sys_enter_getpid tracepoint" \
		bpftool_tracepoint
else
	expect_cmd bpf.tracepoint "sys_enter_getpid tracepoint exists (no bpftool)" \
		tracepoint_exists
fi
if built_without bpf.btf; then
	seen_ids+="bpf.btf "
	ok "bpf.btf: unknown, isolab was built without libbpf"
elif command -v bpftool >/dev/null; then
	expect_cmd bpf.btf "bpftool btf dump finds task_struct" bpftool_btf
else
	expect_cmd bpf.btf "/sys/kernel/btf/vmlinux readable (no bpftool)" \
		test -r /sys/kernel/btf/vmlinux
fi
expect_cmd seccomp "/proc/sys/kernel/seccomp/actions_avail offers errno" \
	grep -qw errno /proc/sys/kernel/seccomp/actions_avail

# ---- vm -------------------------------------------------------------------

if [ -n "$qemu" ]; then
	expect_cmd vm.qemu "$qemu --version" "$qemu" --version
else
	expect vm.qemu no "isolab was configured without qemu"
fi
expect_cmd vm.kvm "/dev/kvm opens read-write" sh -c '[ -c /dev/kvm ] && exec 3<>/dev/kvm'

# ---- the lesson table follows from the verdicts -----------------------

if jq -e '(.lessons | length) == 12' "$tmp/probe.json" >/dev/null; then
	bad_lessons=$(jq -r '(.probes | map({(.id): .verdict}) | add) as $v |
		.lessons[] | select(.ready != all(.needs[]; $v[.] == "yes")) | .number' \
		"$tmp/probe.json")
	[ -z "$bad_lessons" ] && ok "lessons: ready exactly when every need is yes" ||
		bad "lessons whose readiness contradicts the probes: $bad_lessons"
	bad_reasons=$(jq -r '.lessons[] | select(.ready | not) | .blocked_by as $b |
		select(.reason | startswith("probe " + $b + ": ") | not) | .number' \
		"$tmp/probe.json")
	[ -z "$bad_reasons" ] && ok "lessons: each not-ready reason names its probe" ||
		bad "lessons with a malformed reason: $bad_reasons"
else
	bad "the JSON has 12 lessons"
fi

# A probe added to isolab without a cross-check here must not pass unnoticed.
for id in $(jq -r '.probes[].id' "$tmp/probe.json"); do
	[[ "$seen_ids" == *" $id "* ]] || bad "$id: no independent check in probe-truth.sh"
done

echo "1..$checked"
if [ "$failures" -gt 0 ]; then
	echo "# $failures of $checked checks failed"
	exit 1
fi
