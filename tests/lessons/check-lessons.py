#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the lessons: their sections, and that every command they show runs
and prints what they show. TAP on stdout.

    check-lessons.py BUILDDIR [LESSONS_DIR]

The convention (lessons/README.md, "How the lessons are checked"):

- A fenced block whose info string starts with `console` is checked. In it,
  `$ CMD` starts a command, and lines starting with `> ` right after it
  continue it (as the shell's PS2 prompt would). The lines after a command,
  up to the next `$ ` line or the end of the block, are its output: stdout
  and stderr together, in the order they were written.
- The command runs with `bash -c` from the repository's root, stdin
  /dev/null, LC_ALL=C, with every `build/` that starts a path replaced by
  BUILDDIR/; in its output BUILDDIR/ is written back as `build/`. It must
  exit 0: a lesson that shows a failure writes `; echo "exit $?"`.
- In the expected output, a line that is exactly `...` matches any number
  of lines (none included), and `<word>` (e.g. `<pid>`, `<inode>`, `<...>`)
  matches one or more characters of a line. Trailing blanks are ignored.
- `console requires=ID,ID` skips the block unless `isolab probe` says yes
  for each probe ID.
- Any other block (`sh`, `text`, `c`) is not run: `meson test` lines belong
  in `sh` blocks, since meson must not run inside meson.
- Host safety: a checked command that configures networking (`ip`,
  `contain net`, `nft`, `sysctl`) must run in a private namespace it makes
  itself: it starts with `unshare` and both `--net` and `--mount`, or it is
  `build/runtime/contain ns` with a new network namespace.

Each lesson file NN-slug.md must have the six sections of
shared/STYLE.md "What a lesson looks like", in order, name its suite
(`meson test -C build --suite lesson-NN`), and name every test that
`isolab list` registers for lesson NN. lessons/README.md must link every
lesson file.
"""
import json
import os
import re
import subprocess
import sys

SECTIONS = [
    "What you'll build",
    "The test",
    "The implementation",
    "Run it",
    "What just happened",
    "If it fails",
]
TIMEOUT_S = 90

n_tests = 0
n_failed = 0


def tap(ok, name, diag=None, skip=None):
    global n_tests, n_failed
    n_tests += 1
    if skip is not None:
        print(f"ok {n_tests} - {name} # SKIP {skip}")
        return
    print(f"{'ok' if ok else 'not ok'} {n_tests} - {name}")
    if not ok:
        n_failed += 1
    if diag:
        for line in diag.rstrip("\n").split("\n"):
            print(f"# {line}")


class Block:
    def __init__(self, lineno, info):
        self.lineno = lineno
        self.info = info
        self.lines = []


def fenced_blocks(text):
    """Every fenced block: (line of the opening fence, info string, lines)."""
    blocks = []
    cur = None
    for i, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^\s*(```+)(.*)$", line)
        if cur is None and m:
            cur = Block(i, m.group(2).strip())
            cur.fence = m.group(1)
            cur.indent = len(line) - len(line.lstrip())
        elif cur is not None and line.strip() == cur.fence:
            blocks.append(cur)
            cur = None
        elif cur is not None:
            cur.lines.append((i, line[cur.indent:] if line[: cur.indent].isspace() else line))
    return blocks


def commands(block):
    """(line number, command, expected output lines) of a console block."""
    out = []
    for lineno, line in block.lines:
        if line.startswith("$ "):
            out.append([lineno, line[2:], []])
        elif line == "$":
            out.append([lineno, "", []])
        elif out and line.startswith("> ") and not out[-1][2]:
            out[-1][1] += "\n" + line[2:]
        elif out:
            out[-1][2].append(line)
        elif line.strip():
            out.append([lineno, None, [line]])
    return out


def line_regex(line):
    parts = re.split(r"(<[a-z0-9_.-]+>|<\.\.\.>)", line)
    rx = "".join(".+?" if re.fullmatch(r"<[a-z0-9_.-]+>|<\.\.\.>", p) else re.escape(p) for p in parts)
    return re.compile(rx + r"\Z")


def matches(expected, actual):
    """Whether actual lines match the expected ones (with `...` and `<x>`)."""
    exp = [e.rstrip() for e in expected]
    act = [a.rstrip() for a in actual]
    memo = {}

    def m(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(exp):
            r = j == len(act)
        elif exp[i] == "...":
            r = any(m(i + 1, k) for k in range(j, len(act) + 1))
        else:
            r = j < len(act) and line_regex(exp[i]).match(act[j]) is not None and m(i + 1, j + 1)
        memo[key] = r
        return r

    return m(0, 0)


BUILD_RX = re.compile(r"(?<![\w./-])build/")
NET_RX = re.compile(r"(^|[\s;&|(`'\"])(ip|nft|sysctl|bridge|iptables)\s|contain net\s")
SANDBOX_RX = re.compile(
    r"^(unshare\s(?=[^\n]*--net)(?=[^\n]*--mount)|build/runtime/contain ns (\S*\bnet\b|container\s[^\n]*--net(\s|$)))"
)


def sandboxed(cmd):
    return bool(SANDBOX_RX.match(cmd))


def run(cmd, root, builddir):
    real = BUILD_RX.sub(builddir + "/", cmd)
    env = dict(os.environ, LC_ALL="C", LANG="C")
    try:
        p = subprocess.run(["bash", "-c", real], cwd=root, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        return None, (e.output or b"").decode(errors="replace")
    text = p.stdout.decode(errors="replace").replace(builddir + "/", "build/")
    return p.returncode, text


probe_cache = {}


def probe_says_yes(builddir, ids):
    """The probe ids of ids that are not "yes" on this host, with why."""
    missing = []
    need = [i for i in ids if i not in probe_cache]
    if need:
        p = subprocess.run([os.path.join(builddir, "isolab"), "probe", "--json"] + need,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for pr in json.loads(p.stdout)["probes"]:
                probe_cache[pr["id"]] = (pr["verdict"], pr.get("explanation"))
        except (ValueError, KeyError):
            pass
    for i in ids:
        verdict, why = probe_cache.get(i, ("unknown", "isolab probe did not answer"))
        if verdict != "yes":
            missing.append(f"{i}: {why or verdict}")
    return missing


def lesson_tests(builddir):
    """{lesson number: [test names]} from `isolab list --json`."""
    p = subprocess.run([os.path.join(builddir, "isolab"), "list", "--json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tests = {}
    data = json.loads(p.stdout)
    if isinstance(data, dict):
        data = data.get("tests", [])
    for t in data:
        if t.get("lesson"):
            tests.setdefault(int(t["lesson"]), []).append(t["name"])
    return tests


def check_structure(path, name, text, registered):
    heads = [m.group(1).strip() for m in re.finditer(r"^## (.+)$", text, re.M)]
    found = [h for h in heads if h in SECTIONS]
    missing = [s for s in SECTIONS if s not in heads]
    if missing:
        tap(False, f"{name}: has the six sections", "missing: " + ", ".join(missing))
    elif found != SECTIONS:
        tap(False, f"{name}: has the six sections", "out of order: " + ", ".join(found))
    else:
        tap(True, f"{name}: has the six sections")

    num = int(name[:2])
    suite = f"meson test -C build --suite lesson-{num:02d}"
    tap(suite in text, f"{name}: names its suite", None if suite in text else f"no `{suite}`")

    want = registered.get(num, [])
    absent = [t for t in want if not re.search(r"\b" + re.escape(t) + r"\b", text)]
    tap(not absent, f"{name}: names every test of lesson {num}",
        ("not named: " + ", ".join(absent)) if absent else None)


def check_commands(name, text, root, builddir):
    for block in fenced_blocks(text):
        words = block.info.split()
        if not words or words[0] != "console":
            continue
        opts = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        cmds = commands(block)
        skip = None
        if "requires" in opts:
            missing = probe_says_yes(builddir, opts["requires"].split(","))
            if missing:
                skip = "needs " + "; ".join(missing)
        for lineno, cmd, expected in cmds:
            label = f"{name}:{lineno}"
            if cmd is None:
                tap(False, f"{label}: output before any `$ ` command", "\n".join(expected))
                continue
            first = cmd.split("\n", 1)[0]
            title = f"{label}: {first[:70]}" + ("..." if len(first) > 70 or "\n" in cmd else "")
            if NET_RX.search(cmd) and not sandboxed(cmd):
                tap(False, title,
                    "a network command outside a private namespace: start it with "
                    "`unshare --net --mount` (or `contain ns net`)")
                continue
            if skip:
                tap(True, title, skip=skip)
                continue
            code, out = run(cmd, root, builddir)
            actual = out.split("\n")
            if actual and actual[-1] == "":
                actual.pop()
            while expected and not expected[-1].strip():
                expected = expected[:-1]
            problems = []
            if code is None:
                problems.append(f"timed out after {TIMEOUT_S} s")
            elif code != 0:
                problems.append(f"exited {code} (a lesson shows a failure with `; echo \"exit $?\"`)")
            if not matches(expected, actual):
                problems.append("output differs:")
                problems.append("--- expected (the lesson)")
                problems += ["  " + e for e in expected]
                problems.append("+++ actual")
                problems += ["  " + a for a in actual]
            tap(not problems, title, "\n".join(problems) if problems else None)


def main():
    if len(sys.argv) < 2:
        print("usage: check-lessons.py BUILDDIR [LESSONS_DIR]", file=sys.stderr)
        return 2
    builddir = os.path.realpath(sys.argv[1])
    here = os.path.dirname(os.path.realpath(__file__))
    root = os.path.realpath(os.path.join(here, "..", ".."))
    lessons = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "lessons")

    print("TAP version 13")
    if os.geteuid() != 0:
        print("1..0 # SKIP the lessons' commands run as root (namespaces, mounts)")
        return 0

    files = sorted(f for f in os.listdir(lessons) if re.match(r"^\d\d-.+\.md$", f))
    try:
        registered = lesson_tests(builddir)
    except (OSError, ValueError) as e:
        print(f"Bail out! isolab list --json: {e}")
        return 1

    index_path = os.path.join(lessons, "README.md")
    index = open(index_path).read() if os.path.exists(index_path) else ""
    unlisted = [f for f in files if f"({f})" not in index]
    tap(bool(index) and not unlisted, "README.md: links every lesson",
        ("not linked: " + ", ".join(unlisted)) if unlisted else None)
    check_commands("README.md", index, root, builddir)

    for f in files:
        text = open(os.path.join(lessons, f)).read()
        check_structure(os.path.join(lessons, f), f, text, registered)
        check_commands(f, text, root, builddir)

    print(f"1..{n_tests}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
