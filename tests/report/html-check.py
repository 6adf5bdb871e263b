#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""html-check.py DOM.html RUN.json...: the DOM of the HTML report, as
Chromium dumped it after loading the page (scripts run), says the same as
the JSON reports it was made from.

Expected values are computed here from the JSON alone, with the merge rule
`isolab report html --help` documents: a host result goes to the column of
its report's host (hostname and kernel), a VM result to the column of its
"where"; a behaviour seen twice in one column keeps the later input's result.
Checked: one row per behaviour, one column per place, each cell's outcome,
each column's total and count per outcome, each lesson's pass count per
column, and that hostile text stayed text (no element came from a report).

Prints TAP; exits 1 on any mismatch.
"""
import json
import sys
from html.parser import HTMLParser

OUTCOMES = ["PASS", "SKIP", "XFAIL", "WARN", "FAIL", "TIMEOUT", "BROKEN"]
PASSED = {"PASS", "WARN", "XFAIL"}


def column_key(report, result):
    where = result.get("where")
    if where in (None, "", "host"):
        host = report.get("host") or {}
        return "host:%s/%s" % (host.get("hostname") or "host", host.get("kernel") or "?")
    return where


def expected(paths):
    cols, cells, lesson, reasons = [], {}, {}, {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            report = json.load(f)
        for r in report["results"]:
            key = column_key(report, r)
            if key not in cols:
                cols.append(key)
            test = "%s/%s" % (r.get("area") or "harness", r["name"])
            lesson.setdefault(test, r.get("lesson", 0))
            cells[(key, test)] = r["outcome"]
            reasons[(key, test)] = r.get("reason")
        for vm in report.get("vms") or []:
            if vm["where"] not in cols:
                cols.append(vm["where"])
    return cols, cells, lesson, reasons


class Dom(HTMLParser):
    """The elements the checks read, by their data- attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cols = {}  # data-column -> data-key
        self.totals = {}  # element id -> data-count
        self.cells = []  # (data-column, data-outcome, tr data-test, title)
        self.lsums = []  # (tr data-lesson, data-column, data-passed, data-total)
        self.rows = []  # tr.test data-test
        self.tags = {}  # tag name -> count
        self.tr = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "tr":
            self.tr = a
            if "test" in cls:
                self.rows.append(a.get("data-test"))
        elif tag == "th" and "col" in cls:
            self.cols[a["data-column"]] = a["data-key"]
        elif tag == "td" and "cell" in cls:
            self.cells.append((a["data-column"], a["data-outcome"], self.tr.get("data-test"),
                               a.get("title")))
        elif tag == "td" and "lsum" in cls:
            self.lsums.append((self.tr.get("data-lesson"), a["data-column"],
                               int(a["data-passed"]), int(a["data-total"])))
        if a.get("id", "").startswith("total-"):
            self.totals[a["id"]] = int(a["data-count"])


def main():
    dom_path, inputs = sys.argv[1], sys.argv[2:]
    cols, cells, lesson, reasons = expected(inputs)
    tests = sorted({t for (_, t) in cells})
    dom = Dom()
    with open(dom_path, encoding="utf-8") as f:
        dom.feed(f.read())

    n, failures = 0, 0

    def check(ok, what):
        nonlocal n, failures
        n += 1
        if not ok:
            failures += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
        return ok

    check(sorted(dom.rows) == tests,
          "one row per behaviour: %d in the DOM, %d in the JSON" % (len(dom.rows), len(tests)))
    check(list(dom.cols.values()) == cols,
          "columns %s, JSON %s" % (list(dom.cols.values()), cols))
    index = {key: c for c, key in dom.cols.items()}
    check(len(dom.cells) == len(tests) * len(cols),
          "%d cells = rows x columns" % len(dom.cells))

    wrong = [(col, test, o, cells.get((dom.cols.get(col), test), "none"))
             for col, o, test, _ in dom.cells if cells.get((dom.cols.get(col), test), "none") != o]
    check(not wrong, "every cell's outcome is the JSON's%s" % (": %s" % wrong[:5] if wrong else ""))

    for key in cols:
        c = index.get(key)
        want = {o: 0 for o in OUTCOMES}
        for (k, _), o in cells.items():
            if k == key:
                want[o] += 1
        got = {o: dom.totals.get("total-%s-%s" % (c, o)) for o in OUTCOMES}
        check(got == want, "column %s: counts per outcome %s (JSON %s)" % (key, got, want))
        total = dom.totals.get("total-%s" % c)
        check(total == sum(want.values()), "column %s: total %s (JSON %d)" %
              (key, total, sum(want.values())))
        # Counted in the DOM itself, not only read from the summary.
        seen = {o: 0 for o in OUTCOMES}
        for col, o, _, _ in dom.cells:
            if col == c and o != "none":
                seen[o] += 1
        check(seen == want, "column %s: the cells add up to the summary" % key)

    bad = []
    for les, col, got_passed, got_total in dom.lsums:
        key = dom.cols.get(col)
        mine = [cells[(key, t)] for t in tests if lesson[t] == int(les) and (key, t) in cells]
        if (got_passed, got_total) != (sum(o in PASSED for o in mine), len(mine)):
            bad.append((les, key, got_passed, got_total))
    check(dom.lsums and not bad, "%d lesson pass counts match the JSON%s" %
          (len(dom.lsums), ": %s" % bad if bad else ""))

    # The title (the hover text) carries the reason exactly, quotes and all.
    titled = 0
    bad = []
    for col, o, test, title in dom.cells:
        reason = reasons.get((dom.cols.get(col), test))
        if reason and not any(ord(ch) < 0x20 and ch not in "\t\n" for ch in reason):
            titled += 1
            if title != "%s: %s" % (o, reason):
                bad.append((test, title))
    check(titled and not bad, "%d cells have the JSON's reason as their title%s" %
          (titled, ": %s" % bad[:3] if bad else ""))

    # Reports hold names and reasons like "<img src=x onerror=...>": text, never markup.
    check("img" not in dom.tags and dom.tags.get("script") == 1,
          "no element came from report text (img: %d, script: %d)" %
          (dom.tags.get("img", 0), dom.tags.get("script", 0)))
    print("1..%d" % n)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
