#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# SIGKILL of `isolab` in the middle of a run that created a cgroup, a netns
# and a mount, followed by `isolab reap`, leaves mountinfo, `ip link`, the
# netns list and the cgroup tree exactly as before.
#
# The run executes the selftest fixture selftest_hold_resources
# (tests/journal/fixture-hold.c), which says "ready" on a FIFO once it holds
# everything; that line is the only synchronisation (no sleeps).
#
# Usage: sigkill-reap.sh ISOLAB_SELFTEST [--dry-run]
#   --dry-run  also check that `isolab reap --dry-run` changes nothing and
#              keeps the journal, and that `isolab reap --bogus` exits 2
# Exits 77 (skipped, for meson) without root, ip(8) or a cgroup2 mount.
set -euo pipefail

isolab=${1:?usage: sigkill-reap.sh ISOLAB_SELFTEST [--dry-run]}
mode=${2:-}
# Deadline for each step of the fixture and of the run.
deadline_s=60

say() { echo "# $*"; }
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 77; }

# The snapshots are host-wide: two copies of this test (from two build
# directories, or meson's --repeat) must not overlap. flock(1) on this very
# file serialises them and leaves nothing behind.
exec 9<"$0"
flock -w 600 9 || fail "another sigkill-reap.sh held its lock for 600 s"
command -v ip >/dev/null || { say "skipped: needs ip(8)"; exit 77; }

# Mount points by filesystem type: in mountinfo (proc(5)) the type follows " - ".
mounts_of_type() {
	awk -v t="$1" '{
		for (i = 7; i <= NF; i++)
			if ($i == "-") {
				if ($(i + 1) == t)
					print $5
				break
			}
	}' /proc/self/mountinfo
}
cg2=$(mounts_of_type cgroup2 | head -n 1)
[ -n "$cg2" ] || { say "skipped: no cgroup2 mount"; exit 77; }

snapshot() {
	echo "## mount points"
	awk '{ print $5 }' /proc/self/mountinfo | sort
	echo "## ip -o link (index and name)"
	ip -o link show | awk '{ print $1, $2 }'
	echo "## ip netns list"
	ip netns list | sort
	echo "## cgroup2 tree $cg2"
	{ find "$cg2" -type d 2>/dev/null || true; } | sort
	echo "## isolab groups in v1 hierarchies"
	local m
	for m in $(mounts_of_type cgroup); do
		{ find "$m" -type d -name 'isolab*' 2>/dev/null || true; } | sort
	done
}

state=$(mktemp -d /tmp/isolab-sigkill-reap.XXXXXX)
fifo=$state/ready.fifo
run_pid=
test_pid=
sleeper_pid=
cgroup=
netns=
mnt=

# Last resort when a step failed: reap with the tool under test, then remove
# by name whatever the fixture reported, so a failing run leaves the host clean.
cleanup() {
	local rc=$?

	set +e
	[ -n "$run_pid" ] && kill -9 "$run_pid" 2>/dev/null
	[ -n "$test_pid" ] && kill -9 "$test_pid" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		say "cleaning up after failure"
		[ -s "$state/run.log" ] && sed 's/^/# run: /' "$state/run.log"
		ISOLAB_STATE_DIR=$state "$isolab" reap 2>&1 | sed 's/^/# reap: /'
		if [ -n "$cgroup" ] && [ -d "$cgroup" ]; then
			echo 1 >"$cgroup/cgroup.kill"
			[ -n "$sleeper_pid" ] && kill -9 "$sleeper_pid"
			# Bounded retries while the killed sleeper leaves the group.
			for _ in $(seq 1000); do rmdir "$cgroup" 2>/dev/null && break; done
		fi
		if [ -n "$netns" ] && [ -e "$netns" ]; then
			umount -l "$netns"
			rm -f "$netns"
		fi
		[ -n "$mnt" ] && mountpoint -q "$mnt" && umount -l "$mnt"
		if [ -e /run/netns ] && ! grep -qx /run/netns "$state/before"; then
			mountpoint -q /run/netns && umount -l /run/netns
			rmdir /run/netns
		fi
	fi
	rm -rf --one-file-system "$state"
	exit "$rc"
}
trap cleanup EXIT

if [ "$mode" = --dry-run ]; then
	rc=0
	"$isolab" reap --bogus >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "isolab reap --bogus exited $rc, want 2"
fi

snapshot >"$state/before"
# /run/netns as a mount point is part of the host state too.
[ -d /run/netns ] && echo /run/netns >>"$state/before"

mkfifo "$fifo"
# Read-write: opening never blocks, and writers coming and going never give EOF.
exec 3<>"$fifo"

