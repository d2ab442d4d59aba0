package podspec

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common/config"
)

// affinity is [runners.kubernetes.affinity] in the pod API's terms; nil
// when none is configured. A fallback pod's steering adds to it
// (placement.steeredAffinity) and never replaces it.
func affinity(a config.KubernetesAffinity) *corev1.Affinity {
	if a.IsZero() {
		return nil
	}
	out := &corev1.Affinity{}
	if na := a.NodeAffinity; na != nil {
		out.NodeAffinity = &corev1.NodeAffinity{}
		if na.Required != nil {
			out.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{NodeSelectorTerms: nodeTerms(na.Required.Terms)}
		}
		for _, p := range na.Preferred {
			out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
				corev1.PreferredSchedulingTerm{Weight: int32(p.Weight), Preference: nodeTerm(p.Preference)})
		}
	}
	if a.PodAffinity != nil {
		req, pref := podTerms(a.PodAffinity)
		out.PodAffinity = &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: req, PreferredDuringSchedulingIgnoredDuringExecution: pref}
	}
	if a.PodAntiAffinity != nil {
		req, pref := podTerms(a.PodAntiAffinity)
		out.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: req, PreferredDuringSchedulingIgnoredDuringExecution: pref}
	}
	return out
}

func nodeTerms(ts []config.NodeSelectorTerm) []corev1.NodeSelectorTerm {
	out := make([]corev1.NodeSelectorTerm, 0, len(ts))
	for _, t := range ts {
		out = append(out, nodeTerm(t))
	}
	return out
}

func nodeTerm(t config.NodeSelectorTerm) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: nodeRequirements(t.MatchExpressions), MatchFields: nodeRequirements(t.MatchFields)}
}

func nodeRequirements(rs []config.SelectorRequirement) []corev1.NodeSelectorRequirement {
	var out []corev1.NodeSelectorRequirement
	for _, r := range rs {
		out = append(out, corev1.NodeSelectorRequirement{Key: r.Key, Operator: corev1.NodeSelectorOperator(r.Operator), Values: r.Values})
	}
	return out
}

func podTerms(a *config.PodAffinity) ([]corev1.PodAffinityTerm, []corev1.WeightedPodAffinityTerm) {
	var req []corev1.PodAffinityTerm
	for _, t := range a.Required {
		req = append(req, podTerm(t))
	}
	var pref []corev1.WeightedPodAffinityTerm
	for _, t := range a.Preferred {
		pref = append(pref, corev1.WeightedPodAffinityTerm{Weight: int32(t.Weight), PodAffinityTerm: podTerm(t.PodAffinityTerm)})
	}
	return req, pref
}

func podTerm(t config.PodAffinityTerm) corev1.PodAffinityTerm {
	return corev1.PodAffinityTerm{
		LabelSelector: labelSelector(t.LabelSelector), TopologyKey: t.TopologyKey,
		Namespaces: t.Namespaces, NamespaceSelector: labelSelector(t.NamespaceSelector),
	}
}

func labelSelector(s *config.LabelSelector) *metav1.LabelSelector {
	if s == nil {
		return nil
	}
	out := &metav1.LabelSelector{MatchLabels: s.MatchLabels}
	for _, r := range s.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOperator(r.Operator), Values: r.Values})
	}
	return out
}
