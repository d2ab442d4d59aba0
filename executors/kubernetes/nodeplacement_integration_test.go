//go:build integration

package kubernetes

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/pull"
	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

// twoNodes is a pool of two nodes during a registry outage: the real node
// holds the job's image and the helper; a fake node, empty and large, so
// that the scheduler's resource scoring prefers it, holds nothing and
// fails every pull as a real node without the images would.
type twoNodes struct {
	ns, image, fake string
	fakePulls       *clustertest.PullFailer
}

func newTwoNodes(t testing.TB, base string) twoNodes {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, base))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	// Steering reads what nodes list, which lags what they hold.
	clustertest.WaitNodeListsImage(t, localcluster.NodeName, img, 2*time.Minute)
	clustertest.WaitNodeListsImage(t, localcluster.NodeName, localcluster.HelperImage, 2*time.Minute)
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	fake := "kuberunner-fake-" + hex.EncodeToString(b)
	clustertest.FakeNode(t, fake)
	pulls := clustertest.FailPulls(t, fake)
	clustertest.StopRegistry(t)
	return twoNodes{ns: ns, image: img, fake: fake, fakePulls: pulls}
}

// config lets the job onto the fake node; other tests' jobs stay off it.
func (tn twoNodes) config(mode string) config.KubernetesConfig {
	return config.KubernetesConfig{
		Image: tn.image, PullPolicy: alwaysThenCached, PullPolicyNodeAffinity: mode, PollTimeout: 60,
		NodeTolerations: map[string]string{clustertest.FakeNodeToleration: "NoSchedule"},
	}
}

// fallbacksOnFake names the pods bound to the fake node whose build image
// had fallen back to if-not-present.
func (tn twoNodes) fallbacksOnFake() []string {
	var out []string
	for _, p := range tn.fakePulls.Bound() {
		for _, c := range p.Spec.Containers {
			if c.Name == podspec.BuildContainer && c.ImagePullPolicy == corev1.PullIfNotPresent {
				out = append(out, fmt.Sprintf("%s (attempt %s, affinity %v)", p.Name, p.Labels[podspec.AttemptLabel], p.Spec.Affinity))
			}
		}
	}
	return out
}

// Without steering, the fallback pod goes where the scheduler's scoring
// sends it: the empty node, which lacks the image. The job fails although
// a node of the pool holds the image.
func TestFallbackWithoutSteeringLandsOnEmptyNode(t *testing.T) {
	tn := newTwoNodes(t, "unsteered")
	r := runOnCluster(t, tn.ns, tn.config(config.NodeAffinityOff), &common.Job{ID: 30})
	requireBuildError(t, r.err, common.ImagePullFailure)
	require.ErrorIs(t, r.err, pull.ErrPoliciesExhausted)
	require.NotContains(t, r.log, "holds image")
	onFake := tn.fallbacksOnFake()
	require.Len(t, onFake, 1, "the if-not-present pod must have been bound to the empty node %s", tn.fake)
	require.Contains(t, onFake[0], "affinity nil")
}

// With steering, every fallback pod goes to the node that holds the image,
// however often the first attempt lands on the empty node.
func TestFallbackSteeredToNodeWithImage(t *testing.T) {
	tn := newTwoNodes(t, "steered")
	const runs = 20
	for i := 0; i < runs; i++ {
		mode := "" // the default, preferred
		if i == runs-1 {
			mode = config.NodeAffinityRequired
		}
		t.Run(fmt.Sprintf("run-%02d-%s", i+1, cmp.Or(mode, "default")), func(t *testing.T) {
			r := runOnCluster(t, tn.ns, tn.config(mode), &common.Job{ID: int64(100 + i)})
			require.NoError(t, r.err)
			require.GreaterOrEqual(t, r.exec.stats.attempts, 2)
			require.Equal(t, localcluster.NodeName, r.exec.pod.Spec.NodeName, "the fallback pod must run on the node that holds the image")
			require.Contains(t, r.log, fmt.Sprintf("node %s holds image %q", localcluster.NodeName, tn.image))
			if mode == config.NodeAffinityRequired {
				require.Contains(t, r.log, "requires a node that holds its images")
			}
		})
	}
	require.Empty(t, tn.fallbacksOnFake(), "no fallback pod may be bound to the empty node")
	t.Logf("%d runs: %d first attempts were bound to the empty node %s, every fallback pod ran on %s",
		runs, len(tn.fakePulls.Bound()), tn.fake, localcluster.NodeName)
}
