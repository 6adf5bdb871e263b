#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the CI workflow and the dev container against the repository.

usage: check-ci-files.py SOURCE_ROOT [ISOLAB]

.github/workflows/vm-matrix.yml (PyYAML) must be a workflow GitHub can run:
triggers, jobs with runs-on and steps, each step either `uses` (pinned to a
ref) or `run`; debian:12 containers run --privileged. Its kernel matrix is
debian:6.1, debian:6.12 and the runner's own kernel; that job caches
~/.cache/isolab under a key made from the kernel, runs every suite through
`isolab vm ... -o DIR --`, and uploads DIR/junit.xml and DIR/report.json
even when it failed. The README's first Quick start line is run as written,
and its second through .ci/run, which must hold it verbatim.

Every command in a run: script, in the dev container's commands and in the
shell blocks of .devcontainer/README.md that calls isolab, ci/setup,
.ci/run or meson must be one the repository has: scripts exist and are
executable, isolab's verbs and options are in `ISOLAB VERB --help` (both
sides of `isolab vm ... --`), meson command lines are ones the README
or .ci/run has, and `--setup NAME` is a test setup some meson.build adds.
Each run: script must pass `bash -n`.

.devcontainer/devcontainer.json must be strict JSON (no comments), a
Debian 12 image, --privileged, as root, with postCreateCommand running
./ci/setup, and must say (in a "//" key or its README.md) that lessons 06
and 07 go to VMs through `isolab run --vm auto`.

Then every check is turned against broken copies of the files (a kernel
dropped from the matrix, a script that does not exist, an option isolab
does not have, a comment in the JSON...): each one must be rejected, which
proves the checks are not vacuous.

