// Package localcluster runs kuberunner's local single-node Kubernetes cluster:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
// containerd (with runc and CNI) and a local image registry, plus two
// registries that want credentials (basic auth, and token auth through
// package tokenserver, as GitLab's), all on this machine, with every piece
// of state under one directory ($KUBERUNNER_CLUSTER_DIR, by default
// <repo>/.cluster).
//
// It exists so that integration tests can watch what a real kubelet does when
// an image pull fails — waiting reasons, messages, timing — instead of
// trusting hand-written pod statuses. The command hack/localcluster
// exposes the same operations as `make cluster-up` and friends; tests use the
// Go API directly (see test/clustertest).
//
// Every listener is on 127.0.0.1 except the kubelet's, which must sit on the
// machine's own interface address because the kubelet refuses a loopback node
// IP.
package localcluster
