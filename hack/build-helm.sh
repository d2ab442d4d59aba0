#!/usr/bin/env bash
# Builds the helm binary that lints, renders and installs deploy/helm/kuberunner,
# from the Go module pinned in hack/helmbuild/go.mod, once per version, into
# the cache outside the checkout (shared by every clone on the machine, as
# build-kubernetes.sh does for Kubernetes). Prints the binary's path on
# stdout; everything else goes to stderr. A no-op when the binary is cached.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mod="$here/helmbuild"
version=$(sed -n 's/^require helm\.sh\/helm\/v3 \(v[0-9.]*\)$/\1/p' "$mod/go.mod")
[ -n "$version" ] || { echo "build-helm.sh: no helm.sh/helm/v3 version in $mod/go.mod" >&2; exit 1; }
cache=${KUBERUNNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kuberunner}
out="$cache/helm/$version/bin"
if [ -x "$out/helm" ]; then echo "$out/helm"; exit 0; fi

# go build -v names each package as it compiles it; count them instead, one
# line every 50, so that a cold build visibly moves.
count() {
  awk -v total="$1" -v start="$(date +%s)" '
    /^[^ :]+$/ { n++; if (n % 50 == 0) { printf "building helm: %d of about %d packages, %ds\n", n, total, systime() - start; fflush() }; next }
    { print; fflush() }'
}

echo "building helm $version into $out (a few minutes cold)" >&2
cd "$mod"
# -mod=mod lets go fill go.sum in this module only; kuberunner's go.mod and
# go.sum are never read or written from here.
export GOFLAGS=-mod=mod CGO_ENABLED=0
pkg=helm.sh/helm/v3/cmd/helm
# The standard library is usually in the build cache already, so count
# only the packages of modules.
total=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' "$pkg" | grep -c .)
# Helm's own Makefile stamps the version and the Kubernetes version that
# `helm template` and `helm lint` assume without a cluster (client-go's
# v0.N is Kubernetes 1.N).
k8s=$(go list -m -f '{{.Version}}' k8s.io/client-go)
k8sminor=$(echo "$k8s" | cut -d. -f2)
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
for p in pkg/lint/rules pkg/chartutil; do
  ldflags="$ldflags -X helm.sh/helm/v3/$p.k8sVersionMajor=1 -X helm.sh/helm/v3/$p.k8sVersionMinor=$k8sminor"
done
mkdir -p "$out"
tmp=$(mktemp "$out/helm.XXXXXX")
trap 'rm -f "$tmp"' EXIT
go build -v -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg" 2>&1 | count "$total" >&2
chmod 0755 "$tmp"
# The rename makes the binary appear whole or not at all, so a build cut
# short is never taken for a finished one.
mv "$tmp" "$out/helm"
echo "$out/helm"
