#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Smoke test of `contain trace` on this host, as TAP: a traced
# `unshare -u hostname NAME` shows up as an unshare(CLONE_NEWUTS) and a
# sethostname(NAME) returning 0, the JSON ends with a summary with 0 lost
# events, the exit status is relayed, and no BPF program is left loaded.
# The behaviour tests proper live in suites/tracing.
#
# usage: trace-smoke.sh CONTAIN
set -uo pipefail

contain=$1

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (BPF, namespaces)"
	exit 0
fi
progs_before=$(bpftool prog show 2>/dev/null | grep -c 'name trace_sys_' || true)
probe=$("$contain" trace -- true 2>&1 >/dev/null)
if [ $? -eq 125 ] && [[ $probe == *"built without eBPF tracing"* ]]; then
	echo "1..0 # SKIP ${probe#contain: trace: }"
	exit 0
fi
if ! command -v unshare > /dev/null || ! command -v python3 > /dev/null; then
	echo "1..0 # SKIP needs unshare (util-linux) and python3"
	exit 0
fi

tmp=$(mktemp -d /tmp/trace-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what" "$(cat "$tmp/err" 2>/dev/null)"; fi
}

# Checks one property of the JSON lines in $tmp/out with a python expression
# over `ev` (the list of objects).
json_has() {
	python3 - "$tmp/out" "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

"$contain" trace --json -- sh -c 'unshare -u hostname trace-smoke; true' > "$tmp/out" 2> "$tmp/err"
rc=$?
check "trace of a command exits with its status (0)" [ "$rc" -eq 0 ]
check "every stdout line is a JSON object" json_has 'len(ev) > 0'
check "unshare(CLONE_NEWUTS) = 0 is reported" json_has \
	'any(e.get("syscall") == "unshare" and e["ret"] == 0 and "CLONE_NEWUTS" in e["args"]["flags"].split("|") for e in ev)'
check "sethostname(\"trace-smoke\") = 0 is reported" json_has \
	'any(e.get("syscall") == "sethostname" and e["ret"] == 0 and e["errno"] is None and e["args"]["name"] == "trace-smoke" for e in ev)'
check "the last line is the summary, with 0 lost events" json_has \
	'ev[-1]["type"] == "summary" and ev[-1]["lost"] == 0 and ev[-1]["events"] == len(ev) - 1'
check "stderr has the event count" grep -q '^contain trace: [0-9]* events, 0 lost$' "$tmp/err"
check "the hostname of the host is unchanged" [ "$(hostname)" != trace-smoke ]

"$contain" trace --json --syscalls sethostname -- sh -c 'unshare -u hostname x; exit 3' \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
check "the exit status 3 is relayed" [ "$rc" -eq 3 ]
check "--syscalls sethostname keeps only sethostname and exits" json_has \
	'{e.get("syscall") for e in ev if e["type"] == "syscall"} == {"sethostname"}'

"$contain" trace -- /nonexistent/cmd > "$tmp/out" 2> "$tmp/err"
rc=$?
check "a missing command exits 127" [ "$rc" -eq 127 ]
check "and says exec \"CMD\": No such file or directory" \
	grep -q 'exec "/nonexistent/cmd": No such file or directory' "$tmp/err"
check "its failed execve is traced as -1 ENOENT" \
	grep -q 'execve("/nonexistent/cmd") = -1 ENOENT' "$tmp/out"

# The kernel frees a closed BPF program after an RCU grace period, so it may
# still be listed just after contain exits: poll, with a 5 s deadline.
count_progs() { bpftool prog show 2>/dev/null | grep -c 'name trace_sys_' || true; }
deadline=$((SECONDS + 5))
progs_after=$(count_progs)
while [ "$progs_after" -gt "$progs_before" ] && [ $SECONDS -lt $deadline ]; do
	sleep 0.1
	progs_after=$(count_progs)
done
check "no BPF program is left loaded ($progs_before before, $progs_after after)" \
	[ "$progs_after" -le "$progs_before" ]

echo "1..$n"
