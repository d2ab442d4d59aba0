package placement

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/golden"
	"kuberunner/executors/kubernetes/internal/podspec"
)

const testDigest = "sha256:6457d53fb065d6f250e1504b9bc42d5b6c65941d57532c072d929dd0628977d0"

// node is a node as the informer keeps it, holding images under names.
func node(name string, names ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{hostnameLabel: name}}}
	if len(names) > 0 {
		n.Status.Images = []corev1.ContainerImage{{Names: names}}
	}
	return n
}

func withLabel(n *corev1.Node, k, v string) *corev1.Node { n.Labels[k] = v; return n }

func withTaint(n *corev1.Node, key, value string, effect corev1.TaintEffect) *corev1.Node {
	n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: key, Value: value, Effect: effect})
	return n
}

func cordoned(n *corev1.Node) *corev1.Node { n.Spec.Unschedulable = true; return n }

func TestDecideSteering(t *testing.T) {
	const img = "127.0.0.1:5000/app:v1"
	plain := &corev1.Pod{}
	selecting := &corev1.Pod{Spec: corev1.PodSpec{NodeSelector: map[string]string{"pool": "ci"}}}
	tolerating := &corev1.Pod{Spec: corev1.PodSpec{Tolerations: []corev1.Toleration{{Key: "ci", Operator: corev1.TolerationOpEqual, Value: "true", Effect: corev1.TaintEffectNoSchedule}}}}
	zoned := &corev1.Pod{Spec: corev1.PodSpec{Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}},
		}}},
	}}}}
	tests := []struct {
		name    string
		pod     *corev1.Pod
		images  []string
		nodes   []*corev1.Node
		hosts   []string
		holders map[string][]string
	}{
		{
			name: "by tag", pod: plain, images: []string{img},
			nodes: []*corev1.Node{node("b", img), node("empty"), node("a", "127.0.0.1:5000/app@"+testDigest, img)},
			hosts: []string{"a", "b"}, holders: map[string][]string{img: {"a", "b"}},
		},
		{
			name: "a short name as the kubelet lists it", pod: plain, images: []string{"alpine"},
			nodes: []*corev1.Node{node("a", "docker.io/library/alpine:latest"), node("b", "docker.io/library/alpine:3.20")},
			hosts: []string{"a"}, holders: map[string][]string{"alpine": {"a"}},
		},
		{
			name: "by digest, whatever the tag", pod: plain, images: []string{"127.0.0.1:5000/app:v2@" + testDigest},
			nodes: []*corev1.Node{node("a", "127.0.0.1:5000/app@"+testDigest, "127.0.0.1:5000/app:v1"), node("b", "127.0.0.1:5000/app:v2")},
			hosts: []string{"a"}, holders: map[string][]string{"127.0.0.1:5000/app:v2@" + testDigest: {"a"}},
		},
		{
			name: "no node lists it", pod: plain, images: []string{img},
			nodes:   []*corev1.Node{node("a", "127.0.0.1:5000/app:v2"), node("b")},
			holders: map[string][]string{},
		},
		{
			name: "two images: only nodes that hold both", pod: plain, images: []string{img, "helper:1"},
			nodes: []*corev1.Node{node("a", img), node("b", img, "docker.io/library/helper:1"), node("c", "docker.io/library/helper:1")},
			hosts: []string{"b"}, holders: map[string][]string{img: {"a", "b"}, "helper:1": {"b", "c"}},
		},
		{
			name: "the node selector excludes a holder", pod: selecting, images: []string{img},
			nodes: []*corev1.Node{node("a", img), withLabel(node("b", img), "pool", "ci")},
			hosts: []string{"b"}, holders: map[string][]string{img: {"b"}},
		},
		{
			name: "config.toml's required node affinity excludes a holder", pod: zoned, images: []string{img},
			nodes: []*corev1.Node{withLabel(node("a", img), "zone", "b"), withLabel(node("b", img), "zone", "a")},
			hosts: []string{"b"}, holders: map[string][]string{img: {"b"}},
		},
		{
			name: "cordoned and untolerated nodes are left out", pod: plain, images: []string{img},
			nodes: []*corev1.Node{cordoned(node("a", img)), withTaint(node("b", img), "ci", "true", corev1.TaintEffectNoSchedule),
				withTaint(node("c", img), "slow", "", corev1.TaintEffectPreferNoSchedule)},
			hosts: []string{"c"}, holders: map[string][]string{img: {"c"}},
		},
		{
			name: "a tolerated taint", pod: tolerating, images: []string{img},
			nodes: []*corev1.Node{withTaint(node("b", img), "ci", "true", corev1.TaintEffectNoSchedule)},
			hosts: []string{"b"}, holders: map[string][]string{img: {"b"}},
		},
		{
			name: "a node without a hostname label cannot be named", pod: plain, images: []string{img},
			nodes:   []*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{img}}}}}},
			holders: map[string][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decideSteering(tt.pod, tt.images, tt.nodes, false)
			assert.Equal(t, tt.hosts, s.Hosts)
			assert.Equal(t, tt.holders, s.Holders)
		})
	}
}

