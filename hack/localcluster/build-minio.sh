#!/usr/bin/env bash
# Builds the MinIO server the local cluster runs as its S3 server (the
# distributed cache), once per version, into the cache outside the checkout
# that build-kubernetes.sh uses, and prints the binary's path. The version is
# the one miniobuild/go.mod pins; that module is separate so that MinIO's
# dependencies never enter kuberunner's go.mod. A cold build is long on 2
# cores, so go's package list is turned into a progress line every 100.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/^require github.com\/minio\/minio \(v[0-9a-f.-]*\)$/\1/p' "$here/miniobuild/go.mod")
cache=${KUBERUNNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kuberunner}
out="$cache/minio/$version/bin"
# --path prints where the binary is (or would be) and builds nothing: for
# tests that skip when it is absent.
if [ "${1:-}" = "--path" ] || [ -x "$out/minio" ]; then echo "$out/minio"; exit 0; fi

progress() {
  awk -v total="$1" -v start="$(date +%s)" '
    /^[^ :]+$/ { n++; if (n % 100 == 0) { printf "building MinIO: %d of about %d packages, %ds\n", n, total, systime() - start; fflush() } ; next }
    { print; fflush() }'
}

mkdir -p "$out.tmp"
echo "building MinIO $version into $out; the first build takes a while" >&2
cd "$here/miniobuild"
export GOFLAGS=-mod=mod CGO_ENABLED=0
total=$(go list -deps github.com/minio/minio | wc -l)
go build -v -trimpath -ldflags "-s -w" -o "$out.tmp/minio" github.com/minio/minio 2>&1 | progress "$total" >&2
mkdir -p "$out"
mv "$out.tmp/minio" "$out/minio"
rmdir "$out.tmp"
echo "$out/minio"
