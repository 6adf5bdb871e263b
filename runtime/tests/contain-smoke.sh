#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Smoke test of the contain CLI on this host, as TAP. It builds a throwaway
# rootfs from busybox-static and checks the basics of CONTRACT.md: PID 1,
# hostname, exit status relay, 127/125 errors, the /proc symlink refusal
# (with no mount left behind), the user namespace map, and the cgroup verbs
# under a scratch group of its own (limits only where the host offers the
# controllers). The behaviour tests proper live in the harness suites.
#
# usage: contain-smoke.sh CONTAIN
set -uo pipefail

contain=$1
busybox=/bin/busybox

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (namespaces, mounts)"
	exit 0
fi
if [ ! -x "$busybox" ] || ! "$busybox" --list > /dev/null 2>&1; then
	echo "1..0 # SKIP needs $busybox (Debian package busybox-static)"
	exit 0
fi

tmp=$(mktemp -d /tmp/contain-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# rootfs: busybox and a few applet links, plus empty mount points.
mkrootfs() {
	local r=$1
	mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp"
	cp "$busybox" "$r/bin/busybox"
	for a in sh echo hostname id cat ls kill true false readlink; do
		ln -s busybox "$r/bin/$a"
	done
}
rootfs=$tmp/rootfs
mkrootfs "$rootfs"
badroot=$tmp/badroot
mkrootfs "$badroot"
rmdir "$badroot/proc"
ln -s /etc "$badroot/proc"

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# Under `meson test --setup valgrind`, contain itself runs under valgrind too;
# a memory error or a definite leak makes it exit 99, which no check expects.
wrap=()
if [ "${ISOLAB_UNDER_VALGRIND:-}" = 1 ] && command -v valgrind > /dev/null; then
	wrap=(valgrind --quiet --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --show-leak-kinds=definite)
fi

# run ARGS...: sets $out, $err and $rc.
run() {
	out=$("${wrap[@]}" "$contain" "$@" 2> "$tmp/stderr")
	rc=$?
	err=$(cat "$tmp/stderr")
}

# expect NAME WANT_RC WANT_OUT [WANT_ERR_SUBSTRING]
expect() {
	local name=$1 want_rc=$2 want_out=$3 want_err=${4:-}
	if [ "$rc" -ne "$want_rc" ]; then
		not_ok "$name" "exit status: got $rc, want $want_rc" "stdout: $out" "stderr: $err"
	elif [ "$want_out" != "-" ] && [ "$out" != "$want_out" ]; then
		not_ok "$name" "stdout: got '$out', want '$want_out'" "stderr: $err"
	elif [ -n "$want_err" ] && [[ "$err" != *"$want_err"* ]]; then
		not_ok "$name" "stderr: got '$err', want it to contain '$want_err'"
	else
		ok "$name"
	fi
}

mounts() {
	awk '{ print $5 }' /proc/self/mountinfo | sort
}
hostname_before=$(hostname)
mounts_before=$(mounts)

run --version
expect "contain --version" 0 "-" ""
run ns --help
expect "contain ns --help exits 0" 0 "-" ""

run ns pid -- /bin/sh -c 'echo $$'
expect "ns pid: the command is PID 1" 0 "1"

run ns container --rootfs "$rootfs" --hostname h1 -- /bin/hostname
expect "ns container --hostname h1: hostname prints h1" 0 "h1"

run ns container --rootfs "$rootfs" -- /bin/sh -c 'exit 42'
expect "exit status 42 is relayed" 42 ""

# Not PID 1: the kernel ignores SIGKILL that a PID namespace's init sends itself.
run ns uts -- /bin/sh -c 'kill -9 $$'
expect "killed by SIGKILL: 137" 137 ""

run ns container --rootfs "$rootfs" -- nosuch
expect "command not found: 127" 127 "" 'contain: exec "nosuch": No such file or directory'

run ns container --rootfs "$rootfs" -- /proc
expect "command not executable: 126" 126 "" 'contain: exec "/proc": Permission denied'

run ns container --rootfs "$tmp/missing" -- /bin/true
expect "missing rootfs: 125" 125 "" "contain: rootfs $tmp/missing: No such file or directory"

run ns container --rootfs "$badroot" -- /bin/true
expect "rootfs with /proc a symlink is refused: 125" 125 "" \
	"contain: prepare rootfs: /proc is a symlink: refusing to mount over it"

run ns container -- /bin/true
expect "ns container without --rootfs: 125" 125 "" "ns container needs --rootfs DIR"

CONTAIN_NETNS_DIR=$tmp/no-netns run ns container --rootfs "$rootfs" --net lab0 -- /bin/true
expect "--net with an unknown NAME: 125" 125 "" \
	"contain: --net: network namespace \"lab0\" does not exist (no $tmp/no-netns/lab0)"

run ns container --rootfs "$rootfs" --user -- /bin/sh -c 'id -u; id -g; cat /proc/self/uid_map'
out=$(echo "$out" | tr -s ' ' | sed 's/^ //')
expect "--user: uid and gid 0 inside, default map" 0 "$(printf '0\n0\n0 100000 65536')"

run ns container --rootfs "$rootfs" --user -- /bin/sh -c 'ls -ln /bin/busybox'
out=$(echo "$out" | awk '{ print $3 }')
expect "--user: a host-root file shows the overflow uid" 0 "65534"

# Inside: / is the rootfs and every other mount sits below /proc, /sys or /dev.
run ns container --rootfs "$rootfs" -- /bin/cat /proc/self/mountinfo
stray=$(echo "$out" | awk '$5 != "/" && $5 !~ /^\/(proc|sys|dev)(\/|$)/ { print $5 }')
if [ "$rc" -eq 0 ] && [ -z "$stray" ] && echo "$out" | awk '$5 == "/" { f = 1 } END { exit !f }'; then
	ok "the old root is detached (only /, /proc, /sys, /dev mounts inside)"
else
	not_ok "the old root is detached" "rc $rc" "stray mounts: $stray"
fi

run ns container --rootfs "$rootfs" -- /bin/sh -c 'readlink /dev/ptmx; readlink /dev/fd; echo x > /dev/null && echo null-ok'
expect "/dev: ptmx and fd links, a working null" 0 "$(printf 'pts/ptmx\n/proc/self/fd\nnull-ok')"

run ns time --monotonic-offset 86400 -- /bin/cat /proc/self/timens_offsets
out=$(echo "$out" | tr -s ' ' | grep monotonic)
expect "ns time: the monotonic offset is set" 0 "monotonic 86400 0"

# cgroup v2: a scratch parent of our own under the cgroup2 mount, removed at the end.
# Limits need controllers this host may bind to v1; without them the refusal is checked.
cgmount=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
cgparent=
if [ -n "$cgmount" ] && mkdir "$cgmount/isolab-smoke-$$" 2> /dev/null; then
	cgparent=$cgmount/isolab-smoke-$$
	trap 'rm -rf "$tmp"; [ -d "$cgparent/g" ] && echo 1 > "$cgparent/g/cgroup.kill"; rmdir "$cgparent/g" "$cgparent" 2> /dev/null' EXIT
fi
cgrel=${cgparent#"$cgmount"} # "/isolab-smoke-PID", as /proc/PID/cgroup shows it
cgleft() {
	find "$cgparent" -mindepth 1 -type d | tr '\n' ' '
}
if [ -z "$cgparent" ]; then
	for what in "cgroup create prints the group" "cgroup exec runs in the group" \
		"cgroup attach moves a process" "cgroup stat" "cgroup stat --json" \
		"cgroup delete kills and removes" "run --cgroup-parent" "ns --cgroup-parent" \
		"a limit without its controller" "nothing left under the parent"; do
		n=$((n + 1))
		echo "ok $n - $what # SKIP no writable cgroup2 mount"
	done
else
	run cgroup create "$cgparent/g"
	expect "cgroup create prints the group" 0 "$cgparent/g"

	# PATH relative to the mount.
	run cgroup exec "${cgrel#/}/g" -- /bin/sh -c 'grep "^0::" /proc/self/cgroup; exit 3'
	expect "cgroup exec runs in the group and relays 3" 3 "0::$cgrel/g"

	sleep 600 &
	sleeper=$!
	run cgroup attach "$cgparent/g" "$sleeper"
	expect "cgroup attach moves a process" 0 ""
	if [ "$(grep '^0::' /proc/$sleeper/cgroup)" != "0::$cgrel/g" ]; then
		not_ok "the attached process is in the group" "$(cat /proc/$sleeper/cgroup)"
	else
		ok "the attached process is in the group"
	fi

	run cgroup stat "$cgparent/g"
	out=$(echo "$out" | grep '^cgroup.events populated')
	expect "cgroup stat prints FILE LINE" 0 "cgroup.events populated 1"
	run cgroup stat --json "$cgparent/g"
	expect "cgroup stat --json" 0 "-"
	if [[ "$out" != *'"cgroup.events":{"populated":1'* ]]; then
		not_ok "cgroup stat --json has cgroup.events" "$out"
	else
		ok "cgroup stat --json has cgroup.events"
	fi

	run cgroup delete "$cgparent/g"
	expect "cgroup delete exits 0" 0 ""
	wait "$sleeper"
	sleeper_rc=$?
	if [ -d "$cgparent/g" ] || [ "$sleeper_rc" -ne 137 ]; then
		not_ok "cgroup delete kills and removes" "sleep ended with $sleeper_rc, left: $(cgleft)"
	else
		ok "cgroup delete kills and removes"
	fi

	run cgroup delete "$cgmount"
	expect "cgroup delete refuses the root" 125 "" "it is the root of the cgroup2 hierarchy"

	run run --cgroup-parent "$cgparent" "$rootfs" -- /bin/sh -c 'grep "^0::" /proc/self/cgroup'
	expect "run --cgroup-parent: the cgroup namespace is rooted at the group" 0 "0::/"

	run ns uts --cgroup-parent "${cgrel#/}" -- /bin/sh -c 'grep "^0::" /proc/self/cgroup'
	expect "ns --cgroup-parent: the command runs in PARENT/contain-PID" 0 "-"
	if [[ "$out" != "0::$cgrel/contain-"[0-9]* ]]; then
		not_ok "ns --cgroup-parent: the group is contain-PID" "got '$out'"
	else
		ok "ns --cgroup-parent: the group is contain-PID"
	fi

	if grep -qw memory "$cgparent/cgroup.controllers"; then
		n=$((n + 1))
		echo "ok $n - a limit without its controller # SKIP this host offers memory"
	else
		run run --cgroup-parent "$cgparent" --memory 50M "$rootfs" -- /bin/true
		expect "a limit without its controller: 125" 125 "" \
			"cgroup2 controller memory is not available in $cgparent (cgroup.controllers: "
	fi

	run cgroup memory "$cgparent" --max 12Q
	expect "cgroup memory --max 12Q: 125" 125 "" 'invalid value "12Q" for --max'
	run cgroup frob "$cgparent"
	expect "unknown cgroup subcommand: 125" 125 "" 'unknown cgroup subcommand or controller "frob"'

	if [ -z "$(cgleft)" ]; then
		ok "nothing left under the cgroup parent"
	else
		not_ok "nothing left under the cgroup parent" "left: $(cgleft)"
	fi
fi

# contain net, only inside a sandbox: a new network namespace and a private
# mount namespace with the netns and state directories on a tmpfs of their
# own, so that nothing here touches the host's links, routes or /run/netns.
# The sandbox prints "PASS name" or "FAIL name: details" per check.
cat > "$tmp/net.sh" << 'EOF'
set -u
c=$CONTAIN
mount -t tmpfs sandbox "$SANDBOX" || { echo "FAIL net sandbox: mount tmpfs"; exit 0; }
export CONTAIN_NETNS_DIR=$SANDBOX/netns CONTAIN_STATE_DIR=$SANDBOX/state
unset ISOLAB_JOURNAL
ip link set lo up
check() { # NAME WANT_RC WANT_ERR_SUBSTRING CMD...
	local name=$1 want=$2 want_err=$3 rc
	shift 3
	"$@" > "$SANDBOX/out" 2> "$SANDBOX/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, want $want: $(tr '\n' ' ' < "$SANDBOX/err")"
	elif [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$SANDBOX/err"; then
		echo "FAIL $name: stderr lacks '$want_err': $(tr '\n' ' ' < "$SANDBOX/err")"
	else
		echo "PASS $name"
	fi
}
links() { ip -o link show | awk -F': ' '{ print $2 }' | sort | tr '\n' ' '; }
check "net create" 0 "" "$c" net create a
if [ "$(stat -f -c %T "$CONTAIN_NETNS_DIR/a")" = nsfs ]; then
	echo "PASS net create: an nsfs bind mount"
else
	echo "FAIL net create: an nsfs bind mount: $(stat -f -c %T "$CONTAIN_NETNS_DIR/a")"
fi
out=$("$c" net exec a -- ip -o link show | awk '{ print $2, $3 }')
case "$out" in
"lo: <LOOPBACK>") echo "PASS net create: only lo, down" ;;
*) echo "FAIL net create: only lo, down: $out" ;;
esac
check "net create: a duplicate NAME is refused" 125 'network namespace "a" exists already' \
	"$c" net create a
check "net bridge" 0 "" "$c" net bridge br0 --addr 10.9.0.1/24
check "net attach" 0 "" "$c" net attach a br0 --addr 10.9.0.2/24 --gateway 10.9.0.1
check "net exec: the namespace reaches its gateway" 0 "" \
	"$c" net exec a -- "$BUSYBOX" ping -c 1 -W 2 10.9.0.1
check "net diagnose: every step ok" 0 "" "$c" net diagnose a
before=$(links)
check "net attach: a missing bridge is refused" 125 "bridge br9 does not exist" \
	"$c" net attach a br9 --addr 10.9.0.3/24
check "net attach: a bad CIDR is refused" 125 '--addr "10.9.0.300/24"' \
	"$c" net attach a br0 --addr 10.9.0.300/24
check "net attach: an unknown NAME is refused" 125 'network namespace "b" does not exist' \
	"$c" net attach b br0 --addr 10.9.0.3/24
check "net attach: a non-bridge is refused" 125 "lo is not a bridge" \
	"$c" net attach a lo --addr 10.9.0.3/24
check "net attach: a failed attach removes its veth" 125 "there is one already" \
	"$c" net attach a br0 --addr 10.9.0.3/24 --gateway 10.9.0.1
if [ "$(links)" = "$before" ]; then
	echo "PASS net attach: failures leave no link behind"
else
	echo "FAIL net attach: failures leave no link behind: $before -> $(links)"
fi
check "net delete" 0 "" "$c" net delete a
check "net bridge --delete" 0 "" "$c" net bridge --delete br0
check "net delete: an unknown NAME is refused" 125 'network namespace "a" does not exist' \
	"$c" net delete a
if [ "$(links)" = "lo " ] && [ -z "$(ls -A "$CONTAIN_NETNS_DIR")" ] &&
	[ -z "$(awk -v d="$CONTAIN_NETNS_DIR/" 'index($5, d) == 1' /proc/self/mountinfo)" ]; then
	echo "PASS net delete: no link, namespace or bind mount left"
else
	echo "FAIL net delete: left: $(links) $(ls -A "$CONTAIN_NETNS_DIR")"
fi
EOF
if ! command -v ip > /dev/null || ! command -v unshare > /dev/null ||
	! unshare --net --mount --propagation private true 2> /dev/null; then
	n=$((n + 1))
	echo "ok $n - contain net # SKIP needs ip, unshare and network namespaces"
else
	mkdir -p "$tmp/sandbox"
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) not_ok "${line#FAIL }" ;;
		esac
	done < <(CONTAIN=$contain SANDBOX=$tmp/sandbox BUSYBOX=$busybox \
		unshare --net --mount --propagation private bash "$tmp/net.sh" 2>&1)
fi

if [ "$(hostname)" = "$hostname_before" ]; then
	ok "the host's hostname is unchanged"
else
	not_ok "the host's hostname is unchanged" "now $(hostname), was $hostname_before"
fi
if [ "$(mounts)" = "$mounts_before" ]; then
	ok "no mount left behind on the host"
else
	not_ok "no mount left behind on the host" \
		"$(diff <(echo "$mounts_before") <(mounts) | tr '\n' ' ')"
fi
left=$(pgrep -f "$tmp" || true)
if [ -z "$left" ]; then
	ok "no process left behind"
else
	not_ok "no process left behind" "pids: $left"
fi

echo "1..$n"
exit 0
