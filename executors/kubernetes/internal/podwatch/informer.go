package podwatch

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"

	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
)

// The job pods of a whole process are watched through one shared informer
// per cluster and namespace, not one watch per job: with 100 jobs running,
// the API server serves one list and one watch. Each job subscribes with
// its job label and reads its own pods' events as a watch.Interface, so the
// waits (watch.go) are the same conditions whatever feeds them. The
// informer relists and rewatches by itself when the API server restarts.

// informerSyncTimeout bounds the first list of a namespace's pods.
const informerSyncTimeout = 60 * time.Second

var podInformers = kubeapi.NewSharedSet[*podInformer]()

// podInformer is one namespace's shared informer and its subscribers.
type podInformer struct {
	*kubeapi.Lifecycle

	mu   sync.Mutex
	subs map[string]*subscription // by job label value

	pods    cache.Store
	started podSets
	// missed holds "" for each pod the kubelet pulled for without its
	// pull secrets (started.go).
	missed podSets
}

func (inf *podInformer) Life() *kubeapi.Lifecycle { return inf.Lifecycle }

// subscribeJobPods returns the events of the pods labelled with the job's
// key, starting the namespace's informer if this process has none yet.
func subscribeJobPods(ctx context.Context, api kubeapi.Client, namespace, key string) (*subscription, error) {
	k := kubeapi.InformerKey{Host: api.REST.Host, Namespace: namespace, Identity: kubeapi.IdentityOf(api.Base)}
	inf, err := podInformers.Acquire(k, func(ctx context.Context, l *kubeapi.Lifecycle) (*podInformer, error) {
		own, err := kubeapi.NewClient(api.Base, kubeapi.DefaultHeaderTimeout)
		if err != nil {
			return nil, err
		}
		return startPodInformer(ctx, own, l), nil
	})
	if err != nil {
		return nil, err
	}
	sub := inf.subscribe(key)
	if err := inf.WaitSynced(ctx, informerSyncTimeout, "list the namespace's job pods"); err != nil {
		sub.Stop()
		return nil, err
	}
	return sub, nil
}

func startPodInformer(ctx context.Context, api kubeapi.Client, l *kubeapi.Lifecycle) *podInformer {
	inf := &podInformer{Lifecycle: l, subs: map[string]*subscription{}}
	namespace := l.Key.Namespace
	selector := labels.SelectorFromSet(labels.Set{podspec.ManagedByLabel: podspec.ManagedByValue}).String()
	lw := cache.NewFilteredListWatchFromClient(api.CoreV1().RESTClient(), "pods", namespace,
		func(o *metav1.ListOptions) { o.LabelSelector = selector })
	pods := cache.NewSharedIndexInformer(kubeapi.Patient(lw), &corev1.Pod{}, 0, cache.Indexers{})
	_, _ = pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { inf.dispatch(watch.Added, obj) },
		UpdateFunc: func(_, obj any) { inf.dispatch(watch.Modified, obj) },
		DeleteFunc: func(obj any) { inf.dispatch(watch.Deleted, obj) },
	})
	inf.pods = pods.GetStore()
	watchKubeletEvents(ctx, api, namespace, startedReason, inf.onStarted)
	watchKubeletEvents(ctx, api, namespace, missedSecretReason, inf.onMissedSecret)
	// A reflector retries a refused list for ever; a runner whose Role
	// lacks list or watch on pods would then wait out the sync timeout and
	// say nothing useful. A 403 before the first sync ends the informer at
	// once with the refusal, and a later job starts a fresh one.
	_ = pods.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if !apierrors.IsForbidden(err) || pods.HasSynced() {
			cache.DefaultWatchErrorHandler(ctx, r, err)
			return
		}
		inf.FinishSync(kubeapi.Forbidden(err, "list/watch", "pods", namespace))
		podInformers.Drop(inf)
	})
	go pods.RunWithContext(ctx)
	go func() {
		if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced) {
			inf.FinishSync(fmt.Errorf("the pod informer of namespace %q stopped before its first sync", namespace))
			return
		}
		inf.FinishSync(nil)
	}()
	return inf
}

// dispatch hands one pod event to the job it belongs to.
func (inf *podInformer) dispatch(t watch.EventType, obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if t == watch.Deleted {
		inf.started.forget(pod.UID)
		inf.missed.forget(pod.UID)
	}
	inf.mu.Lock()
	sub := inf.subs[pod.Labels[podspec.JobLabel]]
	inf.mu.Unlock()
	if sub != nil {
		sub.push(watch.Event{Type: t, Object: pod})
	}
}

// onStarted records a container the kubelet started and hands the job its
// pod again, so that its wait reads the new set. An event about a pod this
// informer does not hold (not a job pod, or one already gone) is dropped.
func (inf *podInformer) onStarted(ev *corev1.Event) {
	container, ok := startedContainer(ev)
	if !ok {
		return
	}
	if pod := inf.podOf(ev); pod != nil {
		inf.started.add(pod.UID, container)
		inf.dispatch(watch.Modified, pod)
	}
}

// onMissedSecret records that the kubelet pulls for a pod without its pull
// secrets; the pull failure that follows comes with the pod's status.
func (inf *podInformer) onMissedSecret(ev *corev1.Event) {
	if pod := inf.podOf(ev); pod != nil {
		inf.missed.add(pod.UID, "")
	}
}

// podOf is the job pod an event is about, if this informer holds it.
func (inf *podInformer) podOf(ev *corev1.Event) *corev1.Pod {
	obj, exists, err := inf.pods.GetByKey(ev.Namespace + "/" + ev.InvolvedObject.Name)
	pod, isPod := obj.(*corev1.Pod)
	if err != nil || !exists || !isPod || pod.UID != ev.InvolvedObject.UID {
		return nil
	}
	return pod
}

func (inf *podInformer) subscribe(key string) *subscription {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	sub := newSubscription(func() { inf.unsubscribe(key) })
	sub.started = inf.started.of
	sub.missed = inf.missed.has
	inf.subs[key] = sub
	return sub
}

// unsubscribe drops a job and lets go of the informer.
func (inf *podInformer) unsubscribe(key string) {
	inf.mu.Lock()
	delete(inf.subs, key)
	inf.mu.Unlock()
	podInformers.Release(inf)
}
