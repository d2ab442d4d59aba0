package placement

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	kube "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"kuberunner/executors/kubernetes/internal/kubeapi"
)

// The nodes of a cluster are read through one shared informer per API
// server and identity, like the job pods (podwatch), so that a hundred
// jobs falling back at once cost one list and one watch. It starts only
// when a fallback first needs it: a runner whose jobs never fall back
// never reads a node. It lingers informerLinger after its last job.

// nodeSyncTimeout bounds how long a fallback waits for the first list of
// nodes; past it the pod is placed as before rather than held back.
const nodeSyncTimeout = 10 * time.Second

var nodeInformers = kubeapi.NewSharedSet[*nodeInformer]()

// NodeListForbiddenError: the runner's identity may not list nodes, so no
// pod can be steered by the images nodes hold.
type NodeListForbiddenError struct{ Err error }

func (e *NodeListForbiddenError) Error() string {
	return fmt.Sprintf("the runner may not list nodes: %v", e.Err)
}

func (e *NodeListForbiddenError) Unwrap() error { return e.Err }

// nodeInformer is the shared view of a cluster's nodes.
type nodeInformer struct {
	*kubeapi.Lifecycle
	store cache.Store
}

func (inf *nodeInformer) Life() *kubeapi.Lifecycle { return inf.Lifecycle }

// acquireNodes returns the shared node view for k, starting it with the
// client newClient makes if there is none; release it when done.
func acquireNodes(k kubeapi.InformerKey, newClient func() (kube.Interface, error)) (*nodeInformer, error) {
	return nodeInformers.Acquire(k, func(ctx context.Context, l *kubeapi.Lifecycle) (*nodeInformer, error) {
		client, err := newClient()
		if err != nil {
			return nil, err
		}
		return startNodeInformer(ctx, client, l), nil
	})
}

func startNodeInformer(ctx context.Context, client kube.Interface, l *kubeapi.Lifecycle) *nodeInformer {
	inf := &nodeInformer{Lifecycle: l}
	// Patient like the pod informer's: after an API server restart the
	// reflector's own backoff would leave steering on a node list up to a
	// minute old.
	nodes := cache.NewSharedIndexInformer(kubeapi.Patient(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return client.CoreV1().Nodes().List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return client.CoreV1().Nodes().Watch(ctx, o)
		},
	}), &corev1.Node{}, 0, cache.Indexers{})
	// Only what steering reads is kept: a node's full status (conditions,
	// volumes, addresses) would multiply the memory by nodes.
	_ = nodes.SetTransform(slimNode)
	_ = nodes.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		if apierrors.IsForbidden(err) {
			// The reflector would retry for ever; RBAC rarely changes by
			// itself, and the next fallback starts a fresh informer.
			inf.FinishSync(&NodeListForbiddenError{Err: err})
			nodeInformers.Drop(inf)
			return
		}
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	inf.store = nodes.GetStore()
	go nodes.RunWithContext(ctx)
	go func() {
		if cache.WaitForCacheSync(ctx.Done(), nodes.HasSynced) {
			inf.FinishSync(nil)
		}
	}()
	return inf
}

// nodes waits, within ctx and nodeSyncTimeout, for the first list, then
// returns the nodes as the informer last saw them.
func (inf *nodeInformer) nodes(ctx context.Context) ([]*corev1.Node, error) {
	if err := inf.WaitSynced(ctx, nodeSyncTimeout, "list nodes"); err != nil {
		return nil, err
	}
	objs := inf.store.List()
	out := make([]*corev1.Node, 0, len(objs))
	for _, o := range objs {
		if n, ok := o.(*corev1.Node); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// release lets go of the node view; the last job leaves it to linger.
func (inf *nodeInformer) release() { nodeInformers.Release(inf) }

// slimNode keeps a node's name, labels, taints, cordon and image list.
func slimNode(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels, ResourceVersion: n.ResourceVersion},
		Spec:       corev1.NodeSpec{Taints: n.Spec.Taints, Unschedulable: n.Spec.Unschedulable},
		Status:     corev1.NodeStatus{Images: n.Status.Images},
	}, nil
}
