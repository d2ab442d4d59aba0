#!/usr/bin/env bash
# Installs what the local test cluster (hack/localcluster) needs on a Debian
# machine, and checks Go. Idempotent: packages already installed are skipped,
# so a warm machine spends no time (and no network) here. CI calls it before
# `make test`; Kubernetes itself is built from Go modules by
# hack/localcluster/build-kubernetes.sh, not installed from here.
set -euo pipefail

pkgs=(etcd-server containerd runc containernetworking-plugins docker-registry busybox-static iptables conntrack git debootstrap)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  # On a machine with an init system these packages would start their own
  # etcd, containerd and registry (the registry on :5000, which the harness
  # uses). The harness runs its own, so forbid service starts during install.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && $sudo rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "install-deps: Debian packages already installed" >&2
fi

for f in /usr/bin/etcd /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc \
  /usr/bin/docker-registry /bin/busybox /usr/lib/cni/bridge /usr/lib/cni/host-local \
  /usr/lib/cni/portmap /usr/lib/cni/loopback /usr/sbin/debootstrap; do
  [ -x "$f" ] || { echo "install-deps: $f missing after install" >&2; exit 1; }
done

# Go: the module's go directive is the minimum; the toolchain builds the
# harness and (once per Kubernetes version) the cluster's binaries.
here=$(cd "$(dirname "$0")/.." && pwd)
want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$here/go.mod")
if ! command -v go >/dev/null; then
  echo "install-deps: go not found on PATH; Go >= $want is required" >&2
  exit 1
fi
have=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" != "$want" ]; then
  echo "install-deps: go $have is older than go.mod's $want" >&2
  exit 1
fi
echo "install-deps: ok (go $have)" >&2
