#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""OCI `run` of one busybox /bin/true bundle: contain against crun and runc.

usage: bench-oci.py CONTAIN ROOTFS [RUNS]

Builds one bundle (a copy of ROOTFS, and a config.json with pid, mount,
ipc, uts and network namespaces running /bin/true) and runs, interleaved so
that machine noise hits all alike,
  contain oci --root R run --bundle B ID
  crun --root R run --bundle B ID
  runc --root R run --bundle B ID
RUNS times each (default 51) after 3 warm-ups. Prints the median and
quartiles of each, the ratios contain/crun (target <= 0.6) and
contain/runc, the `unshare` floor, and each runtime's peak RSS as GNU time
reports it (%M).

crun 1.8.1 refuses a hybrid-cgroup host while /sys/fs/cgroup/unified is a
cgroup2 mount (/work/shared/DESIGN.md, "This machine kind"). Rather than
wrap every crun call in `unshare` (whose cost would be charged to crun),
the whole benchmark re-executes itself once in a private mount namespace
with a tmpfs over that directory, so all three runtimes run unwrapped and
alike; the namespace, and the tmpfs, end with the benchmark.
A runtime that is not installed, or whose first `run` fails, is reported
and left out.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

UNIFIED = "/sys/fs/cgroup/unified"
MARK = "ISOLAB_BENCH_OCI_INNER"


def reexec_private():
    if os.environ.get(MARK) or not os.path.ismount(UNIFIED):
        return
    env = dict(os.environ, **{MARK: "1"})
    script = f'mount -t tmpfs -o mode=0755 bench-oci {UNIFIED} && exec "$@"'
    argv = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script,
            "sh", sys.executable] + sys.argv
    raise SystemExit(subprocess.run(argv, env=env).returncode)


def config():
    caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_SETGID",
            "CAP_SETUID", "CAP_NET_BIND_SERVICE"]
    return {
        "ociVersion": "1.0.2",
        "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
                    "env": ["PATH=/bin:/usr/bin"], "cwd": "/",
                    "capabilities": {k: caps for k in ("bounding", "effective", "permitted")}},
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "bench",
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "mode=755", "size=1m"]}],
        "linux": {"namespaces": [{"type": t} for t in ("pid", "mount", "ipc", "uts",
                                                         "network")]},
    }


def timed(argv):
    start = time.perf_counter_ns()
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return (time.perf_counter_ns() - start) / 1e6


def peak_rss_kib(argv):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "--"] + argv, check=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    return int(out.stderr.strip().splitlines()[-1])


def summary(xs):
    q = statistics.quantiles(xs, n=4)
    return f"median {statistics.median(xs):7.2f} ms (q1 {q[0]:.2f}, q3 {q[2]:.2f})"


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    reexec_private()
    contain, rootfs = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 51
    work = tempfile.mkdtemp(prefix="bench-oci-")
    try:
        bundle = os.path.join(work, "bundle")
        os.mkdir(bundle)
        subprocess.run(["cp", "-a", rootfs, os.path.join(bundle, "rootfs")], check=True)
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(config(), f)
        runtimes = {"contain oci": [contain, "oci"]}
        for name in ("crun", "runc"):
            path = shutil.which(name)
            if path:
                runtimes[name] = [path]
            else:
                print(f"  {name}: not installed, left out")
        serial = [0]

        def cmd(name):
            serial[0] += 1
            root = os.path.join(work, "root-" + name.split()[0])
            return runtimes[name] + ["--root", root, "run", "--bundle", bundle,
                                     f"bench-{serial[0]}"]

        floor = ["unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--net",
                 "chroot", os.path.join(bundle, "rootfs"), "/bin/true"]
        for name in list(runtimes):
            r = subprocess.run(cmd(name), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                print(f"  {name}: `run` failed ({r.returncode}: {r.stderr.strip()[:200]}), "
                      "left out")
                del runtimes[name]
        times = {name: [] for name in runtimes}
        times["unshare floor"] = []
        for i in range(3 + runs):
            for name in runtimes:
                t = timed(cmd(name))
                if i >= 3:
                    times[name].append(t)
            t = timed(floor)
            if i >= 3:
                times["unshare floor"].append(t)
        print(f"oci run of /bin/true, {runs} runs each, interleaved, {os.cpu_count()} CPUs, "
              f"kernel {os.uname().release}")
        for name, xs in times.items():
            print(f"  {name:14s} {summary(xs)}")
        med = {name: statistics.median(xs) for name, xs in times.items()}
        for other in ("crun", "runc"):
            if other in med and "contain oci" in med:
                target = " (target <= 0.60)" if other == "crun" else ""
                print(f"  ratio contain/{other}: {med['contain oci'] / med[other]:.2f}{target}")
        for name in runtimes:
            print(f"  peak RSS {name:14s} {peak_rss_kib(cmd(name))} KiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