func TestSteeredAffinity(t *testing.T) {
	onZone := corev1.NodeSelectorRequirement{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"z1"}}
	onSSD := corev1.NodeSelectorRequirement{Key: "disk", Operator: corev1.NodeSelectorOpIn, Values: []string{"ssd"}}
	onHosts := corev1.NodeSelectorRequirement{Key: hostnameLabel, Operator: corev1.NodeSelectorOpIn, Values: []string{"a", "b"}}
	existing := func() *corev1.Affinity {
		return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{
				{MatchExpressions: []corev1.NodeSelectorRequirement{onZone}},
				{MatchExpressions: []corev1.NodeSelectorRequirement{onSSD}},
			}},
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 10, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{onSSD}}}},
		}}
	}
	tests := []struct {
		name string
		base *corev1.Affinity
		s    steering
		want *corev1.Affinity
	}{
		{name: "no hosts: unchanged", base: existing(), s: steering{Required: true}, want: existing()},
		{name: "no hosts, no affinity", s: steering{}, want: nil},
		{
			name: "preferred, no affinity", s: steering{Hosts: []string{"a", "b"}},
			want: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{
				{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{onHosts}}}}}},
		},
		{
			name: "required, no affinity", s: steering{Required: true, Hosts: []string{"a", "b"}},
			want: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{onHosts}}}}}},
		},
		{
			name: "preferred adds a term to the existing ones", base: existing(), s: steering{Hosts: []string{"a", "b"}},
			want: func() *corev1.Affinity {
				a := existing()
				a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
					corev1.PreferredSchedulingTerm{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{onHosts}}})
				return a
			}(),
		},
		{
			name: "required narrows every ORed term", base: existing(), s: steering{Required: true, Hosts: []string{"a", "b"}},
			want: func() *corev1.Affinity {
				a := existing()
				terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
				terms[0].MatchExpressions = append(terms[0].MatchExpressions, onHosts)
				terms[1].MatchExpressions = append(terms[1].MatchExpressions, onHosts)
				return a
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *corev1.Affinity
			if tt.base != nil {
				before = tt.base.DeepCopy()
			}
			got := steeredAffinity(tt.base, tt.s)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, before, tt.base, "the base must not be changed")
		})
	}
}

func TestSteeringLines(t *testing.T) {
	const img = "127.0.0.1:5000/app:v1"
	tests := []struct {
		name string
		s    steering
		want string
	}{
		{"one node", steering{Images: []string{img}, Hosts: []string{"n1"}, Holders: map[string][]string{img: {"n1"}}},
			`Attempt 2 prefers a node that holds its images: node n1 holds image "127.0.0.1:5000/app:v1"`},
		{"required, many nodes", steering{Required: true, Images: []string{img}, Hosts: []string{"a", "b", "c", "d", "e"}, Holders: map[string][]string{img: {"a", "b", "c", "d", "e"}}},
			`Attempt 2 requires a node that holds its images: nodes a, b, c and 2 more hold image "127.0.0.1:5000/app:v1"`},
		{"none", steering{Images: []string{img}, Holders: map[string][]string{}},
			`No node lists image "127.0.0.1:5000/app:v1" in its status (a node lists its 50 largest images, refreshed about every 30 s); attempt 2 is placed as before`},
		{"not together", steering{Images: []string{img, "h:1"}, Holders: map[string][]string{img: {"a"}, "h:1": {"b"}}},
			`No node lists all of "127.0.0.1:5000/app:v1", "h:1"; attempt 2 is placed as before`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []string{tt.want}, steeringLines(2, tt.s))
		})
	}
}

