#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# html-usage.sh ISOLAB GOLDEN-RUN.json: the command line of `isolab report
# html`. Bad usage exits 2, an unreadable or invalid input exits 1 naming the
# file (and the JSON path), an unwritable output exits 3; in every case
# nothing is written: no page, no leftover FILE.tmp, and an existing FILE
# keeps its old content. Good inputs give one page, to a file or stdout.
set -euo pipefail

isolab=${1:?usage: html-usage.sh ISOLAB GOLDEN-RUN.json}
golden=${2:?}
n=0
failures=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out/report.html
mkdir "$tmp/out"

# run NAME ARGS...: `isolab report ARGS`, rc set, stdout and stderr kept.
run() {
	local name=$1
	shift
	rc=0
	"$isolab" report "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}

# refused NAME RC WORD...: exit RC, each WORD on stderr, nothing written.
refused() {
	local name=$1 want=$2 w
	shift 2
	for w in "$@"; do
		if ! grep -qF -- "$w" "$tmp/$name.err"; then
			bad "$name: stderr does not name '$w': $(cat "$tmp/$name.err")"
			return
		fi
	done
	if [ "$rc" != "$want" ]; then
		bad "$name: exit $rc, want $want ($(cat "$tmp/$name.err"))"
	elif [ -s "$tmp/$name.out" ] || [ -n "$(ls -A "$tmp/out")" ]; then
		bad "$name: wrote something: $(ls -A "$tmp/out") $(head -c 80 "$tmp/$name.out")"
	else
		ok "$name: exit $want, names $*, wrote nothing"
	fi
}

printf '{"schema": "isolab-report/1", "results": [' >"$tmp/truncated.json"
printf '{"format": "something else", "results": []}\n' >"$tmp/other.json"
jq '.schema = "isolab-report/9"' "$golden" >"$tmp/newer.json"
jq '.results[3].outcome = "MAYBE"' "$golden" >"$tmp/outcome.json"
jq '.results[1].messages[0].text = 42' "$golden" >"$tmp/message.json"
jq 'del(.results[0].name)' "$golden" >"$tmp/noname.json"

run noverb
refused noverb 2 "which report"
run unknown pdf "$golden" -o "$out"
refused unknown 2 "unknown report 'pdf'"
run noout html "$golden"
refused noout 2 "-o FILE"
run noinput html -o "$out"
refused noinput 2 "no input"
run badopt html --bogus "$golden" -o "$out"
refused badopt 2 "--bogus"
run missing html "$golden" "$tmp/missing.json" -o "$out"
refused missing 1 "$tmp/missing.json" "cannot read"
run truncated html "$tmp/truncated.json" -o "$out"
refused truncated 1 "$tmp/truncated.json:1:" "not valid JSON"
run other html "$tmp/other.json" -o "$out"
refused other 1 "$tmp/other.json" '$.schema: missing'
run newer html "$tmp/newer.json" -o "$out"
refused newer 1 '$.schema: "isolab-report/9"'
run outcome html "$golden" "$tmp/outcome.json" -o "$out"
refused outcome 1 "$tmp/outcome.json" '$.results[3].outcome: "MAYBE" is not an outcome'
run message html "$tmp/message.json" -o "$out"
refused message 1 '$.results[1].messages[0].text: expected a string, got an integer'
run noname html "$tmp/noname.json" -o "$out"
refused noname 1 '$.results[0].name: missing'
run unwritable html "$golden" -o "$tmp/no/such/dir/report.html"
refused unwritable 3 "$tmp/no/such/dir/report.html"

# An existing page survives a failed run untouched.
echo old >"$out"
run keep html "$tmp/outcome.json" -o "$out"
if [ "$rc" = 1 ] && [ "$(cat "$out")" = old ] && [ "$(ls -A "$tmp/out")" = report.html ]; then
	ok "keep: a failed run leaves the existing page as it was"
else
	bad "keep: exit $rc, $(ls -A "$tmp/out"): $(head -c 80 "$out")"
fi
rm -f "$out"

run help html --help
if [ "$rc" = 0 ] && grep -q '^usage: isolab report html' "$tmp/help.out" &&
	grep -q -- '-o, --output FILE' "$tmp/help.out"; then
	ok "html --help: exit 0, usage on stdout"
else
	bad "html --help: exit $rc"
fi

run good html "$golden" -o "$out"
if [ "$rc" = 0 ] && [ "$(head -c 15 "$out")" = '<!DOCTYPE html>' ] && [ "$(ls -A "$tmp/out")" = report.html ] &&
	[ "$(tail -n 1 "$out")" = '</html>' ] && [ ! -s "$tmp/good.out" ]; then
	ok "good: exit 0, one whole page in FILE and nothing else"
else
	bad "good: exit $rc, $(ls -A "$tmp/out"), $(cat "$tmp/good.err")"
fi

# A --report-dir directory stands for its report.json; - is stdout.
mkdir "$tmp/rundir"
cp "$golden" "$tmp/rundir/report.json"
run stdout html "$tmp/rundir" -o -
if [ "$rc" = 0 ] && [ "$(head -c 15 "$tmp/stdout.out")" = '<!DOCTYPE html>' ] &&
	grep -qF 'hostile &lt;name&gt; &amp; &quot;#&quot; # TODO' "$tmp/stdout.out"; then
	ok "stdout: a directory input, the page on stdout, names escaped"
else
	bad "stdout: exit $rc, $(cat "$tmp/stdout.err")"
fi

# isolab run --report-dir writes the page beside report.json (the
# harness area: its tests need no kernel feature).
rc=0
"$isolab" run -a harness --report-dir "$tmp/rd" >"$tmp/rd.out" 2>&1 || rc=$?
if [ "$rc" = 0 ] && [ -s "$tmp/rd/report.json" ] &&
	[ "$(head -c 15 "$tmp/rd/report.html" 2>/dev/null)" = '<!DOCTYPE html>' ] &&
	grep -qF 'shellout_rules' "$tmp/rd/report.html"; then
	ok "run --report-dir: report.html beside report.json"
else
	bad "run --report-dir: exit $rc, $(ls "$tmp/rd" 2>&1), $(tail -3 "$tmp/rd.out")"
fi

echo "1..$n"
[ "$failures" = 0 ]
