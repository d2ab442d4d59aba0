//go:build integration

package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// FakeNodeTaint is the taint every fake node carries, with value "true"
// and effect NoSchedule. Other tests run on the same cluster at the same
// time; their pods, which do not tolerate it, never land on a node where
// nothing would run them.
const FakeNodeTaint = "kuberunner.test/fake-node"

// FakeNodeToleration is the node_tolerations entry that lets a job onto a
// fake node: `{clustertest.FakeNodeToleration: "NoSchedule"}`.
const FakeNodeToleration = FakeNodeTaint + "=true"

// fakeHeartbeat is how often a fake node renews its lease and its Ready
// condition: well inside the node controller's grace period (40-50 s), so
// the node never turns NotReady under a test.
const fakeHeartbeat = 5 * time.Second

// FakeNode registers a Node that no kubelet runs and keeps it Ready, with
// its Ready heartbeat and its coordination.k8s.io Lease renewed, until the
// test ends, when it is deleted. It lists no images and is large (64 CPUs,
// 256 GiB), so the scheduler's resource scoring prefers it to the real
// node: the empty node of a pool. A pod bound to it never starts and gets
// no container status; FailPulls makes it report pull failures instead. It
// returns when the scheduler may use the node (Ready, no not-ready taint).
func FakeNode(t testing.TB, name string) {
	t.Helper()
	cs, _ := Client(t)
	ctx, cancel := context.WithCancel(context.Background())
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", FakeNodeTaint: "true",
		}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: FakeNodeTaint, Value: "true", Effect: corev1.TaintEffectNoSchedule}}},
	}
	created, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		cancel()
		t.Fatalf("create fake node %s: %v", name, err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer dcancel()
		if err := cs.CoreV1().Nodes().Delete(dctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete fake node %s: %v", name, err)
		}
		// The lease is owned by the node, but the garbage collector may be
		// slow; a later node of the same name must start from a fresh one.
		if err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Delete(dctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete lease of fake node %s: %v", name, err)
		}
	})
	// The API server keeps the status a create sends for nodes, but set it
	// through the status subresource, as a kubelet does, to be sure; a
	// patch, because the node controller may have written the node already.
	status, _ := json.Marshal(map[string]any{"status": fakeNodeStatus()})
	if _, err := cs.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, status, metav1.PatchOptions{}, "status"); err != nil {
		t.Fatalf("fake node %s: status: %v", name, err)
	}
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: corev1.NamespaceNodeLease, OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "v1", Kind: "Node", Name: name, UID: created.UID,
		}}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &name, LeaseDurationSeconds: ptr(int32(40)), RenewTime: &metav1.MicroTime{Time: time.Now()}},
	}
	if _, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Create(ctx, lease, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("fake node %s: lease: %v", name, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		heartbeat(ctx, t, cs, name)
	}()
	waitSchedulable(t, cs, name)
}

func ptr[T any](v T) *T { return &v }

func fakeNodeStatus() corev1.NodeStatus {
	size := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("64"), corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods: resource.MustParse("110"), corev1.ResourceEphemeralStorage: resource.MustParse("1Ti"),
	}
	now := metav1.Now()
	return corev1.NodeStatus{
		Capacity: size, Allocatable: size,
		Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			Message: "fake node of a kuberunner test", LastHeartbeatTime: now, LastTransitionTime: now,
		}},
		NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.34.4", OperatingSystem: "linux", Architecture: "amd64"},
	}
}

// heartbeat renews the lease and the Ready condition until ctx ends. A
// failed renewal (the API server restarting under another test) is
// retried at the next tick: one missed beat is far from the grace period.
func heartbeat(ctx context.Context, t testing.TB, cs kubernetes.Interface, name string) {
	tick := time.NewTicker(fakeHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now().UTC()
		lease, _ := json.Marshal(map[string]any{"spec": map[string]any{"renewTime": metav1.MicroTime{Time: now}}})
		if _, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Patch(ctx, name, types.MergePatchType, lease, metav1.PatchOptions{}); err != nil && ctx.Err() == nil {
			t.Logf("fake node %s: renew lease: %v", name, err)
		}
		// Conditions merge by type, so this touches Ready alone and needs
		// no resourceVersion that another writer could have moved.
		ready, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []map[string]any{{
			"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "fake node of a kuberunner test",
			"lastHeartbeatTime": metav1.NewTime(now),
		}}}})
		if _, err := cs.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, ready, metav1.PatchOptions{}, "status"); err != nil && ctx.Err() == nil {
			t.Logf("fake node %s: heartbeat: %v", name, err)
		}
	}
}