# The monitor reports isolab's pid, then its exit status once it is reaped
# (so by then its journal lock is released).
(
	ISOLAB_STATE_DIR=$state ISOLAB_SELFTEST_FIFO=$fifo \
		"$isolab" run --selftest -t selftest_hold_resources >"$state/run.log" 2>&1 3>&- 9<&- &
	pid=$!
	echo "pid $pid" >"$fifo"
	rc=0
	wait "$pid" || rc=$?
	echo "exited $rc" >"$fifo"
) 2>/dev/null & # bash would print "Killed" for the job

next_line() {
	read -r -t "$deadline_s" -u 3 line || fail "nothing on $fifo after $deadline_s s"
}

next_line
[[ $line == "pid "* ]] || fail "unexpected line from the monitor: $line"
run_pid=${line#pid }
next_line
[[ $line == "ready "* ]] || fail "the fixture never got ready: $line"
read -r _ test_pid sleeper_pid cgroup netns mnt <<<"$line"
say "fixture ready: test $test_pid, sleeper $sleeper_pid"
say "holding $cgroup, $netns, $mnt"

assert_held() {
	[ -d "$cgroup" ] || fail "$1: cgroup $cgroup is missing"
	grep -qx "$sleeper_pid" "$cgroup/cgroup.procs" ||
		fail "$1: sleeper $sleeper_pid is not in $cgroup"
	ip netns list | awk '{ print $1 }' | grep -qx "${netns##*/}" ||
		fail "$1: ip netns list does not show ${netns##*/}"
	awk '{ print $5 }' /proc/self/mountinfo | grep -qx "$mnt" || fail "$1: $mnt is not mounted"
	compgen -G "$state/journal/*" >/dev/null || fail "$1: no journal in $state/journal"
}
assert_held "while the run is alive"

kill -9 "$run_pid"
next_line
[ "$line" = "exited 137" ] || fail "isolab did not die of SIGKILL: $line"
run_pid=
assert_held "after SIGKILL of isolab"
snapshot >"$state/killed"

if [ "$mode" = --dry-run ]; then
	ISOLAB_STATE_DIR=$state "$isolab" reap --dry-run >"$state/dry.out" ||
		fail "isolab reap --dry-run exited $?"
	sed 's/^/# dry-run: /' "$state/dry.out"
	for want in "would undo cgroup $cgroup" "would undo netns $netns" "would undo mount $mnt"; do
		grep -qxF "$want" "$state/dry.out" || fail "reap --dry-run did not print: $want"
	done
	snapshot >"$state/dry"
	diff -u "$state/killed" "$state/dry" || fail "isolab reap --dry-run changed the host"
	assert_held "after isolab reap --dry-run"
fi

rc=0
ISOLAB_STATE_DIR=$state "$isolab" reap >"$state/reap.out" 2>"$state/reap.err" || rc=$?
sed 's/^/# reap: /' "$state/reap.out" "$state/reap.err"
[ "$rc" = 0 ] || fail "isolab reap exited $rc"
for want in "undone cgroup $cgroup" "undone netns $netns" "undone mount $mnt"; do
	grep -qxF "$want" "$state/reap.out" || fail "isolab reap did not print: $want"
done

snapshot >"$state/after"
[ -d /run/netns ] && echo /run/netns >>"$state/after"
diff -u "$state/before" "$state/after" || fail "the host differs from before the run"

# Killed processes may linger as zombies until their parent reaps them; a
# zombie holds no resource, anything else is a process the reap missed.
for p in "$test_pid" "$sleeper_pid"; do
	if [ -r "/proc/$p/stat" ]; then
		st=$(sed 's/.*) \([A-Za-z]\).*/\1/' "/proc/$p/stat" 2>/dev/null || echo gone)
		[ "$st" = Z ] || [ "$st" = X ] || [ "$st" = gone ] ||
			fail "fixture process $p is still alive (state $st)"
	fi
done
test_pid=

if compgen -G "$state/journal/*" >/dev/null; then
	fail "journal left behind: $(ls "$state/journal")"
fi
if compgen -G "$state/runs/*" >/dev/null; then
	fail "run directory left behind: $(ls "$state/runs")"
fi

rc=0
ISOLAB_STATE_DIR=$state "$isolab" reap >"$state/reap2.out" || rc=$?
if [ "$rc" != 0 ] || ! grep -qx "nothing to reap" "$state/reap2.out"; then
	fail "a second isolab reap did not say 'nothing to reap' (exit $rc)"
fi
say "ok: the host is as it was"
