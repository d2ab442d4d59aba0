package kubernetes

import (
	"context"
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

// podWatch is the job's one way to wait: a single watch on the pods that
// carry the job's label, open from before the first pod is created until
// cleanup. A RetryWatcher resumes from the last resource version if the API
// server closes the stream, so no event is lost and nothing is polled.
type podWatch struct {
	w *watchtools.RetryWatcher
}

// observation is one pod version the watch delivered, with when it arrived:
// the fallback's reaction time is measured from here.
type observation struct {
	pod     *corev1.Pod
	deleted bool
	at      time.Time
}

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

// next returns the next event about the named pod. Events about other pods
// of the job (an earlier attempt still going away) are skipped.
func (pw *podWatch) next(ctx context.Context, name string) (observation, error) {
	for {
		select {
		case <-ctx.Done():
			return observation{}, ctx.Err()
		case ev, ok := <-pw.w.ResultChan():
			if !ok {
				return observation{}, fmt.Errorf("the watch on the job's pods ended")
			}
			if ev.Type == watch.Error {
				return observation{}, fmt.Errorf("watch on the job's pods: %v", ev.Object)
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			if !isPod || pod.Name != name || ev.Type == watch.Bookmark {
				continue
			}
			return observation{pod: pod, deleted: ev.Type == watch.Deleted, at: time.Now()}, nil
		}
	}
}

func (pw *podWatch) stop() {
	if pw != nil {
		pw.w.Stop()
	}
}

// watchRunning follows the started pod until ctx ends, and cancels ctx with
// a *PodEndedError as soon as the pod can no longer serve the job.
func (e *Executor) watchRunning(ctx context.Context, name string, cancel context.CancelCauseFunc) {
	for {
		obs, err := e.watch.next(ctx, name)
		if err != nil {
			return // the job is over, or the watch ended: exec reports its own errors
		}
		if ended := endedWhileRunning(obs); ended != nil {
			cancel(ended)
			return
		}
	}
}
