#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The suite catches every mutant of the reference runtime (issue 9).

contain-mutant is the reference built with the fault sites of
runtime/libcontain/ctr-mutant.h; `--list-mutants` prints the table
(NAME LESSON FAULT). For each mutant, its lesson runs against
`contain-mutant --mutant=NAME` and must have at least one test that
fails or breaks ("not ok"); the reference must pass the same lessons.
The tests this host must skip (cgroup v2 limits) run in a fresh VM
(`--vm auto`) when qemu is installed: the reference always, a mutant
only when the host run did not kill it already.

The OCI lessons drive `RUNTIME oci ...`; `oci unpack` (lesson 8) and the
tracer (lesson 10) come from $ISOLAB_OCI_UNPACKER and $ISOLAB_TRACER,
which point at the mutant here ($ISOLAB_TRACER takes a path, so the
mutant comes from $CONTAIN_MUTANT there).

Usage: mutants.py BUILD_DIR [NAME...]
Prints TAP, one point per reference lesson and per mutant, and the
mutation score (killed/total).
"""
import os
import re
import shutil
import subprocess
import sys

OCI_LESSONS = {8, 9}
RESULT = re.compile(r'^(ok|not ok) \d+ - (\S+)(.*)$')


def run(isolab, lesson, words=None, env_add=None, vm=False):
    env = dict(os.environ)
    for k in ('ISOLAB_RUNTIME', 'ISOLAB_OCI_UNPACKER', 'ISOLAB_TRACER', 'CONTAIN_MUTANT'):
        env.pop(k, None)
    env.update(env_add or {})
    cmd = [isolab, 'run', '--tap', '-l', str(lesson)]
    if words:
        cmd += ['--runtime', words]
    if vm:
        cmd += ['--vm', 'auto']
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, text=True, timeout=600)
        out = p.stdout
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace') + '\nBail out! timeout\n'
    res = {'pass': [], 'fail': [], 'skip': []}
    for line in out.splitlines():
        m = RESULT.match(line)
        if not m:
            continue
        if m.group(1) == 'not ok':
            res['fail'].append(m.group(2))
        elif '# SKIP' in m.group(3):
            res['skip'].append(m.group(2))
        else:
            res['pass'].append(m.group(2))
    if 'Bail out!' in out:
        res['fail'].append('(harness bailed out)')
    return res


def main():
    build = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    isolab = os.path.join(build, 'isolab')
    mutant = os.path.join(build, 'runtime', 'contain-mutant')
    vm = shutil.which('qemu-system-x86_64') is not None
    table = []
    for line in subprocess.run([mutant, '--list-mutants'], stdout=subprocess.PIPE,
                               text=True, check=True).stdout.splitlines():
        name, lesson, fault = line.split(' ', 2)
        if not only or name in only:
            table.append((name, int(lesson), fault))

    points = []
    for lesson in sorted({t[1] for t in table}):
        r = run(isolab, lesson, vm=vm)
        desc = 'reference passes lesson %02d: %d pass, %d skip' % (
            lesson, len(r['pass']), len(r['skip']))
        if r['fail'] or not r['pass']:
            points.append(('not ok', desc + ' (fail: %s)' % ' '.join(r['fail'])))
        else:
            points.append(('ok', desc))

    killed = 0
    for name, lesson, fault in table:
        words = '%s --mutant=%s' % (mutant, name)
        env = {
            'ISOLAB_OCI_UNPACKER': words + ' oci',
            'ISOLAB_TRACER': mutant,
            'CONTAIN_MUTANT': name,
        }
        if lesson in OCI_LESSONS:
            words += ' oci'
        r = run(isolab, lesson, words, env)
        where = 'host'
        if not r['fail'] and r['skip'] and vm:
            r = run(isolab, lesson, words, env, vm=True)
            where = 'host+vm'
        desc = '%s (lesson %02d, %s): ' % (name, lesson, fault)
        if r['fail']:
            killed += 1
            points.append(('ok', desc + 'killed on %s by %s' % (where, ' '.join(r['fail']))))
        else:
            points.append(('not ok', desc + 'survived on %s: %d pass, %d skip' % (
                where, len(r['pass']), len(r['skip']))))

    print('TAP version 13')
    print('1..%d' % len(points))
    for i, (status, desc) in enumerate(points, 1):
        print('%s %d - %s' % (status, i, desc))
    print('# mutation score: %d/%d killed' % (killed, len(table)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
