#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-container network setup: contain against the same steps with iproute2.

usage: bench-net.py CONTAIN [RUNS]

Re-executes itself inside a sandbox (unshare --net --mount, a private tmpfs
for the namespace files), so the root namespace is never touched, then
builds one bridge 10.77.0.1/16 and, RUNS times each (default 41) after 3
warm-ups, interleaved so that machine noise hits both alike:

  setup, contain:  contain net create cN --attach br0 --addr A/16 --gateway 10.77.0.1
  setup, contain in two steps:
                   contain net create cN
                   contain net attach cN br0 --addr A/16 --gateway 10.77.0.1
  setup, ip:       ip netns add iN
                   ip link add viN type veth peer name eth0 netns iN
                   ip link set viN master br0
                   ip link set viN up
                   ip -n iN addr add A/16 dev eth0
                   ip -n iN link set lo up
                   ip -n iN link set eth0 up
                   ip -n iN route add default via 10.77.0.1
  teardown:        contain net delete cN   /   ip link del viN; ip netns del iN

Each side runs as one `sh -c` script, so both pay the same shell and
process-start costs a user would. Prints medians, quartiles and the ratios
(setup target: contain <= 0.3x iproute2, for the one-call form).
"""

import os
import statistics
import subprocess
import sys
import time

SANDBOX_ENV = "ISOLAB_BENCH_NET_SANDBOX"


def timed(script, env):
    start = time.perf_counter_ns()
    subprocess.run(["/bin/sh", "-ec", script], check=True, env=env, stdin=subprocess.DEVNULL)
    return (time.perf_counter_ns() - start) / 1e6


def summary(xs):
    q = statistics.quantiles(xs, n=4)
    return f"median {statistics.median(xs):6.2f} ms (q1 {q[0]:.2f}, q3 {q[2]:.2f})"


def addr(i):
    return f"10.77.{1 + i // 250}.{1 + i % 250}"


def in_sandbox(contain, runs):
    # The namespace files live on a tmpfs that only this mount namespace sees.
    base = "/tmp/isolab-bench-net"
    os.makedirs(base, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "bench", base], check=True)
    env = dict(os.environ, CONTAIN_NETNS_DIR=f"{base}/netns",
               CONTAIN_STATE_DIR=f"{base}/state")
    env.pop("ISOLAB_JOURNAL", None)
    # iproute2 always uses /run/netns: give it a private tmpfs there too.
    os.makedirs("/run/netns", exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "bench-netns", "/run/netns"], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run([contain, "net", "bridge", "br0", "--addr", "10.77.0.1/16"], check=True,
                   env=env)

    def ours_up(i):
        return (f"{contain} net create c{i} --attach br0 --addr {addr(i)}/16 "
                f"--gateway 10.77.0.1\n")

    def ours_up2(i):
        return (f"{contain} net create c{i}\n"
                f"{contain} net attach c{i} br0 --addr {addr(i)}/16 --gateway 10.77.0.1\n")

    def ip_up(i):
        return (f"ip netns add i{i}\n"
                f"ip link add vi{i} type veth peer name eth0 netns i{i}\n"
                f"ip link set vi{i} master br0\n"
                f"ip link set vi{i} up\n"
                f"ip -n i{i} addr add {addr(1000 + i)}/16 dev eth0\n"
                f"ip -n i{i} link set lo up\n"
                f"ip -n i{i} link set eth0 up\n"
                f"ip -n i{i} route add default via 10.77.0.1\n")

    def ours_down(i):
        return f"{contain} net delete c{i}\n"

    def ip_down(i):
        return f"ip link del vi{i}\nip netns del i{i}\n"

    for i in range(3):
        timed(ours_up(i), env), timed(ip_up(i), env)
        timed(ours_down(i), env), timed(ip_down(i), env)
        timed(ours_up2(i), env), timed(ours_down(i), env)
    a_up, a2_up, b_up, a_down, b_down = [], [], [], [], []
    for i in range(3, 3 + runs):
        a_up.append(timed(ours_up(i), env))
        b_up.append(timed(ip_up(i), env))
        a_down.append(timed(ours_down(i), env))
        b_down.append(timed(ip_down(i), env))
        a2_up.append(timed(ours_up2(i), env))
        timed(ours_down(i), env)
    left = subprocess.run(["ip", "-o", "link", "show", "type", "veth"], check=True,
                          capture_output=True, text=True).stdout.strip()
    if left:
        raise SystemExit(f"bench-net: veths left behind:\n{left}")
    up = statistics.median(a_up) / statistics.median(b_up)
    up2 = statistics.median(a2_up) / statistics.median(b_up)
    down = statistics.median(a_down) / statistics.median(b_down)
    print(f"per-container network setup, {runs} runs each, {os.cpu_count()} CPUs, "
          f"kernel {os.uname().release}, inside a sandbox netns")
    print(f"  setup    contain:  {summary(a_up)}   (create --attach)")
    print(f"  setup    contain:  {summary(a2_up)}   (create, then attach)")
    print(f"  setup    iproute2: {summary(b_up)}")
    print(f"  teardown contain:  {summary(a_down)}")
    print(f"  teardown iproute2: {summary(b_down)}")
    print(f"  setup ratio contain/iproute2: {up:.3f} (target <= 0.3); "
          f"in two steps {up2:.3f}")
    print(f"  teardown ratio contain/iproute2: {down:.3f}")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    contain = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 41
    if os.geteuid() != 0:
        raise SystemExit("bench-net: needs root")
    if os.environ.get(SANDBOX_ENV) != "1":
        env = dict(os.environ, **{SANDBOX_ENV: "1"})
        rc = subprocess.run(["unshare", "--net", "--mount", "--propagation", "private",
                             sys.executable, os.path.abspath(__file__), contain, str(runs)],
                            env=env).returncode
        sys.exit(rc)
    in_sandbox(contain, runs)


if __name__ == "__main__":
    main()
