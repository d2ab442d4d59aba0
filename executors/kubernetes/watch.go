package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	kube "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// podWatch is the job's one way to wait: a single stream of events about
// the pods that carry the job's label, open from before the first pod is
// created until cleanup. Every wait is a podCondition over it, read with
// client-go's watchtools.UntilWithoutRetry, so no wait polls and each has
// one exit rule. On a cluster the stream is a RetryWatcher, which resumes
// from the last resource version when the API server closes it; unit tests
// feed it a watch.FakeWatcher.
type podWatch struct {
	w watch.Interface
}

// observation is one pod version the watch delivered, with when it arrived:
// the fallback's reaction time is measured from here.
type observation struct {
	pod     *corev1.Pod
	deleted bool
	at      time.Time
}

// podCondition decides, for each version of the awaited pod, whether the
// wait is over; an error ends the wait with that error.
type podCondition func(obs observation) (done bool, err error)

// errWatchEnded: the event stream closed under a wait, which a RetryWatcher
// only does when it gives up.
var errWatchEnded = errors.New("the watch on the job's pods ended")

func startPodWatch(ctx context.Context, client kube.Interface, namespace, key string) (*podWatch, error) {
	selector := labels.SelectorFromSet(labels.Set{jobLabel: key}).String()
	pods := client.CoreV1().Pods(namespace)
	// The list only provides a resource version to start from: the job has
	// no pods yet, and Limit keeps the answer small if it had.
	list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("list job pods: %w", err)
	}
	lw := &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = selector
			o.AllowWatchBookmarks = true
			return pods.Watch(ctx, o)
		},
	}
	w, err := watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, lw)
	if err != nil {
		return nil, fmt.Errorf("watch job pods: %w", err)
	}
	return &podWatch{w: w}, nil
}

// until reads events about the named pod until cond says done, cond fails,
// ctx ends or the stream closes. Events about other pods of the job (an
// earlier attempt still going away) and bookmarks are skipped. On ctx's
// end it returns ctx's error, so callers tell a timeout from a cancel with
// errors.Is.
func (pw *podWatch) until(ctx context.Context, name string, cond podCondition) error {
	_, err := watchtools.UntilWithoutRetry(ctx, keepOpen{pw.w}, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Error {
			return false, fmt.Errorf("watch on the job's pods: %v", ev.Object)
		}
		pod, isPod := ev.Object.(*corev1.Pod)
		if !isPod || pod.Name != name || ev.Type == watch.Bookmark {
			return false, nil
		}
		return cond(observation{pod: pod, deleted: ev.Type == watch.Deleted, at: time.Now()})
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, watchtools.ErrWatchClosed):
		return errWatchEnded
	}
	return err
}

// keepOpen hides Stop from UntilWithoutRetry, which stops the watch it was
// given on return: the job's stream outlives each wait and stops at cleanup.
type keepOpen struct{ watch.Interface }

func (keepOpen) Stop() {}

func (pw *podWatch) stop() {
	if pw != nil {
		pw.w.Stop()
	}
}
