#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validate an isolab JSON report against reports/isolab-report.schema.json.

usage: validate-json.py SCHEMA REPORT
       validate-json.py --negative SCHEMA REPORT

Besides the schema, it checks what JSON Schema cannot say: the summary
counts agree with the results, and a run that was not interrupted reported
every test it planned.

With --negative, REPORT must be valid and must hold a SKIP, an XFAIL and
a result with messages; each broken variant of it built below must then be
rejected, which proves the validation is not vacuous.

Exit status: 0 valid (or, with --negative, every variant rejected),
1 invalid (or a variant accepted), 2 usage or unreadable input,
77 python3-jsonschema is missing (meson counts 77 as a skip).
Run it with Debian's /usr/bin/python3, which has python3-jsonschema.
"""

import copy
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-json: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)

OUTCOMES = ("PASS", "SKIP", "XFAIL", "WARN", "FAIL", "TIMEOUT", "BROKEN")


def semantic_errors(doc):
    """Cross-field rules the schema cannot express."""
    errors = []
    results = doc.get("results", [])
    summary = doc.get("summary", {})
    if summary.get("total") != len(results):
        errors.append(f"summary.total is {summary.get('total')}, "
                      f"but there are {len(results)} results")
    for o in OUTCOMES:
        n = sum(1 for r in results if r.get("outcome") == o)
        if summary.get(o) != n:
            errors.append(f"summary.{o} is {summary.get(o)}, but {n} results are {o}")
    if doc.get("interrupted_by") is None and summary.get("planned") != summary.get("total"):
        errors.append(f"run not interrupted, yet {summary.get('total')} of "
                      f"{summary.get('planned')} planned tests reported")
    return errors


def check(validator, doc):
    """All the reasons doc is invalid, as strings (empty when valid)."""
    errors = []
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(document)"
        errors.append(f"{where}: {e.message}")
    if not errors:
        errors = semantic_errors(doc)
    return errors


def first(doc, pred):
    for r in doc["results"]:
        if pred(r):
            return r
    raise SystemExit("validate-json: --negative needs a report with a SKIP, an XFAIL "
                     "and a result with messages")


def variants(doc):
    """(what, broken copy of doc) pairs; each must be rejected."""

    def mutate(what, fn):
        d = copy.deepcopy(doc)
        fn(d)
        return what, d

    skip = lambda d: first(d, lambda r: r["skip"] is not None)
    msgs = lambda d: first(d, lambda r: r["messages"])
    res0 = lambda d: d["results"][0]

    def setitem(obj, key, value):
        obj[key] = value

    return [
        mutate("unknown outcome", lambda d: setitem(res0(d), "outcome", "MAYBE")),
        mutate("lower-case outcome", lambda d: setitem(res0(d), "outcome", "pass")),
        mutate("unknown area", lambda d: setitem(res0(d), "area", "kernel")),
        mutate("missing schema field", lambda d: d.pop("schema")),
        mutate("other schema version", lambda d: setitem(d, "schema", "isolab-report/2")),
        mutate("unknown top-level field", lambda d: setitem(d, "extra", 1)),
        mutate("unknown result field", lambda d: setitem(res0(d), "status", "ok")),
        mutate("missing result field", lambda d: res0(d).pop("duration_s")),
        mutate("errno as a string", lambda d: setitem(skip(d)["skip"], "errno", "EPERM")),
        mutate("skip on a non-SKIP result",
               lambda d: setitem(skip(d), "outcome", "PASS")),
        mutate("tags as a string", lambda d: setitem(res0(d), "tags", "a b")),
        mutate("tag with a blank", lambda d: setitem(res0(d), "tags", ["a b"])),
        mutate("message without text", lambda d: msgs(d)["messages"][0].pop("text")),
        mutate("message with an unknown outcome",
               lambda d: setitem(msgs(d)["messages"][0], "outcome", "INFO")),
        mutate("XFAIL without its note",
               lambda d: setitem(first(d, lambda r: r["outcome"] == "XFAIL"), "xfail", None)),
        mutate("negative duration", lambda d: setitem(res0(d), "duration_s", -1)),
        mutate("started not ISO 8601 UTC", lambda d: setitem(d, "started", "yesterday")),
        mutate("where neither host nor vm:", lambda d: setitem(res0(d), "where", "laptop")),
        mutate("lesson out of range", lambda d: setitem(res0(d), "lesson", 13)),
        mutate("fact that is not a string",
               lambda d: setitem(d["facts"], "cgroup.layout", 2)),
        mutate("summary count off by one",
               lambda d: setitem(d["summary"], "PASS", d["summary"]["PASS"] + 1)),
        mutate("result missing from the summary total", lambda d: d["results"].pop()),
    ]


def main(argv):
    negative = False
    args = argv[1:]
    if args[:1] == ["--negative"]:
        negative = True
        args = args[1:]
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate-json: {args[0]}: {e}", file=sys.stderr)
        return 2
    try:
        with open(args[1], encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        print(f"validate-json: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"{args[1]}: not JSON: {e}", file=sys.stderr)
        return 1

    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print(f"validate-json: {args[0]}: not a valid schema: {e.message}", file=sys.stderr)
        return 2
    validator = cls(schema)

    errors = check(validator, doc)
    for e in errors:
        print(f"{args[1]}: {e}", file=sys.stderr)
    if errors:
        return 1
    if not negative:
        print(f"{args[1]}: valid ({cls.__name__})")
        return 0

    accepted = 0
    for what, broken in variants(doc):
        errors = check(validator, broken)
        if errors:
            print(f"rejected as expected: {what}: {errors[0]}")
        else:
            print(f"ACCEPTED, should have been rejected: {what}", file=sys.stderr)
            accepted += 1
    return 1 if accepted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
