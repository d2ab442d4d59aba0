// Package helm checks the Helm chart in deploy/helm/kuberunner with the
// helm binary that hack/build-helm.sh builds from its pinned Go module:
// helm lint, golden `helm template` output for a few values files, that
// every rendered config.toml loads with kuberunner's own loader, that the
// chart's Role is deploy/role.yaml's, and that bad values fail naming the
// key. On the local cluster (build tag integration) it installs, upgrades
// and uninstalls the chart with a runner that takes jobs.
//
// It is test support only; nothing in the product imports it.
package helm
