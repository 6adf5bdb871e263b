#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validate an isolab JUnit XML report against reports/junit.xsd.

usage: validate-junit.py [--xmllint PATH] SCHEMA REPORT
       validate-junit.py [--xmllint PATH] --negative SCHEMA REPORT

The schema check is xmllint's (libxml2). Besides it, this checks what
XSD 1.0 cannot say: the tests/failures/errors/skipped counts of each
suite and of the whole run agree with the testcases, a testcase's
classname is its suite's name, and the element a testcase carries agrees
with its "outcome" property (an XFAIL is not <skipped>, a TIMEOUT is an
<error>, ...).

With --negative, REPORT must be valid and hold a FAIL, a SKIP and an XFAIL
testcase; each broken variant of it built below must then be rejected,
which proves the validation is not vacuous.

Exit status: 0 valid (or, with --negative, every variant rejected),
1 invalid (or a variant accepted), 2 usage, unreadable input or an
xmllint failure that is not a validation error.
"""

import copy
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# xmllint's exit status when the document does not match the schema.
XMLLINT_INVALID = 3

ELEMENT_FOR = {
    "PASS": None, "WARN": None, "XFAIL": None,
    "SKIP": "skipped", "FAIL": "failure", "BROKEN": "error", "TIMEOUT": "error",
}


class Usage(Exception):
    pass


def xmllint(prog, xsd, path):
    """None when valid, else the first line of xmllint's complaint."""
    p = subprocess.run([prog, "--noout", "--schema", xsd, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode == 0:
        return None
    if p.returncode != XMLLINT_INVALID:
        raise Usage(f"xmllint exited with {p.returncode}: {p.stderr.strip()}")
    lines = [l for l in p.stderr.splitlines() if "validates" not in l]
    return lines[0] if lines else "fails to validate"


def outcome_of(case):
    for prop in case.findall("properties/property"):
        if prop.get("name") == "outcome":
            return prop.get("value")
    return None


def counts(cases):
    return {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }


def semantic_errors(root):
    errors = []

    def compare(elem, what, cases):
        for attr, n in counts(cases).items():
            if elem.get(attr) != str(n):
                errors.append(f"{what}: {attr}=\"{elem.get(attr)}\", but {n} testcases")

    all_cases = []
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        all_cases += cases
        name = suite.get("name")
        compare(suite, f"testsuite {name}", cases)
        total = sum(float(c.get("time", "0")) for c in cases)
        if abs(total - float(suite.get("time", "0"))) > 0.001 * (len(cases) + 1):
            errors.append(f"testsuite {name}: time=\"{suite.get('time')}\", "
                          f"but its testcases add up to {total:.3f}")
        for c in cases:
            what = f"testcase {c.get('classname')}/{c.get('name')}"
            where = [p.get("value") for p in c.findall("properties/property")
                     if p.get("name") == "where"]
            where = where[0] if where else "host"
            place = name[len("isolab."):]
            if place.startswith("vm:"):
                # A suite per VM (a kernel matrix): its cases ran there, and
                # their classnames carry the place.
                if where != place:
                    errors.append(f"{what}: ran in {where}, not in its suite's VM {place}")
                if not c.get("classname", "").startswith(name + "."):
                    errors.append(f"{what}: classname does not start with {name}.")
            else:
                if where.startswith("vm:"):
                    errors.append(f"{what}: ran in {where}, but sits in host suite {name}")
                if c.get("classname") != name:
                    errors.append(f"{what}: classname is not its suite's name {name}")
            outcome = outcome_of(c)
            if outcome is None:
                continue
            found = [k for k in ("failure", "error", "skipped") if c.find(k) is not None]
            want = ELEMENT_FOR.get(outcome, "?")
            if found != ([want] if want else []):
                errors.append(f"{what}: outcome {outcome} carries "
                              f"{found or 'no result element'}, "
                              f"expected {want or 'no result element'}")
    compare(root, "testsuites", all_cases)
    return errors


def check(prog, xsd, path):
    complaint = xmllint(prog, xsd, path)
    if complaint:
        return [complaint]
    return semantic_errors(ET.parse(path).getroot())


def variants(root):
    """(what, broken copy of root) pairs; each must be rejected."""
    out = []

    def case_with(r, outcome):
        for c in r.iter("testcase"):
            if outcome_of(c) == outcome:
                return c
        raise Usage(f"--negative needs a report with a {outcome} testcase")

    def mutate(what, fn):
        r = copy.deepcopy(root)
        fn(r)
        out.append((what, r))

    def xfail_as_skipped(r):
        # The classic mistake, with every count adjusted so only the
        # outcome rule can catch it.
        case = case_with(r, "XFAIL")
        case.insert(1, ET.Element("skipped", {"message": "xfail: known bug"}))
        for elem in [r] + [s for s in r.findall("testsuite") if case in list(s)]:
            elem.set("skipped", str(int(elem.get("skipped")) + 1))

    def duplicate_suite(r):
        r.append(copy.deepcopy(r.find("testsuite")))

    mutate("testcase without a name",
           lambda r: r.find(".//testcase").attrib.pop("name"))
    mutate("testsuites without a name", lambda r: r.attrib.pop("name"))
    mutate("skipped without a message",
           lambda r: case_with(r, "SKIP").find("skipped").attrib.pop("message"))
    mutate("failure of an unknown type",
           lambda r: case_with(r, "FAIL").find("failure").set("type", "WEIRD"))
    mutate("failure without a message",
           lambda r: case_with(r, "FAIL").find("failure").attrib.pop("message"))
    mutate("time that is not a number", lambda r: r.find(".//testcase").set("time", "abc"))
    mutate("negative time", lambda r: r.find(".//testcase").set("time", "-1.000"))
    mutate("count that is not a number", lambda r: r.set("tests", "many"))
    mutate("timestamp that is not a dateTime",
           lambda r: r.find("testsuite").set("timestamp", "yesterday"))
    mutate("classname outside isolab.<area>",
           lambda r: r.find(".//testcase").set("classname", "other.area"))
    mutate("unknown element in a testcase",
           lambda r: r.find(".//testcase").append(ET.Element("bogus")))
    mutate("two failures in a testcase",
           lambda r: case_with(r, "FAIL").append(copy.deepcopy(
               case_with(r, "FAIL").find("failure"))))
    mutate("property without a value",
           lambda r: r.find(".//property").attrib.pop("value"))
    mutate("two suites for one area", duplicate_suite)
    mutate("testsuites count off by one",
           lambda r: r.set("tests", str(int(r.get("tests")) + 1)))
    mutate("testsuite failures off by one",
           lambda r: r.find("testsuite").set(
               "failures", str(int(r.find("testsuite").get("failures")) + 1)))
    mutate("XFAIL written as skipped", xfail_as_skipped)
    return out


def main(argv):
    args = argv[1:]
    prog = "xmllint"
    negative = False
    while args and args[0].startswith("--"):
        if args[0] == "--xmllint" and len(args) > 1:
            prog = args[1]
            args = args[2:]
        elif args[0] == "--negative":
            negative = True
            args = args[1:]
        else:
            break
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    xsd, path = args
    if not os.path.exists(path) or not os.path.exists(xsd):
        print(f"validate-junit: {path if not os.path.exists(path) else xsd}: "
              "no such file", file=sys.stderr)
        return 2

    try:
        errors = check(prog, xsd, path)
        for e in errors:
            print(f"{path}: {e}", file=sys.stderr)
        if errors:
            return 1
        if not negative:
            print(f"{path}: valid")
            return 0

        accepted = 0
        root = ET.parse(path).getroot()
        with tempfile.TemporaryDirectory() as tmp:
            for i, (what, broken) in enumerate(variants(root)):
                bad = os.path.join(tmp, f"variant-{i}.xml")
                ET.ElementTree(broken).write(bad, encoding="UTF-8", xml_declaration=True)
                errors = check(prog, xsd, bad)
                if errors:
                    print(f"rejected as expected: {what}: {errors[0]}")
                else:
                    print(f"ACCEPTED, should have been rejected: {what}", file=sys.stderr)
                    accepted += 1
        return 1 if accepted else 0
    except Usage as e:
        print(f"validate-junit: {e}", file=sys.stderr)
        return 2
    except ET.ParseError as e:
        print(f"{path}: not well-formed XML: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
