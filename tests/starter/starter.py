#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The starter is red, the reference green, lesson by lesson (issue 9).

For each lesson, `isolab run --tap -l N` on the host, once with
--runtime the starter and once with the reference. The starter must fail
at least one test of every lesson and pass none; the reference must fail
none. A lesson whose tests all skip on this host is "not applicable here"
and reported, not failed (its tests run in a VM: `isolab run --vm auto`).

The OCI lessons (8, 9) drive `RUNTIME oci ...`, and lessons 8 and 10 run
`oci unpack` and `trace` of $ISOLAB_OCI_UNPACKER and $ISOLAB_TRACER (the
reference by default): both point at the runtime under test here.

Usage: starter.py BUILD_DIR
"""
import os
import re
import subprocess
import sys

LESSONS = range(1, 13)
OCI_LESSONS = {8, 9}
RESULT = re.compile(r'^(ok|not ok) \d+ - (\S+)(.*)$')


def run(isolab, lesson, words, env_runtime):
    env = dict(os.environ)
    env.pop('ISOLAB_RUNTIME', None)
    if env_runtime:
        env['ISOLAB_OCI_UNPACKER'] = env_runtime + ' oci'
        env['ISOLAB_TRACER'] = env_runtime
    cmd = [isolab, 'run', '--tap', '-l', str(lesson)]
    if words:
        cmd += ['--runtime', words]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, text=True, timeout=600)
    res = {'pass': [], 'fail': [], 'skip': []}
    for line in p.stdout.splitlines():
        m = RESULT.match(line)
        if not m:
            continue
        if m.group(1) == 'not ok':
            res['fail'].append(m.group(2))
        elif '# SKIP' in m.group(3):
            res['skip'].append(m.group(2))
        else:
            res['pass'].append(m.group(2))
    if 'Bail out!' in p.stdout:
        res['fail'].append('(harness bailed out)')
    return res


def main():
    build = os.path.abspath(sys.argv[1])
    isolab = os.path.join(build, 'isolab')
    starter = os.path.join(build, 'starter', 'contain-starter')
    reference = os.path.join(build, 'runtime', 'contain')
    points = []
    red = na = 0

    for lesson in LESSONS:
        oci = ' oci' if lesson in OCI_LESSONS else ''
        s = run(isolab, lesson, starter + oci, starter)
        r = run(isolab, lesson, reference + oci, reference)
        n = len(s['pass']) + len(s['fail']) + len(s['skip'])
        if n == 0:
            continue
        if not s['pass'] and not s['fail']:
            na += 1
            points.append(('ok', 'lesson %02d on the starter # SKIP all %d tests skip on this '
                           'host: not applicable here' % (lesson, n)))
        else:
            desc = 'lesson %02d is red on the starter: %d fail, %d pass, %d skip' % (
                lesson, len(s['fail']), len(s['pass']), len(s['skip']))
            if not s['fail'] or s['pass']:
                points.append(('not ok', desc + (' (passes: %s)' % ' '.join(s['pass']))))
            else:
                red += 1
                points.append(('ok', desc))
        desc = 'lesson %02d passes on the reference: %d pass, %d skip' % (
            lesson, len(r['pass']), len(r['skip']))
        if r['fail']:
            points.append(('not ok', desc + ' (fail: %s)' % ' '.join(r['fail'])))
        else:
            points.append(('ok', desc))

    print('TAP version 13')
    print('1..%d' % len(points))
    for i, (status, desc) in enumerate(points, 1):
        print('%s %d - %s' % (status, i, desc))
    print('# starter: %d lessons red, %d not applicable on this host' % (red, na))
    return 0


if __name__ == '__main__':
    sys.exit(main())
