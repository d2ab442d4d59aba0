// Package smoke holds integration tests (build tag integration) that check
// the local cluster behaves as the kubelet really does when images are, or
// are not, available: each asserts on the real pod status the kubelet
// reports. Run them with `make cluster-up` then
// `go test -tags integration ./test/smoke`.
package smoke
