//go:build integration

package clustertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// WaitForPod watches pod ns/name (a name-scoped watch, so other tests' pods
// cost nothing) until cond holds, and returns the pod as it was then. It
// fails the test after timeout, showing the pod's last status. Watching sees
// every transition the kubelet reports, where polling could miss a short
// one such as ErrImagePull before ImagePullBackOff.
func WaitForPod(t testing.TB, cs kubernetes.Interface, ns, name string, timeout time.Duration, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "pods", ns, fields.OneTermEqualSelector("metadata.name", name))
	var last *corev1.Pod
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Pod{}, nil, func(ev watch.Event) (bool, error) {
		p, ok := ev.Object.(*corev1.Pod)
		if !ok {
			return false, nil
		}
		last = p
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("pod was deleted")
		}
		return cond(p), nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s: waiting %s for %s: %v\nlast status: %s", ns, name, timeout, what, err, Describe(last))
	}
	return last
}

// Running reports whether the pod is Running with every container running.
func Running(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running == nil {
			return false
		}
	}
	return len(p.Status.ContainerStatuses) > 0
}

// WaitingReason returns the first container's waiting reason and message, or
// empty strings when no container is waiting.
func WaitingReason(p *corev1.Pod) (reason, message string) {
	for _, s := range p.Status.ContainerStatuses {
		if w := s.State.Waiting; w != nil && w.Reason != "" {
			return w.Reason, w.Message
		}
	}
	return "", ""
}

// Waiting returns a condition for WaitForPod: a container waits with reason.
func Waiting(reason string) func(*corev1.Pod) bool {
	return func(p *corev1.Pod) bool { r, _ := WaitingReason(p); return r == reason }
}

// Describe summarises a pod's phase and container states for failure messages.
func Describe(p *corev1.Pod) string {
	if p == nil {
		return "(pod never seen)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "phase=%s", p.Status.Phase)
	for _, s := range p.Status.ContainerStatuses {
		switch {
		case s.State.Waiting != nil:
			fmt.Fprintf(&b, "; %s waiting %s: %s", s.Name, s.State.Waiting.Reason, s.State.Waiting.Message)
		case s.State.Running != nil:
			fmt.Fprintf(&b, "; %s running", s.Name)
		case s.State.Terminated != nil:
			fmt.Fprintf(&b, "; %s terminated %s (exit %d)", s.Name, s.State.Terminated.Reason, s.State.Terminated.ExitCode)
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue && c.Message != "" {
			fmt.Fprintf(&b, "; %s: %s", c.Type, c.Message)
		}
	}
	return b.String()
}

// WaitNodeListsImage watches node until its status.images names image
// exactly. The kubelet refreshes its image list about every 30 s and
// posts it with the next status update, so an image cached a moment ago
// is not listed yet: a test about what nodes list must wait for it.
func WaitNodeListsImage(t testing.TB, node, image string, timeout time.Duration) {
	t.Helper()
	cs, _ := Client(t)
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "nodes", "", fields.OneTermEqualSelector("metadata.name", node))
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Node{}, nil, func(ev watch.Event) (bool, error) {
		n, ok := ev.Object.(*corev1.Node)
		if !ok {
			return false, nil
		}
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				if name == image {
					return true, nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("node %s did not list image %s within %s: %v", node, image, timeout, err)
	}
	t.Logf("node %s lists image %s after %s", node, image, time.Since(began).Round(time.Millisecond))
}
