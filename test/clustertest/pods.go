//go:build integration

package clustertest

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// PodRecorder keeps the last version of every job pod of a namespace, as
// a watch delivers them, so a test can look at attempts already deleted.
type PodRecorder struct {
	mu   sync.Mutex
	pods map[string]*corev1.Pod
	// order is the pods by first sight.
	order []string
}

// RecordPods records the job pods of ns until the test ends.
func RecordPods(t testing.TB, ns string) *PodRecorder {
	cs, _ := Client(t)
	// An informer, not a bare watch: it lists, then watches, and starts
	// again after the API server ends a watch (a watch cache that lags
	// behind answers "Too large resource version" to a fresh one).
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "app.kubernetes.io/managed-by=kuberunner" }))
	r := &PodRecorder{pods: map[string]*corev1.Pod{}}
	_, err := f.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    r.see,
		UpdateFunc: func(_, obj any) { r.see(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			r.see(obj)
		},
	})
	require.NoError(t, err)
	stop := make(chan struct{})
	f.Start(stop)
	f.WaitForCacheSync(stop)
	t.Cleanup(func() { close(stop); f.Shutdown() })
	return r
}

func (r *PodRecorder) see(obj any) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.pods[p.Name]; !seen {
		r.order = append(r.order, p.Name)
	}
	r.pods[p.Name] = p
}

// All returns the pods seen, in the order they appeared.
func (r *PodRecorder) All() []*corev1.Pod {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*corev1.Pod, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.pods[n])
	}
	return out
}

// JSON is every pod seen, for a failure message or a secret scan.
func (r *PodRecorder) JSON() string {
	b, _ := json.Marshal(r.All())
	return string(b)
}
