package podwatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	watchtools "k8s.io/client-go/tools/watch"

	"kuberunner/executors/kubernetes/internal/kubeapi"
)

// Watch is the job's one way to wait: a single stream of events about
// the pods that carry the job's label, open from before the first pod is
// created until cleanup. Every wait is a Condition over it, read with
// client-go's watchtools.UntilWithoutRetry, so no wait polls and each has
// one exit rule. On a cluster the stream is the job's subscription to its
// namespace's shared pod informer (informer.go), which relists and
// rewatches by itself when the API server restarts; unit tests feed it a
// watch.FakeWatcher.
type Watch struct {
	w       watch.Interface
	started func(types.UID) map[string]bool
	missed  func(types.UID) bool
}

// Observation is one pod version the watch delivered, with when it arrived:
// the fallback's reaction time is measured from here.
type Observation struct {
	Pod     *corev1.Pod
	Deleted bool
	At      time.Time
	// Started are the pod's containers the kubelet has reported started
	// in its events, which come up to a second before the pod status says
	// so (started.go). Empty when events cannot be read.
	Started map[string]bool
	// PullSecretsMissed: the kubelet said it pulls without the pod's pull
	// secrets (it could not read them in time), so a denial of this pod's
	// pulls says nothing about the job's credentials.
	PullSecretsMissed bool
}

// Condition decides, for each version of the awaited pod, whether the
// wait is over; an error ends the wait with that error.
type Condition func(obs Observation) (done bool, err error)

// ErrWatchEnded: the event stream closed under a wait, which only happens
// when the job's subscription was stopped.
var ErrWatchEnded = errors.New("the watch on the job's pods ended")

// New reads a job's events from w: a fake watcher in unit tests.
func New(w watch.Interface) *Watch { return &Watch{w: w} }

// Start subscribes the job to its namespace's shared pod
// informer (informer.go).
func Start(ctx context.Context, api kubeapi.Client, namespace, key string) (*Watch, error) {
	sub, err := subscribeJobPods(ctx, api, namespace, key)
	if err != nil {
		return nil, err
	}
	return &Watch{w: sub, started: sub.started, missed: sub.missed}, nil
}

// until reads events about the named pod until cond says done, cond fails,
// ctx ends or the stream closes. Events about other pods of the job (an
// earlier attempt still going away) and bookmarks are skipped. On ctx's
// end it returns ctx's error, so callers tell a timeout from a cancel with
// errors.Is.
func (pw *Watch) Until(ctx context.Context, name string, cond Condition) error {
	_, err := watchtools.UntilWithoutRetry(ctx, keepOpen{pw.w}, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Error {
			return false, fmt.Errorf("watch on the job's pods: %v", ev.Object)
		}
		pod, isPod := ev.Object.(*corev1.Pod)
		if !isPod || pod.Name != name || ev.Type == watch.Bookmark {
			return false, nil
		}
		return cond(Observation{Pod: pod, Deleted: ev.Type == watch.Deleted, At: time.Now(), Started: pw.startedOf(pod.UID), PullSecretsMissed: pw.missed != nil && pw.missed(pod.UID)})
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, watchtools.ErrWatchClosed):
		return ErrWatchEnded
	}
	return err
}

func (pw *Watch) startedOf(uid types.UID) map[string]bool {
	if pw.started == nil {
		return nil
	}
	return pw.started(uid)
}

// keepOpen hides Stop from UntilWithoutRetry, which stops the watch it was
// given on return: the job's stream outlives each wait and stops at cleanup.
type keepOpen struct{ watch.Interface }

func (keepOpen) Stop() {}

func (pw *Watch) Stop() {
	if pw != nil {
		pw.w.Stop()
	}
}