// waitSchedulable watches the node until it is Ready and carries no taint
// but its own: the TaintNodesByCondition admission taints every new node
// not-ready until the node controller sees it Ready.
func waitSchedulable(t testing.TB, cs kubernetes.Interface, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "nodes", "", fields.OneTermEqualSelector("metadata.name", name))
	var last *corev1.Node
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Node{}, nil, func(ev watch.Event) (bool, error) {
		n, ok := ev.Object.(*corev1.Node)
		if !ok {
			return false, nil
		}
		last = n
		for _, tn := range n.Spec.Taints {
			if tn.Key != FakeNodeTaint {
				return false, nil
			}
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == corev1.ConditionTrue, nil
			}
		}
		return false, nil
	})
	if err != nil {
		desc := "(never seen)"
		if last != nil {
			desc = fmt.Sprintf("taints %v, conditions %v", last.Spec.Taints, last.Status.Conditions)
		}
		t.Fatalf("fake node %s did not become schedulable in 60s: %v; %s", name, err, desc)
	}
}

// PullFailer plays the image part of a kubelet for a fake node that holds
// no images and cannot reach the registry: every pod bound to the node
// gets, at once, the waiting reasons the real kubelet reports then.
type PullFailer struct {
	mu    sync.Mutex
	bound []*corev1.Pod
}

// Bound returns the pods seen bound to the node, in order, as first seen.
func (f *PullFailer) Bound() []*corev1.Pod {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*corev1.Pod(nil), f.bound...)
}

// FailPulls makes pods bound to the fake node fail as they would on a
// node without the image while the registry is down: ErrImagePull for a
// container that must pull (Always, or IfNotPresent with nothing cached),
// ErrImageNeverPull for Never. It runs until the test ends. Only use it
// with the registry stopped (StopRegistry), or it reports what no real
// node would.
func FailPulls(t testing.TB, node string) *PullFailer {
	t.Helper()
	cs, _ := Client(t)
	f := &PullFailer{}
	ctx, cancel := context.WithCancel(context.Background())
	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "pods", "", fields.OneTermEqualSelector("spec.nodeName", node))
	inf := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{})
	seen := map[types.UID]bool{}
	report := func(obj any) {
		p, ok := obj.(*corev1.Pod)
		if !ok || p.DeletionTimestamp != nil || len(p.Status.ContainerStatuses) > 0 {
			return
		}
		f.mu.Lock()
		if !seen[p.UID] {
			seen[p.UID] = true
			f.bound = append(f.bound, p.DeepCopy())
		}
		f.mu.Unlock()
		patch, _ := json.Marshal(map[string]any{"status": map[string]any{"phase": "Pending", "containerStatuses": pullStatuses(p)}})
		if _, err := cs.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil && ctx.Err() == nil && !apierrors.IsNotFound(err) {
			t.Logf("fake node %s: report pull failure of %s/%s: %v", node, p.Namespace, p.Name, err)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: report, UpdateFunc: func(_, obj any) { report(obj) }})
	done := make(chan struct{})
	go func() { defer close(done); inf.RunWithContext(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	sctx, scancel := context.WithTimeout(ctx, 60*time.Second)
	defer scancel()
	if !cache.WaitForCacheSync(sctx.Done(), inf.HasSynced) {
		t.Fatalf("fake node %s: the pod watch did not sync in 60s", node)
	}
	return f
}

func pullStatuses(p *corev1.Pod) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(p.Spec.Containers))
	for _, c := range p.Spec.Containers {
		w := &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: fmt.Sprintf(
			"failed to pull and unpack image %q: dial tcp 127.0.0.1:5000: connect: connection refused (reported for the fake node, which holds no images)", c.Image)}
		if c.ImagePullPolicy == corev1.PullNever {
			w = &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull", Message: fmt.Sprintf(
				"Container image %q is not present with pull policy of Never", c.Image)}
		}
		out = append(out, corev1.ContainerStatus{Name: c.Name, Image: c.Image, State: corev1.ContainerState{Waiting: w}})
	}
	return out
}
