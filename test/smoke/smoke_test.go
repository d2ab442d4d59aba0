//go:build integration

package smoke

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/test/clustertest"
)

// podTimeout bounds each wait; on this machine every state below is reached
// in 2-4 seconds.
const podTimeout = 90 * time.Second

// startPod creates a one-container pod running image with policy and returns
// its namespace and name.
func startPod(t *testing.T, image string, policy corev1.PullPolicy) (string, string) {
	t.Helper()
	cs, _ := clustertest.Client(t)
	ns := clustertest.Namespace(t)
	zero := int64(0)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: &zero,
			Containers: []corev1.Container{{
				Name: "main", Image: image, ImagePullPolicy: policy,
				Command: []string{"sleep", "3600"},
			}},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	return ns, pod.Name
}

func waitRunning(t *testing.T, ns, name string) {
	t.Helper()
	cs, _ := clustertest.Client(t)
	clustertest.WaitForPod(t, cs, ns, name, podTimeout, "Running", clustertest.Running)
}

// waitPullFailure waits for reason and checks the kubelet's message.
func waitPullFailure(t *testing.T, ns, name, reason, wantInMessage string) {
	t.Helper()
	cs, _ := clustertest.Client(t)
	p := clustertest.WaitForPod(t, cs, ns, name, podTimeout, reason, clustertest.Waiting(reason))
	_, msg := clustertest.WaitingReason(p)
	t.Logf("kubelet: %s: %s", reason, msg)
	if !strings.Contains(msg, wantInMessage) {
		t.Errorf("%s message = %q, want it to contain %q", reason, msg, wantInMessage)
	}
}

func TestAlwaysWithRegistryUpRuns(t *testing.T) {
	t.Parallel()
	img := clustertest.Push(t, clustertest.UniqueImage(t, "always-up"))
	ns, pod := startPod(t, img, corev1.PullAlways)
	waitRunning(t, ns, pod)
}

func TestAlwaysWithRegistryStoppedIsErrImagePull(t *testing.T) {
	t.Parallel()
	img := clustertest.Push(t, clustertest.UniqueImage(t, "always-stopped"))
	clustertest.StopRegistry(t)
	ns, pod := startPod(t, img, corev1.PullAlways)
	waitPullFailure(t, ns, pod, "ErrImagePull", "connect: connection refused")
}

func TestAlwaysWithImageDeletedIsErrImagePullNotFound(t *testing.T) {
	t.Parallel()
	img := clustertest.Push(t, clustertest.UniqueImage(t, "deleted"))
	clustertest.Delete(t, img)
	ns, pod := startPod(t, img, corev1.PullAlways)
	waitPullFailure(t, ns, pod, "ErrImagePull", "not found")
}

func TestIfNotPresentCachedWithRegistryStoppedRuns(t *testing.T) {
	t.Parallel()
	img := clustertest.Push(t, clustertest.UniqueImage(t, "cached"))
	clustertest.Cache(t, img)
	if imgs := clustertest.NodeImages(t); !contains(imgs, img) {
		t.Fatalf("node images %v lack %s after Cache", imgs, img)
	}
	clustertest.StopRegistry(t)
	ns, pod := startPod(t, img, corev1.PullIfNotPresent)
	waitRunning(t, ns, pod)
}

func TestNeverWithImageNotCachedIsErrImageNeverPull(t *testing.T) {
	t.Parallel()
	img := clustertest.UniqueImage(t, "never")
	clustertest.Uncache(t, img)
	ns, pod := startPod(t, img, corev1.PullNever)
	waitPullFailure(t, ns, pod, "ErrImageNeverPull", img)
}

func TestExecScriptWithStdin(t *testing.T) {
	t.Parallel()
	clustertest.NeedRegistry(t)
	ns, pod := startPod(t, "127.0.0.1:5000/busybox:latest", corev1.PullIfNotPresent)
	waitRunning(t, ns, pod)

	// The way a CI runner feeds a job script: the shell reads it from stdin.
	script := "echo out-line\necho err-line >&2\nexit 7\n"
	stdout, stderr, code := clustertest.Exec(t, ns, pod, "main", []string{"sh", "-s"}, strings.NewReader(script))
	if stdout != "out-line\n" || stderr != "err-line\n" || code != 7 {
		t.Errorf("sh -s: stdout=%q stderr=%q code=%d, want %q %q 7", stdout, stderr, code, "out-line\n", "err-line\n")
	}

	// A command reading data from stdin.
	stdout, _, code = clustertest.Exec(t, ns, pod, "main", []string{"sh", "-c", "cat; echo done"}, strings.NewReader("from-stdin\n"))
	if stdout != "from-stdin\ndone\n" || code != 0 {
		t.Errorf("cat: stdout=%q code=%d, want %q 0", stdout, code, "from-stdin\ndone\n")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
