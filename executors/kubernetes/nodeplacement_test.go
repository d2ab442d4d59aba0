package kubernetes

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kube "k8s.io/client-go/kubernetes"
	k8stesting "k8s.io/client-go/testing"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/placement"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

// placedRun runs the fallback loop on the fake cluster with a placer
// whose node informer reads fc, under its own informer key.
func placedRun(t *testing.T, fc *fakeCluster, key kubeapi.InformerKey, mode string, scripts ...attemptScript) (*lineLog, []*corev1.Pod) {
	t.Helper()
	fc.scripts = scripts
	log := &lineLog{}
	spec := testSpec(common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent})
	pulls := pull.NewManager(spec.Policies, log)
	placer := placement.New(mode, key, func() (kube.Interface, error) { return fc, nil }, pulls, log)
	defer placer.Close()
	loop := &attemptLoop{
		client: fc, spec: spec, secrets: podspec.PodSecrets{Variables: "s", Pull: steeredPullSecrets}, watch: podwatch.New(fc.watch), log: log,
		pulls: pulls, timeout: time.Minute, created: func() {}, place: placer.Place,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := loop.run(ctx)
	require.NoError(t, err, log.text())
	fc.mu.Lock()
	defer fc.mu.Unlock()
	pods := fc.pods
	fc.pods = nil
	for _, p := range pods {
		assert.Equal(t, steeredPullSecrets, p.Spec.ImagePullSecrets, "pod %s: steering keeps the job's pull secrets", p.Name)
	}
	return log, pods
}

// steeredPullSecrets are those of a job with registry credentials: every
// pod, steered or not, names them.
var steeredPullSecrets = []corev1.LocalObjectReference{{Name: "corp"}, {Name: "r-job-7-registry-x"}}

// nodeHolding is a node that lists images, labelled as the kubelet labels it.
func nodeHolding(name string, images ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}}}
	n.Status.Images = []corev1.ContainerImage{{Names: images}}
	return n
}

func nodeListed(fc *fakeCluster) int {
	n := 0
	for _, a := range fc.Actions() {
		if a.GetResource().Resource == "nodes" && a.GetVerb() == "list" {
			n++
		}
	}
	return n
}

func TestNodePlacement(t *testing.T) {
	refused := waitingFor("ErrImagePull", "dial tcp 127.0.0.1:5000: connect: connection refused")
	buildFails := attemptScript{created: statuses{with(starting, podspec.BuildContainer, refused)}}
	startsAtOnce := attemptScript{created: statuses{up}}

	t.Run("the fallback pod prefers the node that holds the image", func(t *testing.T) {
		fc := newFakeCluster()
		for _, n := range []*corev1.Node{nodeHolding("holder", "reg/build:1"), nodeHolding("empty")} {
			_, err := fc.CoreV1().Nodes().Create(context.Background(), n, metav1.CreateOptions{})
			require.NoError(t, err)
		}
		log, pods := placedRun(t, fc, kubeapi.InformerKey{Host: t.Name()}, config.NodeAffinityPreferred, buildFails, startsAtOnce)
		require.Len(t, pods, 2)
		assert.Nil(t, pods[0].Spec.Affinity, "attempt 1 is placed as before")
		preferHolder := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{
			Weight:     100,
			Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{"holder"}}}},
		}}}}
		assert.Equal(t, preferHolder, pods[1].Spec.Affinity)
		assert.Contains(t, log.text(), `Attempt 2 prefers a node that holds its images: node holder holds image "reg/build:1"`)
		assert.Equal(t, 1, nodeListed(fc))
	})

	t.Run("no fallback, no node read", func(t *testing.T) {
		fc := newFakeCluster()
		_, pods := placedRun(t, fc, kubeapi.InformerKey{Host: t.Name()}, config.NodeAffinityPreferred, startsAtOnce)
		require.Len(t, pods, 1)
		assert.Zero(t, nodeListed(fc))
	})

	t.Run("off", func(t *testing.T) {
		fc := newFakeCluster()
		_, err := fc.CoreV1().Nodes().Create(context.Background(), nodeHolding("holder", "reg/build:1"), metav1.CreateOptions{})
		require.NoError(t, err)
		_, pods := placedRun(t, fc, kubeapi.InformerKey{Host: t.Name()}, config.NodeAffinityOff, buildFails, startsAtOnce)
		require.Len(t, pods, 2)
		assert.Nil(t, pods[1].Spec.Affinity)
		assert.Zero(t, nodeListed(fc))
	})

	t.Run("no node lists the image", func(t *testing.T) {
		fc := newFakeCluster()
		_, err := fc.CoreV1().Nodes().Create(context.Background(), nodeHolding("empty"), metav1.CreateOptions{})
		require.NoError(t, err)
		log, pods := placedRun(t, fc, kubeapi.InformerKey{Host: t.Name()}, config.NodeAffinityRequired, buildFails, startsAtOnce)
		require.Len(t, pods, 2)
		assert.Nil(t, pods[1].Spec.Affinity)
		assert.Contains(t, log.text(), `No node lists image "reg/build:1" in its status`)
	})

	t.Run("forbidden: one warning per identity, the jobs go on", func(t *testing.T) {
		fc := newFakeCluster()
		fc.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", errors.New(`User "system:serviceaccount:ci:runner" cannot list resource "nodes"`))
		})
		key := kubeapi.InformerKey{Host: t.Name(), Identity: "runner"}
		first, pods := placedRun(t, fc, key, config.NodeAffinityPreferred, buildFails, startsAtOnce)
		require.Len(t, pods, 2)
		assert.Nil(t, pods[1].Spec.Affinity)
		assert.Equal(t, 1, strings.Count(first.text(), "WARNING: Cannot steer fallback pods"), first.text())
		assert.Contains(t, first.text(), "Attempt 2 is placed as before: the runner may not list nodes")

		second, pods := placedRun(t, fc, key, config.NodeAffinityPreferred, buildFails, startsAtOnce)
		require.Len(t, pods, 2)
		assert.NotContains(t, second.text(), "WARNING: Cannot steer", "the warning is once per identity, not per job")
		assert.Contains(t, second.text(), "Attempt 2 is placed as before: the runner may not list nodes")
	})
}
