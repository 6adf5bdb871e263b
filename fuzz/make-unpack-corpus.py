#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpus of fuzz-unpack: small layers, valid and hostile.

Each seed is one layer as the unpacker reads it (tar, plain or gzip): the
valid ones give the fuzzer the shapes a real image has (directories,
files, symlinks, hardlinks, whiteouts, an opaque directory, PAX and GNU
long names), the hostile ones start it next to what must be refused (see
runtime/CONTRACT.md, "oci unpack"). The output is deterministic (fixed
mtimes, no gzip timestamp), so re-running it changes nothing in git.

usage: make-unpack-corpus.py [OUTDIR]   (default: fuzz/corpus/unpack)
"""
import gzip
import io
import os
import sys
import tarfile

MTIME = 1700000000


def entry(name, kind="f", data=b"", target="", mode=None):
    ti = tarfile.TarInfo(name)
    ti.mtime = MTIME
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    if kind == "f":
        ti.type = tarfile.REGTYPE
        ti.size = len(data)
        ti.mode = 0o644 if mode is None else mode
    elif kind == "d":
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755 if mode is None else mode
    elif kind == "l":
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
        ti.mode = 0o777
    elif kind == "h":
        ti.type = tarfile.LNKTYPE
        ti.linkname = target
        ti.mode = 0o644
    elif kind == "c":
        ti.type = tarfile.CHRTYPE
        ti.devmajor, ti.devminor = 1, 3
        ti.mode = 0o666
    elif kind == "p":
        ti.type = tarfile.FIFOTYPE
        ti.mode = 0o644
    return ti, data


def layer(entries, fmt=tarfile.PAX_FORMAT, gz=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for ti, data in entries:
            tar.addfile(ti, io.BytesIO(data) if ti.isreg() else None)
    raw = buf.getvalue()
    if gz:
        return gzip.compress(raw, mtime=0)
    return raw


SEEDS = {
    # Valid layers.
    "valid-basic.tar": layer([
        entry("etc", "d"),
        entry("etc/hostname", data=b"box\n"),
        entry("bin", "d"),
        entry("bin/sh", data=b"#!/bin/true\n", mode=0o755),
        entry("bin/ash", "l", target="sh"),
        entry("bin/hardsh", "h", target="bin/sh"),
        entry("./usr/./lib//", "d"),
    ]),
    "valid-basic.tar.gz": layer([
        entry("a", "d"),
        entry("a/b", data=b"hello"),
        entry("a/c", "l", target="/a/b"),
    ], gz=True),
    "valid-whiteouts.tar": layer([
        entry("etc", "d"),
        entry("etc/.wh.passwd"),
        entry("var", "d"),
        entry("var/.wh..wh..opq"),
        entry("var/new", data=b"x"),
    ]),
    "valid-gnu-longname.tar": layer([
        entry("d" * 120, "d"),
        entry("d" * 120 + "/" + "f" * 150, data=b"long"),
    ], fmt=tarfile.GNU_FORMAT),
    "valid-pax-longname.tar": layer([
        entry("p" * 200, data=b"pax"),
    ]),
    # Hostile layers: each must be refused or sanitised.
    "hostile-dotdot.tar": layer([entry("../escape", data=b"out")]),
    "hostile-dotdot-deep.tar": layer([entry("a/../../../escape", data=b"out")]),
    "hostile-absolute.tar": layer([entry("/abs-escape", data=b"out")]),
    "hostile-pax-dotdot.tar": layer([entry("../" + "x" * 120, data=b"out")]),
    "hostile-gnu-dotdot.tar": layer(
        [entry("../" + "y" * 120, data=b"out")], fmt=tarfile.GNU_FORMAT),
    "hostile-symlink-write.tar": layer([
        entry("link", "l", target="../.."),
        entry("link/escape", data=b"out"),
    ]),
    "hostile-symlink-chain.tar": layer([
        entry("l1", "l", target="l2"),
        entry("l2", "l", target="../"),
        entry("l1/escape", data=b"out"),
    ]),
    "hostile-symlink-abs.tar": layer([
        entry("up", "l", target="/.."),
        entry("up/escape", data=b"out"),
    ]),
    "hostile-hardlink-out.tar": layer([entry("hl", "h", target="../../b")]),
    "hostile-dot-symlink.tar": layer([
        entry(".", "l", target=".."),
        entry("escape", data=b"out"),
    ]),
    "hostile-whiteout-escape.tar": layer([
        entry(".wh..."),
        entry("d", "d"),
        entry("d/.wh.."),
        entry(".wh."),
    ]),
    "hostile-dir-then-symlink.tar": layer([
        entry("d", "d"),
        entry("d", "l", target=".."),
        entry("d/escape", data=b"out"),
    ]),
    "hostile-devices.tar": layer([
        entry("null", "c"),
        entry("fifo", "p"),
        entry("suid", data=b"#!/bin/sh\n", mode=0o4755),
        entry("sgid", data=b"#!/bin/sh\n", mode=0o2755),
    ]),
    "hostile-deep.tar": layer([entry("/".join(["d"] * 40), "d")]),
    "hostile-longname.tar": layer([entry("n" * 300, data=b"x")]),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "unpack")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    # A lying size field: the header promises more than the stream holds.
    lying = bytearray(SEEDS["valid-pax-longname.tar"])
    with open(os.path.join(out, "hostile-truncated.tar"), "wb") as f:
        f.write(bytes(lying[: len(lying) // 2]))
    # A small gzip bomb: 8 MiB of zeros as one file; the 1 MiB limit stops it.
    bomb = layer([entry("zeros", data=bytes(8 << 20))], gz=True)
    with open(os.path.join(out, "hostile-gzip-bomb.tar.gz"), "wb") as f:
        f.write(bomb)


if __name__ == "__main__":
    main()
