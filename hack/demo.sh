#!/usr/bin/env bash
# make demo: the reference scenario on the local cluster. The node holds the
# job image, the registry is down, and pull_policy = ["always",
# "if-not-present"]: attempt 1 fails with the kubelet's message, attempt 2
# runs from the node's cache. DEMO_CACHED=0 shows the failure path instead:
# the image is not on the node, both policies fail, the job says so.
# The registry and the cluster are left as they were found: a cluster the
# demo started is stopped again on the way out, so nothing keeps running
# (DEMO_KEEP_CLUSTER=1 leaves it up to look around; `make cluster-down`).
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBERUNNER_CLUSTER_DIR=${KUBERUNNER_CLUSTER_DIR:-$PWD/.cluster}
cached=${DEMO_CACHED:-1}
image=127.0.0.1:5000/demo/busybox:1.36
bin=$KUBERUNNER_CLUSTER_DIR/bin

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

cluster_was_up=1
go run ./hack/localcluster status >/dev/null 2>&1 || cluster_was_up=0
registry_was_up=1
finish() {
  if [ "$cluster_was_up" = 0 ] && [ "${DEMO_KEEP_CLUSTER:-0}" != 1 ]; then
    say "Stopping the local cluster the demo started (DEMO_KEEP_CLUSTER=1 keeps it up)"
    make --no-print-directory cluster-down >/dev/null 2>&1 || true
  elif [ "$registry_was_up" = 1 ]; then
    "$bin/localcluster" registry-start >/dev/null 2>&1 || true
  fi
}
trap finish EXIT

say "Starting the local cluster (if it is not up) and building kuberunner"
make --no-print-directory cluster-up helper-image >/dev/null
go build -o "$bin/localcluster" ./hack/localcluster
go build -o "$bin/kuberunner" .
lc() { "$bin/localcluster" "$@"; }

lc status 2>/dev/null | grep -qE '^registry +up' || registry_was_up=0
lc registry-start >/dev/null 2>&1

say "Pushing $image and preparing the node's cache (DEMO_CACHED=$cached)"
lc push "$image" 2>&1 | sed 's/^/    /'
lc cache 127.0.0.1:5000/kuberunner-helper:latest >/dev/null 2>&1
if [ "$cached" = 1 ]; then
  lc cache "$image" >/dev/null 2>&1
else
  lc uncache "$image" >/dev/null 2>&1 || true
fi
lc images | grep -E 'demo/busybox|kuberunner-helper' | sed 's/^/    node holds: /' || true

say "Registry outage: stopping the registry"
lc registry-stop >/dev/null 2>&1

say "kuberunner exec build --file examples/registry-outage/.gitlab-ci.yml --config examples/registry-outage/config.toml"
set +e
"$bin/kuberunner" exec build \
  --file examples/registry-outage/.gitlab-ci.yml \
  --config examples/registry-outage/config.toml \
  --kubeconfig "$KUBERUNNER_CLUSTER_DIR/kubeconfig"
status=$?
set -e

if [ "$cached" = 1 ]; then
  [ $status = 0 ] && say "Demo: attempt 1 (Always) failed, attempt 2 (IfNotPresent) ran from the node's cache." && exit 0
  say "Demo FAILED: the job should have succeeded from the node's cache (exit $status)"; exit 1
fi
[ $status = 1 ] && say "Demo (DEMO_CACHED=0): the image is not on the node, so both policies failed and the job failed, as expected." && exit 0
say "Demo FAILED: with nothing cached the job should have failed (exit $status)"; exit 1