// TestSteeredPod pins the whole fallback pod, affinity and all, in
// testdata like TestBuildPod does for the unsteered ones.
func TestSteeredPod(t *testing.T) {
	job := &common.Job{ID: 42, Steps: []common.Step{{Name: common.StepScript, Script: []string{"echo Done"}, When: common.WhenOnSuccess}}}
	cfg := config.KubernetesConfig{
		Namespace: "ci", Image: "127.0.0.1:5000/busybox:1", HelperImage: "127.0.0.1:5000/kuberunner-helper:latest",
		PullPolicy:      common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
		NodeSelector:    map[string]string{"kubernetes.io/os": "linux"},
		NodeTolerations: map[string]string{"kuberunner.test/fake-node=true": "NoSchedule"},
	}
	for _, required := range []bool{false, true} {
		name := "steered-preferred"
		if required {
			name = "steered-required"
		}
		t.Run(name, func(t *testing.T) {
			runner := &config.RunnerConfig{Name: "local runner", Kubernetes: &cfg}
			spec, err := podspec.NewJobSpec(job, runner, &cfg, "42-abcdef", nil)
			require.NoError(t, err)
			// The fallback pod of a job with registry credentials:
			// steering changes its affinity and keeps its pull secrets.
			secrets := podspec.PodSecrets{Variables: "runner-local-runner-job-42-secret",
				Pull: []corev1.LocalObjectReference{{Name: "runner-local-runner-job-42-registry-x7k2p"}}}
			pod := podspec.BuildPod(spec, secrets, 2, func(string) common.PullPolicy { return common.PullPolicyIfNotPresent })
			nodes := []*corev1.Node{
				withLabel(node("kuberunner-node", "127.0.0.1:5000/busybox:1", "127.0.0.1:5000/kuberunner-helper:latest"), "kubernetes.io/os", "linux"),
				withLabel(node("empty"), "kubernetes.io/os", "linux"),
			}
			s := decideSteering(pod, []string{"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/kuberunner-helper:latest"}, nodes, required)
			pod.Spec.Affinity = steeredAffinity(pod.Spec.Affinity, s)
			golden.Require(t, "pod-"+name+".yaml", pod)
		})
	}
}

// Steering adds to the affinity config.toml gives the pod and never
// replaces it: the configured preference stays beside the steering one,
// and a required steering term is ANDed into each configured term.
func TestSteeredPodKeepsConfiguredAffinity(t *testing.T) {
	job := &common.Job{ID: 42, Steps: []common.Step{{Name: common.StepScript, Script: []string{"echo Done"}, When: common.WhenOnSuccess}}}
	cfg := config.KubernetesConfig{
		Namespace: "ci", Image: "127.0.0.1:5000/busybox:1", HelperImage: "127.0.0.1:5000/kuberunner-helper:latest",
		PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
		Affinity: config.KubernetesAffinity{NodeAffinity: &config.NodeAffinity{
			Required: &config.NodeSelector{Terms: []config.NodeSelectorTerm{
				{MatchExpressions: []config.SelectorRequirement{{Key: "zone", Operator: "In", Values: []string{"a"}}}},
				{MatchExpressions: []config.SelectorRequirement{{Key: "pool", Operator: "Exists"}}},
			}},
			Preferred: []config.PreferredSchedulingTerm{{Weight: 10, Preference: config.NodeSelectorTerm{
				MatchExpressions: []config.SelectorRequirement{{Key: "disk", Operator: "In", Values: []string{"ssd"}}}}}},
		}},
	}
	for _, required := range []bool{false, true} {
		name := "steered-affinity-preferred"
		if required {
			name = "steered-affinity-required"
		}
		t.Run(name, func(t *testing.T) {
			runner := &config.RunnerConfig{Name: "local runner", Kubernetes: &cfg}
			spec, err := podspec.NewJobSpec(job, runner, &cfg, "42-abcdef", nil)
			require.NoError(t, err)
			pod := podspec.BuildPod(spec, podspec.PodSecrets{Variables: "secret"}, 2, func(string) common.PullPolicy { return common.PullPolicyIfNotPresent })
			nodes := []*corev1.Node{withLabel(node("a1", "127.0.0.1:5000/busybox:1", "127.0.0.1:5000/kuberunner-helper:latest"), "zone", "a")}
			s := decideSteering(pod, []string{"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/kuberunner-helper:latest"}, nodes, required)
			pod.Spec.Affinity = steeredAffinity(pod.Spec.Affinity, s)
			golden.Require(t, "pod-"+name+".yaml", pod)
			again := podspec.BuildPod(spec, podspec.PodSecrets{Variables: "secret"}, 3, func(string) common.PullPolicy { return common.PullPolicyIfNotPresent })
			assert.Len(t, again.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution, 1, "the spec's affinity is not changed by steering a pod")
		})
	}
}
