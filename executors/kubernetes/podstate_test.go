package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

func waiting(name, image, reason, msg string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Image: image, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
}

func running(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func testPod(phase corev1.PodPhase, statuses ...corev1.ContainerStatus) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Status: corev1.PodStatus{Phase: phase, ContainerStatuses: statuses}}
	for _, s := range statuses {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: s.Name})
	}
	return p
}

// TestReadPod walks the waiting-reason table through readPod, the way the
// watch delivers pods.
func TestReadPod(t *testing.T) {
	images := map[string]string{"build": "reg/build:1", "helper": "reg/helper:1", "svc-0": "reg/db:1"}
	spec := &podspec.JobSpec{}
	for _, c := range []string{"build", "helper", "svc-0"} {
		spec.Containers = append(spec.Containers, podspec.ContainerSpec{Name: c, Image: images[c]})
	}
	tests := []struct {
		name       string
		pod        *corev1.Pod
		started    bool
		pulls      []string // containers with pull failures
		configErr  string   // reason
		ended      bool
		lastReason string
	}{
		{name: "creating", pod: testPod(corev1.PodPending, waiting("build", "", "ContainerCreating", ""), waiting("helper", "", "ContainerCreating", "")), lastReason: "ContainerCreating"},
		{name: "no statuses yet", pod: func() *corev1.Pod {
			p := testPod(corev1.PodPending)
			p.Spec.Containers = []corev1.Container{{Name: "build"}}
			return p
		}()},
		{name: "running", pod: testPod(corev1.PodRunning, running("build"), running("helper")), started: true},
		{name: "unschedulable", pod: func() *corev1.Pod {
			p := testPod(corev1.PodPending)
			p.Spec.Containers = []corev1.Container{{Name: "build"}}
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available"}}
			return p
		}(), lastReason: "Unschedulable: 0/1 nodes are available"},
		{name: "ErrImagePull", pod: testPod(corev1.PodPending, waiting("build", "mirror/build:1", "ErrImagePull", "failed to pull: connection refused"), running("helper")), pulls: []string{"build"}, lastReason: "ErrImagePull"},
		{name: "ImagePullBackOff", pod: testPod(corev1.PodPending, waiting("build", "", "ImagePullBackOff", "Back-off pulling image"), running("helper")), pulls: []string{"build"}, lastReason: "ImagePullBackOff"},
		{name: "ErrImageNeverPull", pod: testPod(corev1.PodPending, waiting("build", "", "ErrImageNeverPull", `Container image "reg/build:1" is not present with pull policy of Never`), running("helper")), pulls: []string{"build"}, lastReason: "ErrImageNeverPull"},
		{name: "two containers fail", pod: testPod(corev1.PodPending, waiting("build", "", "ErrImagePull", "a"), waiting("helper", "", "ErrImagePull", "b")), pulls: []string{"build", "helper"}, lastReason: "ErrImagePull"},
		{name: "InvalidImageName", pod: testPod(corev1.PodPending, waiting("build", "", "InvalidImageName", "bad"), running("helper")), configErr: "InvalidImageName", lastReason: "InvalidImageName"},
		{name: "CreateContainerConfigError", pod: testPod(corev1.PodPending, running("build"), waiting("helper", "", "CreateContainerConfigError", "secret not found")), configErr: "CreateContainerConfigError", lastReason: "CreateContainerConfigError"},
		{name: "unknown reason keeps waiting", pod: testPod(corev1.PodPending, waiting("build", "", "SomethingNew", ""), running("helper")), lastReason: "SomethingNew"},
		{name: "crashed service counts as started", pod: testPod(corev1.PodRunning, running("build"), running("helper"), func() corev1.ContainerStatus {
			s := waiting("svc-0", "", "CrashLoopBackOff", "")
			s.RestartCount = 2
			return s
		}()), started: true, lastReason: "CrashLoopBackOff"},
		{name: "evicted", pod: func() *corev1.Pod {
			p := testPod(corev1.PodFailed, running("build"), running("helper"))
			p.Status.Reason = "Evicted"
			return p
		}(), ended: true, lastReason: "Evicted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := readPod(podwatch.Observation{Pod: tt.pod}, spec)
			require.Equal(t, tt.started, st.started, "started")
			var pulls []string
			for _, p := range st.pullErrors {
				pulls = append(pulls, p.Container)
				require.Equal(t, images[p.Container], p.Image, "the image must be the one we wrote, not the status'")
			}
			require.Equal(t, tt.pulls, pulls)
			if tt.configErr == "" {
				require.Nil(t, st.configErr)
			} else {
				require.NotNil(t, st.configErr)
				require.Equal(t, tt.configErr, st.configErr.Reason)
			}
			require.Equal(t, tt.ended, st.ended != nil, "ended")
			require.Equal(t, tt.lastReason, st.reason)
		})
	}
}

