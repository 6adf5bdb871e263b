#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# html-chromium.sh ISOLAB HTML-CHECK GOLDEN-RUN.json SCREENSHOT.png: the HTML
# report of real runs, as a real browser sees it.
#
# Two columns from a real `isolab run -a harness,isolation` on this host: the
# report itself, and a copy moved to "vm:fake-6.12" with one result of each
# outcome and hostile text (<img onerror>, &, quotes) in a name and a reason.
# The golden run.json (every outcome, control characters, a host and two VMs)
# is the third input. The page is loaded in headless Chromium (Debian's
# `chromium`); html-check.py compares the DOM after its scripts ran with
# counts computed from the JSON. Then a screenshot goes to SCREENSHOT.png,
# kept as a CI artifact. Chromium missing is a failure, not a skip: CI
# installs it (ci/setup).
set -euo pipefail

isolab=${1:?usage: html-chromium.sh ISOLAB HTML-CHECK GOLDEN-RUN.json SCREENSHOT.png}
check=${2:?}
golden=${3:?}
shot=${4:?}
python=/usr/bin/python3

n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }
finish() {
	echo "1..$n"
	[ "$failures" = 0 ]
	exit
}

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
	bad "chromium is not installed: apt-get install chromium (ci/setup installs it)"
	finish
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A private profile, no network, no first-run or background services: the
# page has no external assets and must not need any.
browse() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$tmp/profile" "$@" 2>>"$tmp/chromium.log"
}

rc=0
"$isolab" run -a harness,isolation --json "$tmp/host.json" >"$tmp/run.log" 2>&1 || rc=$?
if [ "$rc" -le 1 ] && [ -s "$tmp/host.json" ]; then
	ok "isolab run -a harness,isolation wrote a JSON report (exit $rc)"
else
	bad "isolab run -a harness,isolation: exit $rc, $(tail -3 "$tmp/run.log")"
	finish
fi

# The second column: the same run, as if a VM had run it, with every outcome.
"$python" - "$tmp/host.json" "$tmp/vm.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
nasty = "<img src=x onerror=\"document.title='pwned'\"> & 'quotes' \"too\""
changes = [("FAIL", "got " + nasty), ("SKIP", "probe ns.fake: not here (ENOENT)"),
           ("BROKEN", "setup broke: </td></tr></table>"), ("TIMEOUT", "killed after 10 s"),
           ("XFAIL", "known & expected"), ("WARN", "slow <but> right")]
for r in report["results"]:
    r["where"] = "vm:fake-6.12"
for r, (o, why) in zip(report["results"], changes):
    r["outcome"], r["reason"] = o, why
report["results"][-1]["name"] = "hostile_<b>name</b>_&amp;_\"q\""
report["vms"] = [{"where": "vm:fake-6.12", "spec": "debian:6.12", "release": "6.12.0-fake",
                  "accel": "tcg", "boot": "pvh", "classification": "RESULTS", "detail": None,
                  "excerpt": None, "boot_s": 2.5, "first_result_s": 3.1, "wall_s": 20.0,
                  "attempts": 1, "probe": None}]
json.dump(report, open(sys.argv[2], "w"), indent=1)
EOF

inputs=("$tmp/host.json" "$tmp/vm.json" "$golden")
rc=0
"$isolab" report html "${inputs[@]}" -o "$tmp/report.html" 2>"$tmp/html.err" || rc=$?
if [ "$rc" = 0 ] && [ -s "$tmp/report.html" ]; then
	ok "isolab report html: exit 0, $(wc -c <"$tmp/report.html") bytes"
else
	bad "isolab report html: exit $rc, $(cat "$tmp/html.err")"
	finish
fi

# Report text cannot make a literal "<" (it is escaped), so any tag that
# loads something is the page's own.
ext='<(link|img|iframe|object|embed|audio|video|source|script[^>]* src=)[ >]|url\(|@import'
if grep -Eiq "$ext" "$tmp/report.html"; then
	bad "the page loads something from outside: $(grep -Eio ".{0,20}($ext).{0,30}" "$tmp/report.html" | head -3)"
else
	ok "no external assets (no link, img, script src, url() or @import)"
fi

rc=0
browse --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" || rc=$?
if [ "$rc" = 0 ] && grep -q 'id="matrix"' "$tmp/dom.html"; then
	ok "chromium loaded the page and dumped its DOM"
else
	bad "chromium --dump-dom: exit $rc, $(tail -3 "$tmp/chromium.log")"
	finish
fi
# The browser's own title would change if a report's <img onerror> had run.
if grep -q '<title>isolab report</title>' "$tmp/dom.html"; then
	ok "no script from report text ran"
else
	bad "the page title changed: $(grep -o '<title>[^<]*' "$tmp/dom.html")"
fi

# The DOM against the JSON; its TAP lines become ours, renumbered.
rc=0
"$python" "$check" "$tmp/dom.html" "${inputs[@]}" >"$tmp/check.tap" || rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "dom: ${line#ok * - }" ;;
	"not ok "*) bad "dom: ${line#not ok * - }" ;;
	esac
done <"$tmp/check.tap"
[ "$rc" = 0 ] || [ "$failures" -gt 0 ] || bad "html-check.py: exit $rc"

mkdir -p "$(dirname "$shot")"
rm -f "$shot"
rc=0
browse --screenshot="$shot" --window-size=1400,1000 "file://$tmp/report.html" >/dev/null || rc=$?
# A PNG (signature, RFC 2083 section 3.1) of the window's size (IHDR width, height).
if [ "$rc" = 0 ] && [ -s "$shot" ] &&
	"$python" -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
sys.exit(d[:8] != b"\x89PNG\r\n\x1a\n" or struct.unpack(">II", d[16:24]) != (1400, 1000))' "$shot"; then
	ok "screenshot $shot: a 1400x1000 PNG, $(wc -c <"$shot") bytes"
else
	bad "screenshot: exit $rc, $(tail -3 "$tmp/chromium.log")"
fi

finish
