#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check an `isolab grade` report directory.

usage: check-grade.py SCHEMA DIR [LESSON=EXPECT...]

Validates DIR/grade.json against SCHEMA (python3-jsonschema), checks what the
schema cannot say (applicable = passed + failed + not_attempted, score =
passed/applicable, the summary agrees with the lessons), parses DIR/junit.xml
(one testsuite per lesson, counts equal to the JSON), then each EXPECT, a
comma list of: score=1 (every applicable test passed), score=0, native=yes|no|
unknown, where~TEXT (some test of the lesson ran where TEXT matches),
tool=NAME (the runtime shelled out to NAME).

Exit: 0 ok, 1 a check failed, 2 usage, 77 python3-jsonschema missing.
"""

import json
import sys
import xml.etree.ElementTree as ET

try:
    import jsonschema
except ImportError:
    print("check-grade: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)


def fail(msg):
    print(f"check-grade: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.load(open(sys.argv[1]))
    d = sys.argv[2]
    doc = json.load(open(f"{d}/grade.json"))
    jsonschema.validate(doc, schema)
    by_lesson = {}
    for l in doc["lessons"]:
        app = l["passed"] + l["failed"] + l["not_attempted"]
        if l["applicable"] != app:
            fail(f"lesson {l['lesson']}: applicable {l['applicable']} != {app}")
        if app and abs(l["score"] - l["passed"] / app) > 1e-9:
            fail(f"lesson {l['lesson']}: score {l['score']}")
        if l["skipped"] != len(l["skips"]):
            fail(f"lesson {l['lesson']}: {l['skipped']} skipped, {len(l['skips'])} listed")
        by_lesson[l["lesson"]] = l
    passed = sum(1 for l in doc["lessons"] if l["status"] == "pass")
    if doc["summary"]["passed"] != passed or doc["summary"]["lessons"] != len(doc["lessons"]):
        fail("summary disagrees with the lessons")

    root = ET.parse(f"{d}/junit.xml").getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    for n, l in by_lesson.items():
        s = suites.get(f"lesson-{n:02d}")
        if s is None:
            fail(f"junit.xml has no testsuite lesson-{n:02d}")
        cases = s.findall("testcase")
        if int(s.get("tests")) != len(cases) or len(cases) != l["applicable"] + l["skipped"]:
            fail(f"junit lesson-{n:02d}: {len(cases)} testcases, json says "
                 f"{l['applicable'] + l['skipped']}")
        if int(s.get("skipped")) != l["skipped"]:
            fail(f"junit lesson-{n:02d}: skipped {s.get('skipped')} != {l['skipped']}")

    for arg in sys.argv[3:]:
        lesson, _, expects = arg.partition("=")
        l = by_lesson.get(int(lesson))
        if l is None:
            fail(f"lesson {lesson} was not graded")
        for e in expects.split(","):
            if e == "score=1" and not (l["applicable"] and l["passed"] == l["applicable"]):
                fail(f"lesson {lesson}: {l['passed']}/{l['applicable']}, want all: {l['failures']}")
            elif e == "score=0" and l["passed"] != 0:
                fail(f"lesson {lesson}: {l['passed']}/{l['applicable']} passed, want 0")
            elif e.startswith("native=") and l["native"]["verdict"] != e[7:]:
                fail(f"lesson {lesson}: native {l['native']}, want {e[7:]}")
            elif e.startswith("where~") and not any(e[6:] in w for w in l["where"]):
                fail(f"lesson {lesson}: where {l['where']}, want ~{e[6:]}")
            elif e.startswith("tool=") and e[5:] not in l["native"]["shellouts"]:
                fail(f"lesson {lesson}: shell-outs {l['native']['shellouts']}, want {e[5:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
