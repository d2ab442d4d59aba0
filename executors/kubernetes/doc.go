// Package kubernetes is the Kubernetes executor: it runs a job as one pod
// (build container, helper container, one container per service), waits on
// it through a single label-scoped watch, runs the script over exec, and
// falls back to the next pull policy of an image whose pull failed, with a
// new pod, until the pod starts or no policy is left.
//
// This package keeps the executor's lifecycle (executor.go), the one
// attempt loop and its retry budget (attempts.go, retrybudget.go), the one
// reading of a pod's state and the kubelet's reasons (podstate.go,
// reasons.go), exec and the steps (exec.go, steps.go, sources.go), and
// cleanup and the sweep. What it builds, how it waits and talks to the API
// server, and where a fallback pod goes live in internal/: podspec (pure
// builders), podwatch, kubeapi, placement, and pull (the policy state).
// None of those imports this package; new work goes into the one that owns
// its concern.
package kubernetes
