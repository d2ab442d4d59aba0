// Package clustertest connects integration tests (build tag integration) to
// the local cluster that `make cluster-up` starts (hack/localcluster): an
// admin client, a fresh namespace per test, the registry controls,
// watch-based waits and exec helpers, and a fake second node (FakeNode: a
// tainted Node kept Ready that no kubelet runs, FailPulls to play its
// kubelet's image pulls).
//
// When the cluster is not up, every helper fails the test with a message
// saying to run `make cluster-up`; nothing is skipped silently.
//
// The authenticated registries (localcluster.AuthRegistryHosts) have the
// same controls on a lock of their own: NeedAuthRegistry, StopAuthRegistry,
// StartAuthRegistry; Push, Delete and Cache take the lock of the registry
// an image names, and AuthUsers, PushAs and PullSecret give tests their
// accounts.
//
// Registry stop/start is coordinated across processes (go test runs packages
// as parallel processes) with a flock on the cluster's run/registry.lock: a
// test that needs the registry (NeedRegistry, or implicitly Push, Delete,
// Cache) holds it shared until the test ends; StopRegistry holds it
// exclusively — waiting for every such test, in any package, to finish — and
// its cleanup starts the registry again before releasing it. So a test never
// sees the registry vanish under it, and a test that stops it never disturbs
// another. Do not call StopRegistry from a test that waits on another test.
package clustertest
