// Module helmbuild pins the Helm release that the chart in deploy/helm is
// linted, rendered and installed with (hack/build-helm.sh). It is separate
// from kuberunner's go.mod so that Helm's dependencies never enter the
// product's module graph.
module kuberunner/hack/helmbuild

go 1.26.0

require helm.sh/helm/v3 v3.21.4
