package kubernetes

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

// podState is what one observed version of the job pod means for the job
// while it waits for the pod to start.
type podState struct {
	started    bool
	pullErrors []*pull.ImagePullError
	configErr  *ContainerConfigError
	// healing are "reason: message" of containers the kubelet is retrying
	// by itself (the healing verdict).
	healing []string
	// ended is set when the pod stopped before the job could use it.
	ended *PodEndedError
	// phase and reason describe where the pod is stuck, for a timeout error.
	phase, reason string
}

// readPod interprets a pod through the waiting-reason table. The image of a
// failed container is the one the job spec wrote, because an admission
// webhook may have rewritten the image in the pod we read back, and the
// pull policies are keyed by what we wrote.
func readPod(obs podwatch.Observation, spec *podspec.JobSpec) podState {
	pod := obs.Pod
	st := podState{phase: string(pod.Status.Phase), reason: pod.Status.Reason, ended: podEnded(obs)}
	if st.ended == nil && startedPerEvents(obs) {
		st.started = true
		return st
	}
	if len(pod.Status.ContainerStatuses) < len(pod.Spec.Containers) {
		// The kubelet has not reported every container yet; a pod the
		// scheduler cannot place says why in its PodScheduled condition.
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
				st.reason = c.Reason
				if c.Message != "" {
					st.reason += ": " + c.Message
				}
			}
		}
		return st
	}
	allStarted := true
	for _, cs := range pod.Status.ContainerStatuses {
		w := cs.State.Waiting
		if w != nil && w.Reason != "" {
			st.reason = w.Reason
		}
		switch classifyWaiting(w, podspec.NamePrefix(spec)) {
		case pullFailed:
			st.pullErrors = append(st.pullErrors, &pull.ImagePullError{
				Image: spec.ImageOf(cs.Name, cs.Image), Container: cs.Name, Reason: w.Reason, Message: w.Message,
				Class: pullClass(w, obs.PullSecretsMissed),
			})
		case healing:
			st.healing = append(st.healing, fmt.Sprintf("container %q: %s: %s", cs.Name, w.Reason, w.Message))
		case badConfig:
			if st.configErr == nil {
				st.configErr = &ContainerConfigError{Container: cs.Name, Image: spec.ImageOf(cs.Name, cs.Image), Reason: w.Reason, Message: w.Message}
			}
		}
		if !containerStarted(cs) {
			allStarted = false
		}
	}
	st.started = allStarted && pod.Status.Phase == corev1.PodRunning && st.ended == nil
	return st
}

// containerStarted: the script needs the build and helper containers
// running; a service counts once it has run at all, because a service that
// exits or crash-loops is the job's business, not the executor's.
func containerStarted(cs corev1.ContainerStatus) bool {
	if cs.Name == podspec.BuildContainer || cs.Name == podspec.HelperContainer {
		return cs.State.Running != nil
	}
	return cs.State.Running != nil || cs.State.Terminated != nil || cs.RestartCount > 0
}

// pullClass is a pull failure's class. A denial of a pull the kubelet made
// without the pod's pull secrets (it could not read them in time) is
// transient: the registry never saw the job's credentials, and the next
// pod's pull carries them.
func pullClass(w *corev1.ContainerStateWaiting, secretsMissed bool) pull.Class {
	c := classifyPullFailure(w.Reason, w.Message)
	if c == pull.ClassDenied && secretsMissed {
		return pull.ClassTransient
	}
	return c
}

// startedPerEvents: the kubelet's events say every container of the pod
// started, which is all exec needs; the pod status says so up to a second
// later (podwatch's started.go).
func startedPerEvents(obs podwatch.Observation) bool {
	for _, c := range obs.Pod.Spec.Containers {
		if !obs.Started[c.Name] {
			return false
		}
	}
	return len(obs.Pod.Spec.Containers) > 0
}

// podEnded is the one rule for "this pod can no longer serve the job",
// before it started and while the script runs alike: it was deleted or is
// being deleted, it ended (evicted, failed), or the build or helper
// container stopped, which leaves nothing to exec into.
func podEnded(obs podwatch.Observation) *PodEndedError {
	pod := obs.Pod
	switch {
	case obs.Deleted:
		return &PodEndedError{Pod: pod.Name, Phase: string(pod.Status.Phase), Reason: "Deleted", Message: "the pod was deleted"}
	case pod.DeletionTimestamp != nil:
		return &PodEndedError{Pod: pod.Name, Phase: "Terminating", Reason: "Deleted", Message: "the pod is being deleted"}
	case pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded:
		return &PodEndedError{Pod: pod.Name, Phase: string(pod.Status.Phase), Reason: pod.Status.Reason, Message: pod.Status.Message}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil && (cs.Name == podspec.BuildContainer || cs.Name == podspec.HelperContainer) {
			return &PodEndedError{Pod: pod.Name, Phase: string(pod.Status.Phase), Reason: t.Reason,
				Message: fmt.Sprintf("container %q terminated with exit code %d", cs.Name, t.ExitCode)}
		}
	}
	return nil
}
