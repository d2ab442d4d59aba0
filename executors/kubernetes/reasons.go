package kubernetes

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// verdict is what a container's waiting reason means for the job.
type verdict int

const (
	// keepWaiting: the kubelet is still working on it, or retries by itself.
	keepWaiting verdict = iota
	// pullFailed: the image could not be pulled with the policy we asked
	// for; another policy may succeed, so the job falls back.
	pullFailed
	// badConfig: no pull policy can fix it; the job fails at once.
	badConfig
	// healing: a reason that is usually badConfig, but whose message names
	// a cause the kubelet retries by itself (see transientCauses). The job
	// waits, up to poll_timeout, and says in the build log what for.
	healing
)

// waitingReasons classifies ContainerStateWaiting.Reason as set by the
// kubelet (k8s.io/kubernetes v1.34, pkg/kubelet). It is the only place the
// executor interprets kubelet reasons; a reason not listed keeps waiting
// until poll_timeout and is named in the timeout error.
//
//	reason                      source in pkg/kubelet                       verdict
//	ContainerCreating           kubelet_pods.go (ContainerCreating)         keep waiting
//	PodInitializing             kubelet_pods.go (PodInitializing)           keep waiting
//	ErrImagePull                images/types.go (ErrImagePull)              fall back
//	ImagePullBackOff            images/types.go (ErrImagePullBackOff)       fall back
//	ErrImageNeverPull           images/types.go (ErrImageNeverPull)         fall back
//	InvalidImageName            images/types.go (ErrInvalidImageName)       configuration error
//	ImageInspectError           images/types.go (ErrImageInspect)           configuration error
//	CreateContainerConfigError  kuberuntime/kuberuntime_container.go        configuration error, unless transient (below)
//	CreateContainerError        kuberuntime/kuberuntime_container.go        configuration error, unless transient (below)
//	RunContainerError           container/sync_result.go (ErrRunContainer)  configuration error, unless transient (below)
//	CrashLoopBackOff            container/sync_result.go                    keep waiting (see started)
//	CreatePodSandboxError       container/sync_result.go                    keep waiting (kubelet retries)
//
// A pod the kubelet evicted has phase Failed and reason Evicted
// (pkg/kubelet/eviction/helpers.go); like any pod that ends before the job
// used it, it is a runner system failure (podstate.go).
//
// ErrImageNeverPull is a pull failure, not a configuration error: with
// ["never", "if-not-present"] the next policy is exactly the remedy. GitLab
// Runner does not recognise it and waits out poll_timeout; we fall back as
// soon as the watch delivers it.
var waitingReasons = map[string]verdict{
	"ContainerCreating":          keepWaiting,
	"PodInitializing":            keepWaiting,
	"ErrImagePull":               pullFailed,
	"ImagePullBackOff":           pullFailed,
	"ErrImageNeverPull":          pullFailed,
	"InvalidImageName":           badConfig,
	"ImageInspectError":          badConfig,
	"CreateContainerConfigError": badConfig,
	"CreateContainerError":       badConfig,
	"RunContainerError":          badConfig,
	"CrashLoopBackOff":           keepWaiting,
	"CreatePodSandboxError":      keepWaiting,
}

// transientCauses are the kubelet messages under a badConfig reason that
// heal without anyone's help. jobPrefix is where the job's own objects'
// names start: a secret of the job that the kubelet cannot see yet is one
// kuberunner created moments before the pod.
//
//	reason                      message                              source (k8s.io/kubernetes v1.34)
//	CreateContainerConfigError  failed to sync secret cache           pkg/kubelet/util/manager/watch_based_manager.go
//	CreateContainerConfigError  failed to sync configmap cache        pkg/kubelet/util/manager/watch_based_manager.go
//	CreateContainerConfigError  secret "<job's own>" not found        pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables)
//	CreateContainerError        context deadline exceeded             the CRI call timed out (kuberuntime_container.go startContainer)
//	CreateContainerError        failed to reserve container name      containerd, after a timed-out create the kubelet retries
//	RunContainerError           context deadline exceeded             the CRI call timed out (container/sync_result.go ErrRunContainer)
var transientCauses = []struct{ reason, message string }{
	{"CreateContainerConfigError", "failed to sync secret cache"},
	{"CreateContainerConfigError", "failed to sync configmap cache"},
	{"CreateContainerError", "context deadline exceeded"},
	{"CreateContainerError", "failed to reserve container name"},
	{"RunContainerError", "context deadline exceeded"},
}

// classifyWaiting is the one reader of kubelet waiting reasons and their
// messages.
func classifyWaiting(w *corev1.ContainerStateWaiting, jobPrefix string) verdict {
	if w == nil {
		return keepWaiting
	}
	v := waitingReasons[w.Reason]
	if v != badConfig {
		return v
	}
	for _, c := range transientCauses {
		if w.Reason == c.reason && strings.Contains(w.Message, c.message) {
			return healing
		}
	}
	if w.Reason == "CreateContainerConfigError" && jobPrefix != "" &&
		strings.Contains(w.Message, `secret "`+jobPrefix) && strings.Contains(w.Message, "not found") {
		return healing
	}
	return v
}
