package podwatch

import (
	"context"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"

	"kuberunner/executors/kubernetes/internal/kubeapi"
)

// The kubelet records a container's start as an Event ("Started") the
// moment the runtime has started it, but writes the pod's status only
// after its next relist of the runtime (PLEG), up to a second later. Exec
// finds a container through the runtime, not through the pod status, so a
// job that waited for the status would pay up to that second on every pod
// for nothing. The namespace's pod informer therefore also watches the
// kubelet's Started events, and each pod version is delivered with the
// containers they name (Observation.Started). Without list and watch on
// events (an older Role) the set stays empty and jobs wait for the status
// as before.

// The kubelet's event reasons read here (k8s.io/kubernetes
// pkg/kubelet/events and kubelet_pods.go).
const (
	// startedReason: the runtime started a container.
	startedReason = "Started"
	// missedSecretReason: the kubelet could not read a pull secret of the
	// pod in time (its secret cache had not synced), so the pull that
	// follows goes without those credentials.
	missedSecretReason = "FailedToRetrieveImagePullSecret"
)

// Also watched: the kubelet's warning that it pulls without the pod's pull
// secrets. Its cache of a Secret created just before the pod may take
// longer than the second it waits under load, and the registry then
// denies a pull that carried no credentials. Such a denial says nothing
// about the job's credentials (Observation.PullSecretsMissed).

// podSets are names noted per job pod, by pod UID, until the pod is
// deleted: the containers the kubelet started, or (under "") that it
// pulled without the pod's pull secrets.
type podSets struct {
	mu  sync.Mutex
	set map[types.UID]map[string]bool
}

func (s *podSets) add(uid types.UID, container string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set = map[types.UID]map[string]bool{}
	}
	if s.set[uid] == nil {
		s.set[uid] = map[string]bool{}
	}
	s.set[uid][container] = true
}

// of is a copy, so a condition may read it while events arrive.
func (s *podSets) of(uid types.UID) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.set[uid]))
	for c := range s.set[uid] {
		out[c] = true
	}
	return out
}

func (s *podSets) has(uid types.UID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.set[uid]) > 0
}

func (s *podSets) forget(uid types.UID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.set, uid)
}

// startedContainer is the container a Started event of a pod names in its
// field path, "spec.containers{build}"; init containers are not wanted.
func startedContainer(ev *corev1.Event) (string, bool) {
	if ev.Reason != startedReason || ev.InvolvedObject.Kind != "Pod" {
		return "", false
	}
	name, ok := strings.CutPrefix(ev.InvolvedObject.FieldPath, "spec.containers{")
	if !ok || !strings.HasSuffix(name, "}") {
		return "", false
	}
	return strings.TrimSuffix(name, "}"), true
}

// watchKubeletEvents runs an informer on the namespace's pod events of one
// reason for as long as ctx, handing each to handle. A refusal ends it
// quietly: the pod status still tells what happened, only later.
func watchKubeletEvents(ctx context.Context, api kubeapi.Client, namespace, reason string, handle func(*corev1.Event)) {
	ctx, stop := context.WithCancel(ctx)
	selector := fields.Set{"reason": reason, "involvedObject.kind": "Pod"}.AsSelector().String()
	lw := cache.NewFilteredListWatchFromClient(api.CoreV1().RESTClient(), "events", namespace,
		func(o *metav1.ListOptions) { o.FieldSelector = selector })
	events := cache.NewSharedIndexInformer(kubeapi.Patient(lw), &corev1.Event{}, 0, cache.Indexers{})
	_ = events.SetTransform(slimEvent)
	onEvent := func(obj any) {
		if ev, ok := obj.(*corev1.Event); ok {
			handle(ev)
		}
	}
	_, _ = events.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    onEvent,
		UpdateFunc: func(_, obj any) { onEvent(obj) },
	})
	_ = events.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) {
			stop()
			return
		}
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	go events.RunWithContext(ctx)
}

// slimEvent keeps what startedContainer reads: an hour of a busy
// namespace's events would otherwise sit in memory with their messages.
func slimEvent(obj any) (any, error) {
	ev, ok := obj.(*corev1.Event)
	if !ok {
		return obj, nil
	}
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: ev.Name, Namespace: ev.Namespace, ResourceVersion: ev.ResourceVersion},
		InvolvedObject: corev1.ObjectReference{Kind: ev.InvolvedObject.Kind, Name: ev.InvolvedObject.Name, UID: ev.InvolvedObject.UID, FieldPath: ev.InvolvedObject.FieldPath},
		Reason:         ev.Reason,
	}, nil
}