func TestWaitingReasonTable(t *testing.T) {
	const prefix = "runner-r-job-7-"
	tests := []struct {
		reason, message string
		want            verdict
	}{
		{"ErrImagePull", "", pullFailed},
		{"ImagePullBackOff", "", pullFailed},
		{"ErrImageNeverPull", "", pullFailed},
		{"InvalidImageName", "", badConfig},
		{"ContainerCreating", "", keepWaiting},
		{"", "", keepWaiting},
		{"NotAReason", "", keepWaiting},
		// The kubelet heals these itself: the job waits (issue: a passing
		// kubelet condition is not the job's fault).
		{"CreateContainerConfigError", "failed to sync secret cache: timed out waiting for the condition", healing},
		{"CreateContainerConfigError", "failed to sync configmap cache: timed out waiting for the condition", healing},
		{"CreateContainerConfigError", `secret "` + prefix + `x7k2p" not found`, healing},
		{"CreateContainerError", "context deadline exceeded", healing},
		{"CreateContainerError", `failed to reserve container name "build_p": name is reserved`, healing},
		{"RunContainerError", "context deadline exceeded", healing},
		// These do not heal: an invalid spec fails at once.
		{"CreateContainerConfigError", `secret "someone-elses" not found`, badConfig},
		{"CreateContainerConfigError", `couldn't find key FOO in Secret ci/x`, badConfig},
		{"CreateContainerConfigError", "container has runAsNonRoot and image will run as root", badConfig},
		{"CreateContainerError", "exec: no such file or directory", badConfig},
		{"RunContainerError", `exec: "sh": executable file not found in $PATH`, badConfig},
	}
	for _, tt := range tests {
		t.Run(tt.reason+"/"+tt.message, func(t *testing.T) {
			require.Equal(t, tt.want, classifyWaiting(&corev1.ContainerStateWaiting{Reason: tt.reason, Message: tt.message}, prefix))
		})
	}
	require.Equal(t, keepWaiting, classifyWaiting(nil, prefix))
}

func TestPodEnded(t *testing.T) {
	terminated := func(name, reason string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: 137}}}
	}
	deleting := testPod(corev1.PodRunning, running("build"), running("helper"))
	deleting.DeletionTimestamp = &metav1.Time{}
	tests := []struct {
		name   string
		obs    podwatch.Observation
		reason string // "" for a pod that still serves the job
	}{
		{"running", podwatch.Observation{Pod: testPod(corev1.PodRunning, running("build"), running("helper"))}, ""},
		{"a service exited", podwatch.Observation{Pod: testPod(corev1.PodRunning, running("build"), running("helper"), terminated("svc-0", "Completed"))}, ""},
		{"deleted", podwatch.Observation{Pod: testPod(corev1.PodRunning), Deleted: true}, "Deleted"},
		{"terminating", podwatch.Observation{Pod: deleting}, "Deleted"},
		{"build OOM-killed", podwatch.Observation{Pod: testPod(corev1.PodRunning, terminated("build", "OOMKilled"), running("helper"))}, "OOMKilled"},
		{"evicted", podwatch.Observation{Pod: func() *corev1.Pod {
			p := testPod(corev1.PodFailed)
			p.Status.Reason = "Evicted"
			return p
		}()}, "Evicted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := podEnded(tt.obs)
			if tt.reason == "" {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			require.Equal(t, tt.reason, got.Reason)
		})
	}
}

// TestStartedPerEvents: the kubelet's Started events end the wait before
// the pod status says Running, but only when they name every container,
// and never for a pod that is going away.
func TestStartedPerEvents(t *testing.T) {
	pending := func() *corev1.Pod {
		p := testPod(corev1.PodPending)
		for _, c := range []string{"build", "helper", "svc-0"} {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		}
		return p
	}
	all := map[string]bool{"build": true, "helper": true, "svc-0": true}
	deleting := pending()
	deleting.DeletionTimestamp = &metav1.Time{}
	tests := []struct {
		name    string
		obs     podwatch.Observation
		started bool
	}{
		{"every container started", podwatch.Observation{Pod: pending(), Started: all}, true},
		{"a service not yet", podwatch.Observation{Pod: pending(), Started: map[string]bool{"build": true, "helper": true}}, false},
		{"no events (no grant on events)", podwatch.Observation{Pod: pending()}, false},
		{"being deleted", podwatch.Observation{Pod: deleting, Started: all}, false},
		{"deleted", podwatch.Observation{Pod: pending(), Started: all, Deleted: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.started, readPod(tt.obs, &podspec.JobSpec{}).started)
		})
	}
}

// A denial of a pull the kubelet made without the pod's pull secrets
// (FailedToRetrieveImagePullSecret) is transient; other classes stay.
func TestPullClassWhenTheKubeletMissedThePullSecrets(t *testing.T) {
	denied := &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"}
	refused := &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "dial tcp 127.0.0.1:5000: connect: connection refused"}
	tests := []struct {
		name   string
		w      *corev1.ContainerStateWaiting
		missed bool
		want   pull.Class
	}{
		{"denied with the secrets", denied, false, pull.ClassDenied},
		{"denied without them", denied, true, pull.ClassTransient},
		{"unreachable either way", refused, true, pull.ClassUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, pullClass(tt.w, tt.missed))
		})
	}
}
