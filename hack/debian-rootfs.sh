#!/usr/bin/env bash
# Builds the root filesystem of the Debian test image (a debootstrap minbase
# of bookworm: bash, dash, coreutils, apt, passwd's useradd, util-linux's su)
# into a tar in the cache outside the checkout, once per machine. Tests use
# the image for what busybox cannot show: bash scripts, apt as root, users.
#   hack/debian-rootfs.sh OUT.tar
set -euo pipefail
out=$1
[ -s "$out" ] && exit 0
command -v debootstrap >/dev/null || { echo "debian-rootfs: debootstrap missing (hack/install-deps.sh installs it)" >&2; exit 1; }
mirror=${KUBERUNNER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d "$(dirname "$out")/rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "debian-rootfs: debootstrap --variant=minbase bookworm from $mirror (about a minute, once)" >&2
debootstrap --variant=minbase bookworm "$work/root" "$mirror" >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
# What an image needs least: documentation, manuals, locales, apt's lists.
rm -rf "$work"/root/usr/share/{doc,man,info,locale}/* "$work"/root/var/lib/apt/lists/* \
  "$work"/root/var/cache/apt/*.bin "$work"/root/var/cache/apt/archives/*.deb
tar -C "$work/root" --numeric-owner --sort=name --mtime=@0 -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$out"
echo "debian-rootfs: $(du -h "$out" | cut -f1) in $out" >&2
