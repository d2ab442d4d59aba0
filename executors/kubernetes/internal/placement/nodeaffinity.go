package placement

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// hostnameLabel is the label the kubelet sets to the node's host name; it
// is what a node affinity can name a node by.
const hostnameLabel = "kubernetes.io/hostname"

// steering is the decision where one attempt's pod should go: the nodes
// that list every image the pod falls back to, and may take the pod.
// It is made by decideSteering and turned into an affinity by
// steeredAffinity, both pure, so a test can give either any decision.
type steering struct {
	Required bool
	// Hosts are the hostname labels of the chosen nodes, sorted; none
	// means the pod is placed as it would be without steering.
	Hosts []string
	// Holders: for each steered image, the nodes (by name) that may take
	// the pod and list it, sorted. An image no such node lists has none.
	Holders map[string][]string
	Images  []string // the steered images, in the pod's container order
}

// decideSteering picks, among nodes, those that list every image and
// that the scheduler could give the pod anyway: matching its node
// selector, not cordoned, with every NoSchedule/NoExecute taint tolerated.
// A node that holds an image without listing it (the kubelet lists the
// 50 largest) is not found; that is why "preferred" is the default.
func decideSteering(pod *corev1.Pod, images []string, nodes []*corev1.Node, required bool) steering {
	s := steering{Required: required, Images: images, Holders: map[string][]string{}}
	keys := make([]string, 0, len(images))
	for _, img := range images {
		// An unparseable name matches no node, and the pod goes where it
		// would have gone; the kubelet reports the name itself.
		k, _ := imageKey(img)
		keys = append(keys, k)
	}
	for _, n := range nodes {
		host := n.Labels[hostnameLabel]
		if host == "" || !mayTake(n, pod) {
			continue
		}
		held := nodeImageKeys(imageNames(n))
		all := true
		for i, k := range keys {
			if k != "" && held[k] {
				s.Holders[images[i]] = append(s.Holders[images[i]], n.Name)
			} else {
				all = false
			}
		}
		if all {
			s.Hosts = append(s.Hosts, host)
		}
	}
	sort.Strings(s.Hosts)
	for _, h := range s.Holders {
		sort.Strings(h)
	}
	return s
}

func imageNames(n *corev1.Node) []string {
	var out []string
	for _, img := range n.Status.Images {
		out = append(out, img.Names...)
	}
	return out
}

// mayTake says whether the scheduler could put the pod on the node at all,
// so that steering never points a pod at a node it cannot use: its node
// selector and the required node affinity config.toml gave it (with which
// a required steering term is ANDed) must both match.
func mayTake(n *corev1.Node, pod *corev1.Pod) bool {
	if n.Spec.Unschedulable {
		return false
	}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(n); err != nil || !ok {
		return false
	}
	for i := range n.Spec.Taints {
		taint := &n.Spec.Taints[i]
		if taint.Effect == corev1.TaintEffectPreferNoSchedule {
			continue
		}
		tolerated := false
		for j := range pod.Spec.Tolerations {
			if pod.Spec.Tolerations[j].ToleratesTaint(taint) {
				tolerated = true
				break
			}
		}
		if !tolerated {
			return false
		}
	}
	return true
}

// steeredAffinity merges the decision into the affinity a pod already
// has, returning a new value. A preference is one more weighted term. A
// requirement is added to every required term, since the terms are ORed
// and each must now also name one of the hosts.
func steeredAffinity(base *corev1.Affinity, s steering) *corev1.Affinity {
	if len(s.Hosts) == 0 {
		return base
	}
	out := base.DeepCopy()
	if out == nil {
		out = &corev1.Affinity{}
	}
	if out.NodeAffinity == nil {
		out.NodeAffinity = &corev1.NodeAffinity{}
	}
	na := out.NodeAffinity
	onHosts := corev1.NodeSelectorRequirement{Key: hostnameLabel, Operator: corev1.NodeSelectorOpIn, Values: append([]string(nil), s.Hosts...)}
	if !s.Required {
		na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution,
			corev1.PreferredSchedulingTerm{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{onHosts}}})
		return out
	}
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil || len(na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms) == 0 {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{}}}
	}
	terms := na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	for i := range terms {
		terms[i].MatchExpressions = append(terms[i].MatchExpressions, onHosts)
	}
	return out
}

// steeringLines is what the build log says about a decision: where the
// pod was steered and why, or why it was placed as before.
func steeringLines(attempt int, s steering) []string {
	var missing []string
	for _, img := range s.Images {
		if len(s.Holders[img]) == 0 {
			missing = append(missing, img)
		}
	}
	if len(missing) > 0 {
		return []string{fmt.Sprintf("No node lists image %s in its status (a node lists its %d largest images, refreshed about every 30 s); attempt %d is placed as before",
			quoteAll(missing), kubeletMaxImages, attempt)}
	}
	if len(s.Hosts) == 0 {
		return []string{fmt.Sprintf("No node lists all of %s; attempt %d is placed as before", quoteAll(s.Images), attempt)}
	}
	how := "prefers"
	if s.Required {
		how = "requires"
	}
	parts := make([]string, 0, len(s.Images))
	for _, img := range s.Images {
		verb := "holds"
		if len(s.Holders[img]) > 1 {
			verb = "hold"
		}
		parts = append(parts, fmt.Sprintf("%s %s image %q", nodeList(s.Holders[img]), verb, img))
	}
	return []string{fmt.Sprintf("Attempt %d %s a node that holds its images: %s", attempt, how, strings.Join(parts, "; "))}
}

// kubeletMaxImages is the kubelet's default nodeStatusMaxImages.
const kubeletMaxImages = 50

// nodeList names up to three nodes, so that a large pool does not flood
// the log line.
func nodeList(names []string) string {
	const shown = 3
	switch {
	case len(names) == 1:
		return "node " + names[0]
	case len(names) <= shown:
		return "nodes " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("nodes %s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}

func quoteAll(images []string) string {
	q := make([]string, len(images))
	for i, img := range images {
		q[i] = fmt.Sprintf("%q", img)
	}
	return strings.Join(q, ", ")
}
