package kubernetes

import corev1 "k8s.io/api/core/v1"

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
//	CreateContainerConfigError  kuberuntime/kuberuntime_container.go        configuration error
//	CreateContainerError        kuberuntime/kuberuntime_container.go        configuration error
//	RunContainerError           container/sync_result.go (ErrRunContainer)  configuration error
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

func classifyWaiting(w *corev1.ContainerStateWaiting) verdict {
	if w == nil {
		return keepWaiting
	}
	return waitingReasons[w.Reason]
}
