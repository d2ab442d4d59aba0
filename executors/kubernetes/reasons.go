package kubernetes

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"kuberunner/executors/kubernetes/internal/pull"
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

// pullFailureClasses reads what a pull failure says about the registry
// from the kubelet's message (and, for ErrImageNeverPull, its reason). It is
// the only reader of pull-failure messages; internal/pull acts on the class
// alone. The message is matched in lower case, and the first row that
// matches wins, so the rows are ordered by what a wrong reading would cost:
// denied first (misreading it would run a cached image the job may not
// pull), then transient (misreading it as unreachable would run a stale
// cached image while the registry is fine), then unreachable and absent. A
// message no row matches is pull.ClassUnknown, which falls back as every
// failure did before failures had classes. Messages quote the image
// reference, so single words are matched only with the ": " a registry's
// error code is followed by, which no reference contains.
//
//	class        text in the message                           who writes it
//	denied       401 unauthorized, "unauthorized: "            a registry refusing credentials (containerd quotes the status, registries their error code)
//	denied       403 forbidden                                 a registry refusing the repository
//	denied       access denied, requested access to the        Docker Hub, Harbor, GitLab's registry ("denied: requested access
//	             resource is denied, authentication required     to the resource is denied"); containerd's "pull access denied"
//	transient    429 too many requests, "toomanyrequests: "    a registry's rate limit (Docker Hub: "toomanyrequests: You have reached ...")
//	transient    500/502/503/504 status texts                  a registry or a proxy in front of it failing for now
//	transient    pull qps exceeded                             the kubelet's own registryPullQPS limit (gitlab-runner#29432)
//	transient    tls handshake timeout                         Go's net/http, a slow or overloaded registry
//	transient    i/o timeout                                   Go's net, a read or dial that timed out
//	transient    unexpected eof, connection reset by peer      a transfer cut mid-way: a registry or proxy restarting,
//	                                                             a dropped connection (a dead registry then refuses the retry)
//	unreachable  connection refused                            nothing listens at the registry's address
//	unreachable  no such host                                  DNS has no such registry
//	unreachable  network is unreachable, no route to host      no route from the node
//	absent       manifest unknown                              the registry API's error code for a missing tag
//	absent       not found                                     containerd: "<ref>: not found"
//	absent       reason ErrImageNeverPull                      the node has no copy, for pull policy "never"
var pullFailureClasses = []struct {
	class pull.Class
	text  string
}{
	{pull.ClassDenied, "401 unauthorized"},
	{pull.ClassDenied, "403 forbidden"},
	{pull.ClassDenied, "unauthorized: "},
	{pull.ClassDenied, "access denied"},
	{pull.ClassDenied, "requested access to the resource is denied"},
	{pull.ClassDenied, "authentication required"},
	{pull.ClassTransient, "429 too many requests"},
	{pull.ClassTransient, "toomanyrequests: "},
	{pull.ClassTransient, "500 internal server error"},
	{pull.ClassTransient, "502 bad gateway"},
	{pull.ClassTransient, "503 service unavailable"},
	{pull.ClassTransient, "504 gateway timeout"},
	{pull.ClassTransient, "pull qps exceeded"},
	{pull.ClassTransient, "tls handshake timeout"},
	{pull.ClassTransient, "i/o timeout"},
	{pull.ClassTransient, "unexpected eof"},
	{pull.ClassTransient, "connection reset by peer"},
	{pull.ClassUnreachable, "connection refused"},
	{pull.ClassUnreachable, "no such host"},
	{pull.ClassUnreachable, "network is unreachable"},
	{pull.ClassUnreachable, "no route to host"},
	{pull.ClassAbsent, "manifest unknown"},
	{pull.ClassAbsent, "not found"},
}

// classifyPullFailure is the one reader of a pull failure's message.
func classifyPullFailure(reason, message string) pull.Class {
	msg := strings.ToLower(message)
	for _, row := range pullFailureClasses {
		if strings.Contains(msg, row.text) {
			return row.class
		}
	}
	if reason == "ErrImageNeverPull" {
		return pull.ClassAbsent
	}
	return pull.ClassUnknown
}
