package podwatch

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"

	"kuberunner/executors/kubernetes/internal/podspec"
)

func startedEvent(pod, uid, fieldPath, reason string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "ci", Name: pod + ".1"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod, UID: types.UID(uid), FieldPath: fieldPath},
		Reason:         reason,
	}
}

func TestStartedContainer(t *testing.T) {
	tests := []struct {
		name string
		ev   *corev1.Event
		want string
	}{
		{"a container", startedEvent("p", "u", "spec.containers{build}", "Started"), "build"},
		{"an init container", startedEvent("p", "u", "spec.initContainers{init}", "Started"), ""},
		{"another reason", startedEvent("p", "u", "spec.containers{build}", "Created"), ""},
		{"no field path", startedEvent("p", "u", "", "Started"), ""},
		{"unclosed", startedEvent("p", "u", "spec.containers{build", "Started"), ""},
		{"not a pod", func() *corev1.Event {
			ev := startedEvent("p", "u", "spec.containers{build}", "Started")
			ev.InvolvedObject.Kind = "Node"
			return ev
		}(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := startedContainer(tt.ev)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
		})
	}
}

// An informer with one job pod in its store and the job subscribed, fed
// by hand: what the shared informers would do on a cluster.
func informerWithPod(t *testing.T) (*podInformer, *Watch, *corev1.Pod) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: "job-1-abc", UID: "uid-1", Labels: map[string]string{podspec.JobLabel: "1-x"}}}
	inf := &podInformer{subs: map[string]*subscription{}, pods: cache.NewStore(cache.MetaNamespaceKeyFunc)}
	require.NoError(t, inf.pods.Add(pod))
	sub := newSubscription(func() {})
	sub.started = inf.started.of
	inf.subs["1-x"] = sub
	t.Cleanup(sub.Stop)
	return inf, &Watch{w: sub, started: sub.started}, pod
}

// next is the Started set of the next version of the pod the job reads.
func next(t *testing.T, w *Watch) map[string]bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got map[string]bool
	require.NoError(t, w.Until(ctx, "job-1-abc", func(obs Observation) (bool, error) {
		got = obs.Started
		return true, nil
	}))
	return got
}

func TestStartedEventsReachTheJob(t *testing.T) {
	inf, w, pod := informerWithPod(t)
	inf.onStarted(startedEvent(pod.Name, "uid-1", "spec.containers{build}", "Started"))
	assert.Equal(t, map[string]bool{"build": true}, next(t, w))
	// Events about an earlier pod of the same name, about a pod the
	// informer does not hold, and of another reason change nothing.
	inf.onStarted(startedEvent(pod.Name, "uid-0", "spec.containers{helper}", "Started"))
	inf.onStarted(startedEvent("other", "uid-2", "spec.containers{helper}", "Started"))
	inf.onStarted(startedEvent(pod.Name, "uid-1", "spec.containers{helper}", "Pulled"))
	inf.onStarted(startedEvent(pod.Name, "uid-1", "spec.containers{helper}", "Started"))
	assert.Equal(t, map[string]bool{"build": true, "helper": true}, next(t, w))
	// A deleted pod's set is dropped with it.
	inf.dispatch(watch.Deleted, pod)
	assert.Empty(t, next(t, w))
	assert.Empty(t, inf.started.set)
}

// A watch fed by a fake watcher (unit tests of the executor) has no
// events to read and delivers no Started set.
func TestWatchWithoutEvents(t *testing.T) {
	fw := watch.NewFake()
	w := New(fw)
	go fw.Add(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "job-1-abc"}})
	assert.Nil(t, next(t, w))
}

// The kubelet's warning that it pulls without the pod's pull secrets
// reaches the job with the pod's next version, and goes with the pod.
func TestMissedPullSecretsReachTheJob(t *testing.T) {
	inf, w, pod := informerWithPod(t)
	w.missed = inf.missed.has
	inf.onMissedSecret(startedEvent("other", "uid-2", "", "FailedToRetrieveImagePullSecret"))
	assert.Empty(t, inf.missed.set)
	inf.onMissedSecret(startedEvent(pod.Name, "uid-1", "", "FailedToRetrieveImagePullSecret"))
	inf.dispatch(watch.Modified, pod)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, w.Until(ctx, pod.Name, func(obs Observation) (bool, error) {
		assert.True(t, obs.PullSecretsMissed)
		return true, nil
	}))
	inf.dispatch(watch.Deleted, pod)
	assert.Empty(t, inf.missed.set)
}
