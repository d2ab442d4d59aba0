package placement

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	kube "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"kuberunner/executors/kubernetes/internal/kubeapi"
)

// TestNodeInformerShared: jobs of one identity share one informer, and it
// is gone a while after the last one.
func TestNodeInformerShared(t *testing.T) {
	fc := fake.NewClientset()
	key := kubeapi.InformerKey{Host: t.Name()}
	newFn := func() (kube.Interface, error) { return fc, nil }
	a, err := acquireNodes(key, newFn)
	require.NoError(t, err)
	b, err := acquireNodes(key, newFn)
	require.NoError(t, err)
	assert.Same(t, a, b)
	_, err = a.nodes(context.Background())
	require.NoError(t, err)
	a.release()
	b.release()
	assert.Equal(t, 1, nodeListed(fc))
}

func nodeListed(fc *fake.Clientset) int {
	n := 0
	for _, a := range fc.Actions() {
		if a.GetResource().Resource == "nodes" && a.GetVerb() == "list" {
			n++
		}
	}
	return n
}
