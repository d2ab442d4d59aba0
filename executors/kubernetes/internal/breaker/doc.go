// Package breaker remembers, across the jobs of one kuberunner process,
// which registries nothing answers at, so that during an outage only the
// first job pays for a failed `always` pull: the jobs after it start at
// their first policy that needs no registry.
//
// It owns one rule: a registry is "open" (skipped) only after a pull from
// it failed as unreachable, and only until anything — the runner's own
// probe or a job's pull — gets an answer from it again. Failures that
// prove the registry answers (denied, absent, transient) never open it.
// It imports no other kuberunner package: the executor tells it what the
// kubelet saw and asks it what to do.
package breaker
