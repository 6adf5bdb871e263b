#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ci/bench-unpack.sh: unpack throughput of `contain oci unpack` against
# `tar -xzf` on the same gzip layer of about 100 MB (real files from /usr),
# warm page cache, median of RUNS. contain's time includes the sha256 check
# of the blob and writing config.json.
#
# usage: ci/bench-unpack.sh [BUILD_DIR]     (default: build)
# env:   RUNS=5  SIZE_MB=100  SRC=/usr
set -euo pipefail

build=${1:-build}
contain=$build/runtime/contain
runs=${RUNS:-5}
size_mb=${SIZE_MB:-100}
src=${SRC:-/usr}
[ -x "$contain" ] || { echo "bench-unpack: no $contain (build first)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/bench-unpack.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Regular files from $src, in find order, until SIZE_MB of content.
find "$src" -xdev -type f -size -8M -printf '%s %P\n' 2> /dev/null |
	awk -v max=$((size_mb << 20)) '{ t += $1; print substr($0, index($0, " ") + 1); if (t >= max) exit }' \
		> "$work/list" || [ -s "$work/list" ] # find dies of SIGPIPE when awk has enough
tar -C "$src" -czf "$work/layer.tar.gz" --no-recursion -T "$work/list"
raw=$(gzip -dc "$work/layer.tar.gz" | wc -c)
files=$(wc -l < "$work/list")

# A one-layer OCI image layout around it.
img=$work/image
mkdir -p "$img/blobs/sha256"
blob() { # FILE -> prints "DIGEST SIZE", stores the blob
	local h
	h=$(sha256sum "$1" | cut -c1-64)
	cp "$1" "$img/blobs/sha256/$h"
	echo "sha256:$h $(stat -c %s "$1")"
}
read -r ldig lsize < <(blob "$work/layer.tar.gz")
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
	"$ldig" > "$work/config.json"
read -r cdig csize < <(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
	"$cdig" "$csize" "$ldig" "$lsize" > "$work/manifest.json"
read -r mdig msize < <(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}]}' \
	"$mdig" "$msize" > "$img/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$img/oci-layout"

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

cat "$work/layer.tar.gz" > /dev/null # warm the cache for both
for _ in $(seq "$runs"); do
	rm -rf "$work/tar" "$work/bundle"
	mkdir "$work/tar"
	t0=$(now)
	tar -C "$work/tar" -xzf "$work/layer.tar.gz"
	t1=$(now)
	"$contain" oci unpack "$img" "$work/bundle"
	t2=$(now)
	echo "$t0 $t1" | awk '{ print $2 - $1 }' >> "$work/t.tar"
	echo "$t1 $t2" | awk '{ print $2 - $1 }' >> "$work/t.contain"
done
# Same tree? (names and sizes; modes differ only by the setid bits contain strips)
if ! diff <(cd "$work/tar" && find . -printf '%y %s %p\n' | sort) \
	<(cd "$work/bundle/rootfs" && find . -printf '%y %s %p\n' | sort) > /dev/null; then
	echo "bench-unpack: warning: the trees differ" >&2
fi

tt=$(median < "$work/t.tar")
tc=$(median < "$work/t.contain")
awk -v raw="$raw" -v gz="$lsize" -v files="$files" -v tt="$tt" -v tc="$tc" -v runs="$runs" 'BEGIN {
	printf "layer: %.1f MB uncompressed (%.1f MB gzip), %d files; median of %d runs\n",
		raw / 1e6, gz / 1e6, files, runs
	printf "tar -xzf             %6.3f s  %6.1f MB/s\n", tt, raw / 1e6 / tt
	printf "contain oci unpack   %6.3f s  %6.1f MB/s  (%.2fx tar)\n", tc, raw / 1e6 / tc, tc / tt
}'
