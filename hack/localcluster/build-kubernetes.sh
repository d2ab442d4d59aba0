#!/usr/bin/env bash
# Builds the Kubernetes server binaries the local cluster runs, and the kubectl
# that test/deploy applies deploy/ with (a fresh Debian has none), once per version,
# into a cache outside the checkout so that CI's fresh clone and a developer's
# tree on the same machine share them. A cold build takes ~14 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/k8sbuild/go.mod")
cache=${KUBERUNNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kuberunner}
out="$cache/kubernetes/$version/bin"
cmds=(kube-apiserver kubelet kube-scheduler kube-controller-manager kubectl)

missing=0
for c in "${cmds[@]}"; do [ -x "$out/$c" ] || missing=1; done
if [ "$missing" = 0 ]; then echo "$out"; exit 0; fi

# progress passes go's messages through and replaces its list of package
# names with a count every 100 of them.
progress() {
  awk -v total="$1" -v start="$(date +%s)" '
    /^[^ :]+$/ { n++; if (n % 100 == 0) { printf "building Kubernetes: %d of about %d packages, %ds\n", n, total, systime() - start; fflush() } ; next }
    { print; fflush() }'
}

mkdir -p "$out.tmp"
echo "building Kubernetes $version (${cmds[*]}) into $out; this takes ~14 minutes cold" >&2
cd "$here/k8sbuild"
pkgs=()
for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
export GOFLAGS=-mod=mod CGO_ENABLED=0
# A cold build is long and go build is silent while it compiles: -v names
# each package as it is built, and progress turns that into a line every
# 100 packages (of the total go list counts), so a first run shows it moves.
total=$(go list -deps "${pkgs[@]}" | wc -l)
set -o pipefail
go build -v -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34" -o "$out.tmp/" "${pkgs[@]}" 2>&1 \
  | progress "$total" >&2
for c in "${cmds[@]}"; do mv "$out.tmp/$c" "$out/$c" 2>/dev/null || { mkdir -p "$out"; mv "$out.tmp/$c" "$out/$c"; }; done
rmdir "$out.tmp"
echo "$out"