Without ISOLAB, the verbs and options are not checked. Exit status: 0 the
files pass and every broken copy is rejected, 1 otherwise, 2 usage or an
unreadable file, 77 python3-yaml is missing (meson counts 77 as a skip).
"""

import json
import os
import re
import shlex
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("check-ci-files: python3-yaml is not installed (ci/setup installs it)",
          file=sys.stderr)
    sys.exit(77)

WORKFLOW = ".github/workflows/vm-matrix.yml"
DEVCONTAINER = ".devcontainer/devcontainer.json"
DEVCONTAINER_README = ".devcontainer/README.md"
CI_RUN = ".ci/run"

# The matrix's kernels: Debian's two, and the runner's own with its modules.
KERNELS = {
    "debian:6.1": None,
    "debian:6.12": None,
    "path:/boot/vmlinuz-$(uname -r)": "/lib/modules/$(uname -r)",
}
CACHE_DIR = "~/.cache/isolab"
# What narrows `isolab run` to some tests, and its options that take a value.
SELECTION = {"-a", "--area", "-l", "--lesson", "-t", "--test", "--selftest"}
GUEST_VALUE_OPTIONS = {"-j", "--jobs", "--timeout-multiplier", "--runtime", "--rootfs"}
BUILD_DIR = "build"  # what ci/setup builds when given no directory

# Words that may stand before the program of a simple command.
PREFIXES = {"!", "{", "if", "then", "else", "elif", "while", "until", "do", "time",
            "exec", "bash", "sh", "sudo", "env"}
CONTROL = {"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"}
REDIRECT = re.compile(r"^[0-9]*(>>|>|<|>&|<&|&>|&>>)$")


class Oracle:
    """What `isolab --help` and `isolab VERB --help` say, asked once each."""

    def __init__(self, isolab):
        self.isolab = isolab
        self.helps = {}

    def help(self, verb=None):
        if verb not in self.helps:
            argv = [self.isolab] + ([verb] if verb else []) + ["--help"]
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            self.helps[verb] = (p.returncode, p.stdout + p.stderr)
        return self.helps[verb]

    def verbs(self):
        _, text = self.help()
        m = re.search(r"^verbs:\n((?:[ \t]+\S.*\n?)+)", text, re.M)
        return set(re.findall(r"^[ \t]+([a-z][a-z-]*)\s", m.group(1), re.M)) if m else set()

    def has_option(self, verb, opt):
        rc, text = self.help(verb)
        return rc == 0 and re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", text)

    def guest_options(self):
        """The options `isolab vm` passes on to the guest's `isolab run`, as
        its help lists them in the paragraph on RUN-OPTIONS; None if it has
        no such paragraph (then `isolab run --help` alone decides)."""
        _, text = self.help("vm")
        m = re.search(r"RUN-OPTIONS are (.*?)(?:\n\n|$)", text, re.S)
        return set(re.findall(r"(?<![\w-])(--[a-z][\w-]*|-[a-zA-Z])(?![\w-])", m.group(1))) \
            if m else None


def norm(s):
    return " ".join(s.split())


def script_path(word):
    return word[2:] if word.startswith("./") else word


def logical_lines(script):
    """A shell script's command lines, continuations joined, comment lines dropped."""
    lines = [line.strip() for line in script.replace("\\\n", " ").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def expand_for_check(line):
    """Make a line shlex can split: GitHub expressions and command
    substitutions become placeholders, and ${VAR:+WORDS} its WORDS (they
    are options that have to be checked too)."""
    line = re.sub(r"\$\{\{.*?\}\}", "GHA_EXPR", line)
    line = re.sub(r"\$\{\w+:[+-]([^{}]*)\}", r"\1", line)
    line = re.sub(r"\$\([^()]*\)", "CMDSUBST", line)
    return line


def simple_commands(line):
    """The simple commands of one shell line, as word lists."""
    lexer = shlex.shlex(expand_for_check(line), posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError as e:
        return None, str(e)
    commands, cur, skip = [], [], False
    for t in tokens:
        if skip:
            skip = False
            continue
        if t in CONTROL:
            if cur:
                commands.append(cur)
            cur = []
            continue
        if REDIRECT.match(t):
            skip = True
            continue
        cur.append(t)
    if cur:
        commands.append(cur)
    out = []
    for c in commands:
        while c and (c[0] in PREFIXES or re.match(r"^[A-Za-z_]\w*=", c[0])):
            c = c[1:]
        if c:
            out.append(c)
    return out, None


class Repo:
    """The files under check, as text, and the tree they live in."""

    def __init__(self, root):
        self.root = root
        self.text = {}
        for rel in (WORKFLOW, DEVCONTAINER, DEVCONTAINER_README, CI_RUN, "README.md"):
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                self.text[rel] = f.read()
        self.test_setups = set()
        for d, _, files in os.walk(root):
            if os.path.relpath(d, root).split(os.sep)[0] in (".git", BUILD_DIR) or \
                    os.path.basename(d).startswith("build-"):
                continue
            if "meson.build" in files:
                with open(os.path.join(d, "meson.build"), encoding="utf-8") as f:
                    self.test_setups |= set(re.findall(r"add_test_setup\(\s*'([^']+)'",
                                                       f.read()))
        self.executable = {}

    def is_executable(self, rel):
        if rel not in self.executable:
            p = os.path.join(self.root, rel)
            self.executable[rel] = os.path.isfile(p) and os.access(p, os.X_OK)
        return self.executable[rel]

    def readme_commands(self):
        """Every command line of the README's shell blocks."""
        lines = []
        for block in re.findall(r"^```sh\n(.*?)^```", self.text["README.md"], re.M | re.S):
            lines += [re.sub(r"\s+#.*$", "", line) for line in logical_lines(block)]
        return lines

    def quick_start(self):
        """The README's Quick start command lines, in order."""
        m = re.search(r"^## Quick start\n(.*?)(?=^## )", self.text["README.md"], re.M | re.S)
        if not m:
            return []
        lines = []
        for block in re.findall(r"^```sh\n(.*?)^```", m.group(1), re.M | re.S):
            lines += logical_lines(block)
        return lines


class Checker:
    def __init__(self, repo, oracle):
        self.repo = repo
        self.oracle = oracle
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    # ---- commands ----

    def check_isolab(self, where, words):
        if script_path(words[0]) != f"{BUILD_DIR}/isolab":
            self.err(where, f"'{words[0]}' is not the isolab that ci/setup builds "
                     f"(./{BUILD_DIR}/isolab)")
        if not self.oracle:
            return
        verbs = self.oracle.verbs()
        if len(words) < 2 or words[1] not in verbs:
            verb = words[1] if len(words) > 1 else "(none)"
            self.err(where, f"isolab has no verb '{verb}' (verbs: {', '.join(sorted(verbs))})")
            return
        verb, args = words[1], words[2:]
        after = []
        if "--" in args:
            i = args.index("--")
            args, after = args[:i], args[i + 1:]
        for verb_of, opts in ((verb, args), ("run" if verb == "vm" else verb, after)):
            for a in opts:
                if not a.startswith("-") or a == "-":
                    continue
                opt = a.split("=", 1)[0] if a.startswith("--") else a[:2]
                if not self.oracle.has_option(verb_of, opt):
                    self.err(where, f"`isolab {verb_of} --help` has no option '{opt}' "
                             f"(in: {' '.join(words)})")
                elif opts is after and verb == "vm":
                    guest = self.oracle.guest_options()
                    if guest is not None and opt not in guest:
                        self.err(where, f"isolab vm does not pass '{opt}' on to the guest "
                                 f"(it takes {', '.join(sorted(guest))} after --)")

    def check_meson(self, where, words):
        known = [norm(seg) for line in self.repo.readme_commands() +
                 logical_lines(self.repo.text[CI_RUN]) for seg in re.split(r"&&|\|\||;", line)]
        if norm(" ".join(words)) not in known:
            self.err(where, f"`{' '.join(words)}` is not a meson command of the README "
                     "or .ci/run")
        for i, w in enumerate(words):
            if w == "--setup" and i + 1 < len(words) and words[i + 1] not in self.repo.test_setups:
                self.err(where, f"no meson.build adds the test setup '{words[i + 1]}'")
            if w == "-C" and i + 1 < len(words) and words[i + 1] != BUILD_DIR:
                self.err(where, f"meson -C {words[i + 1]}: ci/setup builds in {BUILD_DIR}")

    def check_script(self, where, script):
        """Every command of a shell script that the repository must have."""
        invoked = []
        for line in logical_lines(script):
            cmds, e = simple_commands(line)
            if e:
                self.err(where, f"cannot split `{line}`: {e}")
                continue
            for words in cmds:
                prog = script_path(words[0])
                if prog.endswith("isolab") and (prog == "isolab" or prog.endswith("/isolab")):
                    self.check_isolab(where, words)
                elif prog == "meson":
                    self.check_meson(where, words)
                elif prog in ("ci/setup", ".ci/run") or prog.startswith(("ci/", ".ci/")):
                    if not self.repo.is_executable(prog):
                        self.err(where, f"'{words[0]}' is not an executable file of the "
                                 "repository")
                    if prog == "ci/setup" and len(words) > 1 and words[1] != BUILD_DIR:
                        self.err(where, f"ci/setup {words[1]}: the commands here expect "
                                 f"./{BUILD_DIR}")
                else:
                    continue
                invoked.append((prog, words))
        return invoked

    def bash_syntax(self, where, script):
        p = subprocess.run(["bash", "-n"], input=re.sub(r"\$\{\{.*?\}\}", "GHA_EXPR", script),
                           capture_output=True, text=True)
        if p.returncode:
            self.err(where, f"bash -n: {p.stderr.strip()}")

    # ---- the workflow ----

    def check_workflow(self):
        try:
            wf = yaml.safe_load(self.repo.text[WORKFLOW])
        except yaml.YAMLError as e:
            self.err(WORKFLOW, "not YAML: " + " ".join(str(e).split()))
            return
        if not isinstance(wf, dict):
            self.err(WORKFLOW, "not a mapping")
            return
        # YAML 1.1 (PyYAML) reads the key `on` as the boolean true.
        on = wf.get("on", wf.get(True))
        if not on:
            self.err(WORKFLOW, "no `on:` triggers")
        elif not isinstance(on, (str, list, dict)):
            self.err(WORKFLOW, "`on:` is neither an event, a list nor a mapping")
        jobs = wf.get("jobs")
        if not isinstance(jobs, dict) or not jobs:
            self.err(WORKFLOW, "no jobs")
            return

        quick = self.repo.quick_start()
        if len(quick) < 2:
            self.err("README.md", "the Quick start has fewer than two command lines")
            quick += [None] * 2
        run_lines, ran_ci_run, vm_jobs = [], False, []
        for name, job in jobs.items():
            where = f"{WORKFLOW}: jobs.{name}"
            if not isinstance(job, dict):
                self.err(where, "not a mapping")
                continue
            if "runs-on" not in job:
                self.err(where, "no runs-on")
            c = job.get("container")
            if c is not None:
                image = c if isinstance(c, str) else c.get("image", "")
                if image not in ("debian:12", "debian:bookworm"):
                    self.err(where, f"container {image!r}: ci/setup needs Debian 12")
                if "--privileged" not in str(c.get("options", "") if isinstance(c, dict) else ""):
                    self.err(where, "the container is not --privileged (namespaces, mounts, "
                             "BPF and the tests' cgroups need it)")
            steps = job.get("steps")
            if not isinstance(steps, list) or not steps:
                self.err(where, "no steps")
                continue
            first = steps[0].get("uses", "") if isinstance(steps[0], dict) else ""
            if not first.startswith("actions/checkout@"):
                self.err(where, "the first step is not actions/checkout")
            job_invoked = []
            for i, step in enumerate(steps):
                sw = f"{where}.steps[{i}]"
                if not isinstance(step, dict) or ("uses" in step) == ("run" in step):
                    self.err(sw, "a step needs exactly one of `uses` and `run`")
                    continue
                if "uses" in step:
                    if not re.match(r"^[\w.-]+/[\w./-]+@\S+$", str(step["uses"])):
                        self.err(sw, f"`uses: {step['uses']}` is not pinned to a ref")
                    continue
                script = str(step["run"])
                self.bash_syntax(sw, script)
                run_lines += [norm(line) for line in logical_lines(script)]
                job_invoked += [(sw, p, w) for p, w in self.check_script(sw, script)]
            if any(p == ".ci/run" for _, p, _ in job_invoked):
                ran_ci_run = True
            vm_runs = [(sw, w) for sw, p, w in job_invoked
                       if p.endswith("isolab") and len(w) > 1 and w[1] == "vm" and
                       "--fetch-only" not in w]
            if vm_runs:
                vm_jobs.append(name)
                self.check_vm_job(where, job, vm_runs)

        if not vm_jobs:
            self.err(WORKFLOW, "no job runs `isolab vm`")
        if not ran_ci_run:
            self.err(WORKFLOW, "no job runs .ci/run (the README's test line)")
        if quick[0] and norm(quick[0]) not in run_lines:
            self.err(WORKFLOW, f"the README's first Quick start line is not run as written: "
                     f"`{quick[0]}`")
        ci_run = [norm(line) for line in logical_lines(self.repo.text[CI_RUN])]
        if quick[1] and norm(quick[1]) not in ci_run:
            self.err(CI_RUN, f"does not run the README's second Quick start line: `{quick[1]}`")

    def check_vm_job(self, where, job, vm_runs):
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        kernels = {}
        for k in matrix.get("kernel", []) if isinstance(matrix.get("kernel"), list) else []:
            kernels[str(k)] = None
        for inc in matrix.get("include", []) or []:
            if isinstance(inc, dict) and "kernel" in inc:
                kernels[str(inc["kernel"])] = inc.get("modules") or None
        if set(kernels) != set(KERNELS):
            self.err(where, f"the matrix's kernels are {sorted(kernels)}, "
                     f"expected {sorted(KERNELS)}")
        for k, mods in KERNELS.items():
            if mods and k in kernels and kernels[k] != mods:
                self.err(where, f"kernel {k} needs modules {mods}, has {kernels[k]!r}")
        if (job.get("strategy") or {}).get("fail-fast", True) is not False:
            self.err(where, "fail-fast is not false: one kernel's failure would cancel "
                     "the others")

        steps = [s for s in job.get("steps", []) if isinstance(s, dict)]
        caches = [s for s in steps if re.match(r"^actions/cache(/restore|/save)?@",
                                               str(s.get("uses", "")))]
        # The key must come from the matrix's kernel: directly, or through
        # the output of a step that reads matrix.kernel.
        from_kernel = {s["id"] for s in steps if "id" in s and "matrix.kernel" in str(s.get("run"))}
        for s in caches:
            w = s.get("with") or {}
            if str(w.get("path", "")).strip() != CACHE_DIR:
                self.err(where, f"{s['uses']} caches {w.get('path')!r}, not {CACHE_DIR}")
            key = str(w.get("key", ""))
            if not ("matrix.kernel" in key or
                    any(f"steps.{i}.outputs" in key for i in from_kernel)):
                self.err(where, f"{s['uses']}: the key {key!r} is not made from the "
                         "matrix's kernel")
        if not caches:
            self.err(where, f"no actions/cache step for {CACHE_DIR}")

        dirs = set()
        for sw, words in vm_runs:
            if "--kernel" not in words and "-k" not in words:
                self.err(sw, "isolab vm without --kernel runs the default kernel, not the "
                         "matrix's")
            for opt in ("-o", "--report-dir"):
                if opt in words and words.index(opt) + 1 < len(words):
                    dirs.add(words[words.index(opt) + 1])
            guest = words[words.index("--") + 1:] if "--" in words else []
            skip = False
            for a in guest:
                if skip:
                    skip = False
                elif a.split("=", 1)[0] in GUEST_VALUE_OPTIONS and "=" not in a:
                    skip = True
                elif a.split("=", 1)[0] in SELECTION or a[:2] in SELECTION or \
                        not a.startswith("-"):
                    self.err(sw, f"isolab vm selects tests ('{a}'): the matrix runs every suite")
        if not dirs:
            self.err(where, "isolab vm has no -o/--report-dir")
        uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
        for d in dirs:
            want = {f"{d}/junit.xml", f"{d}/report.json"}
            ok = [s for s in uploads
                  if want <= {p.strip() for p in str((s.get("with") or {}).get("path", "")).split()}]
            if not ok:
                self.err(where, f"no upload-artifact step uploads {' and '.join(sorted(want))}")
            elif not all("always()" in str(s.get("if", "")) for s in ok):
                self.err(where, "the results are not uploaded `if: always()` (a failed run "
                         "is when they matter)")

    # ---- the dev container ----

    def check_devcontainer(self):
        where = DEVCONTAINER
        try:
            dc = json.loads(self.repo.text[DEVCONTAINER])
        except json.JSONDecodeError as e:
            self.err(where, f"not strict JSON (comments go in a \"//\" key): {e}")
            return
        if not isinstance(dc, dict):
            self.err(where, "not an object")
            return
        image = str(dc.get("image", ""))
        if not (image in ("debian:12", "debian:bookworm") or
                re.match(r"^mcr\.microsoft\.com/(vscode/)?devcontainers/base:(bookworm|debian-12)$",
                         image)):
            self.err(where, f"image {image!r} is not Debian 12")
        run_args = dc.get("runArgs", [])
        if "--privileged" not in run_args:
            self.err(where, "runArgs has no --privileged")
        if dc.get("remoteUser") != "root":
            self.err(where, "remoteUser is not root (the tests run as root)")

        setup = False
        for key in ("onCreateCommand", "updateContentCommand", "postCreateCommand",
                    "postStartCommand", "postAttachCommand"):
            cmd = dc.get(key)
            if cmd is None:
                continue
            cmds = cmd.values() if isinstance(cmd, dict) else [cmd]
            for c in cmds:
                script = shlex.join(c) if isinstance(c, list) else str(c)
                invoked = self.check_script(f"{where}: {key}", script)
                if key == "postCreateCommand" and any(p == "ci/setup" for p, _ in invoked):
                    setup = True
        if not setup:
            self.err(where, "postCreateCommand does not run ./ci/setup")

        doc = str(dc.get("//", "")) + "\n" + self.repo.text[DEVCONTAINER_README]
        if not re.search(r"06\b.*07\b.*`isolab run --vm auto`", doc):
            self.err(where, "neither its \"//\" nor README.md says, on one line, that lessons "
                     "06-07 run in VMs through `isolab run --vm auto`")
        md = self.repo.text[DEVCONTAINER_README]
        for block in re.findall(r"^```sh\n(.*?)^```", md, re.M | re.S):
            self.check_script(DEVCONTAINER_README, block)


def check(repo, oracle):
    c = Checker(repo, oracle)
    c.check_workflow()
    c.check_devcontainer()
    return c.errors


def broken_copies():
    """(what is broken, file, from its text to the broken text, whether only
    ISOLAB's help texts can tell)."""
    wf, dc, md = WORKFLOW, DEVCONTAINER, DEVCONTAINER_README

    def sub(pattern, repl, count=1):
        def f(text):
            new = re.sub(pattern, repl, text, count=count, flags=re.M)
            if new == text:
                raise LookupError(f"pattern {pattern!r} not found")
            return new
        return f

    return [
        ("a kernel dropped from the matrix", wf,
         sub(r"^\s*- name: debian-6\.12\n\s*kernel: debian:6\.12\n\s*modules: \"\"\n", ""),
         False),
        ("the runner kernel without its modules", wf,
         sub(r"modules: /lib/modules/\$\(uname -r\)", 'modules: ""'), False),
        ("fail-fast left on", wf, sub(r"^\s*fail-fast: false\n", ""), False),
        ("ci/setup misspelt", wf, sub(r"run: \./ci/setup$", "run: ./ci/set-up"), False),
        (".ci/run not run", wf, sub(r"run: \.ci/run$", "run: meson test -C build"), False),
        ("an unknown meson test setup", wf,
         sub(r"run: \.ci/run$", "run: meson test -C build --setup helgrind --print-errorlogs"),
         False),
        ("isolab from another build dir", wf, sub(r"\./build/isolab vm", "./build-x/isolab vm"),
         False),
        ("a selection in the matrix run", wf, sub(r"-o results --$", "-o results -- -a oci"),
         False),
        ("the README's first Quick start line changed", wf,
         sub(r"isolab run -j2", "isolab run -j1"), False),
        ("the README's second line gone from .ci/run", CI_RUN,
         sub(r" && meson test -C build --setup valgrind --print-errorlogs$", ""), False),
        ("results uploaded only on success", wf,
         sub(r"^\s*if: always\(\)\n(\s*uses: actions/upload-artifact)", r"\1", count=0), False),
        ("report.json not uploaded", wf, sub(r"^\s*results/report\.json\n", ""), False),
        ("the cache not keyed on the kernel", wf,
         sub(r"key: \$\{\{ steps\.kernel\.outputs\.key \}\}-none", "key: isolab-none"), False),
        ("the cache elsewhere", wf, sub(r"path: ~/\.cache/isolab$", "path: ~/.cache"), False),
        ("no `on:`", wf, sub(r"^on:", "off:"), False),
        ("a step with both uses and run", wf,
         sub(r"^(\s*)- uses: actions/checkout@v4$", r"\1- uses: actions/checkout@v4\n\1  run: true"),
         False),
        ("an action not pinned", wf, sub(r"actions/upload-artifact@v4", "actions/upload-artifact"),
         False),
        ("a shell syntax error", wf, sub(r"run: \./ci/setup$", "run: ./ci/setup && ("), False),
        ("the container not privileged", wf, sub(r"options: --privileged", "options: --init"),
         False),
        ("an Ubuntu container", wf, sub(r"image: debian:12", "image: ubuntu:24.04"), False),
        ("not YAML", wf, lambda t: t + "\n  - : [\n", False),
        ("an isolab option that does not exist", wf,
         sub(r"--keep results/logs", "--keep-logs results/logs"), True),
        ("an isolab verb that does not exist", wf, sub(r"isolab vm --kernel", "isolab vms --kernel"),
         True),
        ("a report option passed to the guest", wf, sub(r"-o results --$", "-o results -- --tap"),
         True),
        ("a comment in the JSON", dc, lambda t: "// dev container\n" + t, False),
        ("postCreateCommand without ci/setup", dc,
         sub(r'"postCreateCommand": "\./ci/setup"', '"postCreateCommand": "make"'), False),
        ("not privileged", dc, sub(r'"--privileged",?\n', ""), False),
        ("an Ubuntu image", dc, sub(r'"image": "[^"]*"', '"image": "ubuntu:24.04"'), False),
        ("not root", dc, sub(r'"remoteUser": "root"', '"remoteUser": "vscode"'), False),
        ("lessons 06-07 not sent to VMs", (dc, md), sub(r"--vm auto", "--vm never", count=0),
         False),
        ("an isolab option the README's commands lack", md,
         sub(r"isolab run -j2 --vm auto", "isolab run -j2 --in-vm auto"), True),
    ]


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        repo = Repo(argv[1])
    except OSError as e:
        print(f"check-ci-files: {e}", file=sys.stderr)
        return 2
    oracle = Oracle(argv[2]) if len(argv) == 3 else None
    if not oracle:
        print("# no ISOLAB given: isolab's verbs and options are not checked")

    errors = check(repo, oracle)
    for e in errors:
        print(f"not ok: {e}")
    if errors:
        print(f"check-ci-files: {len(errors)} problem(s) in the CI files")
        return 1
    print(f"ok: {WORKFLOW}, {DEVCONTAINER} and {DEVCONTAINER_README} agree with the repository")

    accepted = 0
    for what, rel, mutate, needs_isolab in broken_copies():
        if needs_isolab and not oracle:
            continue
        rels = rel if isinstance(rel, tuple) else (rel,)
        saved = {r: repo.text[r] for r in rels}
        try:
            for r in rels:
                repo.text[r] = mutate(saved[r])
            found = check(repo, oracle)
        except LookupError as e:
            print(f"not ok: broken copy '{what}' could not be made: {e}")
            accepted += 1
            continue
        finally:
            repo.text.update(saved)
        if found:
            print(f"ok: rejected {what}: {found[0]}")
        else:
            print(f"not ok: accepted {what}")
            accepted += 1
    if accepted:
        print(f"check-ci-files: {accepted} broken copies were not rejected")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
