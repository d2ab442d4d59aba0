package kubernetes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// The job pods of a whole process are watched through one shared informer
// per cluster and namespace, not one watch per job: with 100 jobs running,
// the API server serves one list and one watch. Each job subscribes with
// its job label and reads its own pods' events as a watch.Interface, so the
// waits (watch.go) are the same conditions whatever feeds them. The
// informer relists and rewatches by itself when the API server restarts.

// informerLinger keeps an idle informer a while after its last job, so a
// runner between two jobs does not pay a list and a watch for each.
const informerLinger = 30 * time.Second

// informerSyncTimeout bounds the first list of a namespace's pods.
const informerSyncTimeout = 60 * time.Second

var podInformers = struct {
	sync.Mutex
	m map[informerKey]*podInformer
}{m: map[informerKey]*podInformer{}}

// informerKey tells informers apart by who asks as well as where: two
// runners with different credentials for one API server must not read
// pods through each other's identity.
type informerKey struct{ host, namespace, identity string }

// identityOf digests the credentials of a rest config.
func identityOf(rc *rest.Config) string {
	h := sha256.New()
	for _, part := range []string{rc.Username, rc.Password, rc.BearerToken, rc.BearerTokenFile, rc.CertFile, rc.KeyFile, rc.Impersonate.UserName} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(rc.CertData)
	h.Write([]byte{0})
	h.Write(rc.KeyData)
	return hex.EncodeToString(h.Sum(nil))
}

// podInformer is one namespace's shared informer and its subscribers.
type podInformer struct {
	key      informerKey
	stop     context.CancelFunc
	synced   chan struct{}
	syncOnce sync.Once
	err      error // set before synced closes when the first sync failed

	mu    sync.Mutex
	subs  map[string]*subscription // by job label value
	idle  *time.Timer
	users int
}

// subscribeJobPods returns the events of the pods labelled with the job's
// key, starting the namespace's informer if this process has none yet.
func subscribeJobPods(ctx context.Context, api apiClient, namespace, key string) (*subscription, error) {
	k := informerKey{host: api.rest.Host, namespace: namespace, identity: identityOf(api.base)}
	podInformers.Lock()
	inf, ok := podInformers.m[k]
	if !ok {
		own, err := newAPIClient(api.base, defaultHeaderTimeout)
		if err != nil {
			podInformers.Unlock()
			return nil, err
		}
		inf = startPodInformer(own, k)
		podInformers.m[k] = inf
	}
	sub := inf.subscribe(key)
	podInformers.Unlock()

	sctx, cancel := context.WithTimeout(ctx, informerSyncTimeout)
	defer cancel()
	select {
	case <-inf.synced:
	case <-sctx.Done():
		sub.Stop()
		return nil, fmt.Errorf("list the namespace's job pods: %w", sctx.Err())
	}
	if inf.err != nil {
		sub.Stop()
		return nil, inf.err
	}
	return sub, nil
}

func startPodInformer(api apiClient, k informerKey) *podInformer {
	ctx, cancel := context.WithCancel(context.Background())
	inf := &podInformer{key: k, stop: cancel, synced: make(chan struct{}), subs: map[string]*subscription{}}
	selector := labels.SelectorFromSet(labels.Set{managedByLabel: managedByValue}).String()
	lw := cache.NewFilteredListWatchFromClient(api.CoreV1().RESTClient(), "pods", k.namespace,
		func(o *metav1.ListOptions) { o.LabelSelector = selector })
	pods := cache.NewSharedIndexInformer(patient(lw), &corev1.Pod{}, 0, cache.Indexers{})
	_, _ = pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { inf.dispatch(watch.Added, obj) },
		UpdateFunc: func(_, obj any) { inf.dispatch(watch.Modified, obj) },
		DeleteFunc: func(obj any) { inf.dispatch(watch.Deleted, obj) },
	})
	// A reflector retries a refused list for ever; a runner whose Role
	// lacks list or watch on pods would then wait out the sync timeout and
	// say nothing useful. A 403 before the first sync ends the informer at
	// once with the refusal, and a later job starts a fresh one.
	_ = pods.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if !apierrors.IsForbidden(err) || pods.HasSynced() {
			cache.DefaultWatchErrorHandler(ctx, r, err)
			return
		}
		inf.finishSync(forbidden(err, "list/watch", "pods", k.namespace))
		podInformers.Lock()
		if podInformers.m[k] == inf {
			delete(podInformers.m, k)
		}
		podInformers.Unlock()
		cancel()
	})
	go pods.RunWithContext(ctx)
	go func() {
		if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced) {
			inf.finishSync(fmt.Errorf("the pod informer of namespace %q stopped before its first sync", k.namespace))
			return
		}
		inf.finishSync(nil)
	}()
	return inf
}

// finishSync records the first sync's outcome once.
func (inf *podInformer) finishSync(err error) {
	inf.syncOnce.Do(func() {
		inf.err = err
		close(inf.synced)
	})
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
	inf.mu.Lock()
	sub := inf.subs[pod.Labels[jobLabel]]
	inf.mu.Unlock()
	if sub != nil {
		sub.push(watch.Event{Type: t, Object: pod})
	}
}

func (inf *podInformer) subscribe(key string) *subscription {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	if inf.idle != nil {
		inf.idle.Stop()
		inf.idle = nil
	}
	inf.users++
	sub := newSubscription(func() { inf.unsubscribe(key) })
	inf.subs[key] = sub
	return sub
}

// unsubscribe drops a job; the last one leaves the informer to linger.
func (inf *podInformer) unsubscribe(key string) {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	delete(inf.subs, key)
	inf.users--
	if inf.users > 0 {
		return
	}
	inf.idle = time.AfterFunc(informerLinger, func() {
		podInformers.Lock()
		defer podInformers.Unlock()
		inf.mu.Lock()
		defer inf.mu.Unlock()
		if inf.users == 0 && podInformers.m[inf.key] == inf {
			delete(podInformers.m, inf.key)
			inf.stop()
		}
	})
}
