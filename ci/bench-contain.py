#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Start cost of a container: contain against the util-linux floor.

usage: bench-contain.py CONTAIN ROOTFS [RUNS]

Runs, interleaved so that machine noise hits both alike,
  contain ns container --rootfs R -- /bin/true
  unshare --pid --fork --mount --uts --ipc chroot R /bin/true
RUNS times each (default 101) after 5 warm-ups, and prints the median and
quartiles of each, the ratio of the medians (target <= 1.3), and the peak
RSS of each as GNU time reports it (the larger of the command and the
children it reaps).
"""

import os
import resource
import statistics
import subprocess
import sys
import time


def run(argv):
    start = time.perf_counter_ns()
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)
    return (time.perf_counter_ns() - start) / 1e6


def peak_rss_kib(argv):
    # GNU time execs the command in a fresh small process. (ru_maxrss
    # survives execve, so a python-forked child would report python's.)
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "--"] + argv, check=True,
                         stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(out.stderr.strip().splitlines()[-1])


def summary(xs):
    q = statistics.quantiles(xs, n=4)
    return f"median {statistics.median(xs):.2f} ms (q1 {q[0]:.2f}, q3 {q[2]:.2f})"


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    contain, rootfs = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 101
    ours = [contain, "ns", "container", "--rootfs", rootfs, "--", "/bin/true"]
    floor = ["unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "chroot", rootfs, "/bin/true"]
    for _ in range(5):
        run(ours)
        run(floor)
    a, b = [], []
    for _ in range(runs):
        a.append(run(ours))
        b.append(run(floor))
    ratio = statistics.median(a) / statistics.median(b)
    print(f"container start, {runs} runs each, {os.cpu_count()} CPUs, kernel {os.uname().release}")
    print(f"  contain ns container: {summary(a)}")
    print(f"  unshare + chroot:     {summary(b)}")
    print(f"  ratio of medians: {ratio:.2f}x (target <= 1.3x)")
    print(f"  peak RSS: contain {peak_rss_kib(ours)} KiB, unshare {peak_rss_kib(floor)} KiB")


if __name__ == "__main__":
    main()
