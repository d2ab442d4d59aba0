package config

import (
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// KubernetesAffinity is [runners.kubernetes.affinity], GitLab Runner's
// shape of the pod API's affinity, in snake_case. The executor turns it
// into the pod's affinity; a fallback pod's steering (placement) adds to
// it and never replaces it.
type KubernetesAffinity struct {
	NodeAffinity    *NodeAffinity `toml:"node_affinity"`
	PodAffinity     *PodAffinity  `toml:"pod_affinity"`
	PodAntiAffinity *PodAffinity  `toml:"pod_anti_affinity"`
}

// IsZero says whether no affinity is configured.
func (a KubernetesAffinity) IsZero() bool {
	return a.NodeAffinity == nil && a.PodAffinity == nil && a.PodAntiAffinity == nil
}

// NodeAffinity is affinity.node_affinity.
type NodeAffinity struct {
	Required  *NodeSelector             `toml:"required_during_scheduling_ignored_during_execution"`
	Preferred []PreferredSchedulingTerm `toml:"preferred_during_scheduling_ignored_during_execution"`
}

// NodeSelector is a list of terms, any of which a node must match.
type NodeSelector struct {
	Terms []NodeSelectorTerm `toml:"node_selector_terms"`
}

// NodeSelectorTerm matches a node when all its requirements do.
type NodeSelectorTerm struct {
	MatchExpressions []SelectorRequirement `toml:"match_expressions"`
	MatchFields      []SelectorRequirement `toml:"match_fields"`
}

// PreferredSchedulingTerm is a weighted preference, weight 1 to 100.
type PreferredSchedulingTerm struct {
	Weight     int              `toml:"weight"`
	Preference NodeSelectorTerm `toml:"preference"`
}

// SelectorRequirement is one key, operator and values, of a node selector
// term or of a label selector.
type SelectorRequirement struct {
	Key      string   `toml:"key"`
	Operator string   `toml:"operator"`
	Values   []string `toml:"values"`
}

// PodAffinity is affinity.pod_affinity and affinity.pod_anti_affinity.
type PodAffinity struct {
	Required  []PodAffinityTerm         `toml:"required_during_scheduling_ignored_during_execution"`
	Preferred []WeightedPodAffinityTerm `toml:"preferred_during_scheduling_ignored_during_execution"`
}

// PodAffinityTerm selects pods by labels, in namespaces, on a topology.
type PodAffinityTerm struct {
	LabelSelector     *LabelSelector `toml:"label_selector"`
	TopologyKey       string         `toml:"topology_key"`
	Namespaces        []string       `toml:"namespaces"`
	NamespaceSelector *LabelSelector `toml:"namespace_selector"`
}

// WeightedPodAffinityTerm is a preferred pod (anti-)affinity.
type WeightedPodAffinityTerm struct {
	Weight          int             `toml:"weight"`
	PodAffinityTerm PodAffinityTerm `toml:"pod_affinity_term"`
}

// LabelSelector is a label query.
type LabelSelector struct {
	MatchLabels      map[string]string     `toml:"match_labels"`
	MatchExpressions []SelectorRequirement `toml:"match_expressions"`
}

// The operators each kind of requirement takes, as the pod API spells
// them.
var (
	NodeSelectorOperators  = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}
	LabelSelectorOperators = []string{"In", "NotIn", "Exists", "DoesNotExist"}
)

// affinity checks the whole table as the API server would, so that a
// mistake stops config check rather than every job's pod.
func (d *decoder) affinity(p keyPath, a KubernetesAffinity) {
	p = p.child("affinity")
	if na := a.NodeAffinity; na != nil {
		np := p.child("node_affinity")
		if na.Required != nil {
			rp := np.child("required_during_scheduling_ignored_during_execution")
			if len(na.Required.Terms) == 0 {
				d.fail(rp, &Error{Msg: "a required node affinity needs node_selector_terms", Allowed: "one or more [[...node_selector_terms]], any of which a node must match"})
			}
			for i, t := range na.Required.Terms {
				d.nodeTerm(rp.child("node_selector_terms").at(i), t)
			}
		}
		for i, t := range na.Preferred {
			tp := np.child("preferred_during_scheduling_ignored_during_execution").at(i)
			d.weight(tp, t.Weight)
			d.nodeTerm(tp.child("preference"), t.Preference)
		}
	}
	d.podAffinity(p.child("pod_affinity"), a.PodAffinity)
	d.podAffinity(p.child("pod_anti_affinity"), a.PodAntiAffinity)
}

// weight reports a term without one; a weight over 100 was reported as
// it was decoded (ranges.go).
func (d *decoder) weight(p keyPath, w int) {
	if w == 0 {
		d.fail(p.child("weight"), &Error{Value: "0", Msg: "a preferred term needs a weight", Allowed: "1 to 100"})
	}
}

func (d *decoder) nodeTerm(p keyPath, t NodeSelectorTerm) {
	for i, r := range t.MatchExpressions {
		d.requirement(p.child("match_expressions").at(i), r, NodeSelectorOperators)
	}
	for i, r := range t.MatchFields {
		rp := p.child("match_fields").at(i)
		if r.Key != "metadata.name" || (r.Operator != "In" && r.Operator != "NotIn") || len(r.Values) != 1 {
			d.fail(rp, &Error{Value: r.Key, Msg: "the API server takes one kind of field requirement only", Allowed: `key = "metadata.name", operator In or NotIn, exactly one value`})
		}
	}
}

// requirement checks one key, operator and values against ops, the
// operators of its kind (Gt and Lt, of node terms, take one integer).
func (d *decoder) requirement(p keyPath, r SelectorRequirement, ops []string) {
	d.check(p.child("key"), r.Key, "a label key", validation.IsQualifiedName(r.Key))
	d.oneOf(p.child("operator"), r.Operator, ops)
	n := len(r.Values)
	switch r.Operator {
	case "In", "NotIn":
		if n == 0 {
			d.fail(p.child("values"), &Error{Msg: r.Operator + " needs values", Allowed: "one or more values"})
		}
	case "Exists", "DoesNotExist":
		if n > 0 {
			d.fail(p.child("values"), &Error{Msg: r.Operator + " takes no values", Allowed: "no values"})
		}
	case "Gt", "Lt":
		if _, err := strconv.ParseInt(strings.Join(r.Values, ""), 10, 64); n != 1 || err != nil {
			d.fail(p.child("values"), &Error{Value: strings.Join(r.Values, ","), Msg: r.Operator + " takes exactly one integer", Allowed: "one integer value"})
		}
	}
	for i, v := range r.Values {
		if !slices.Contains([]string{"Gt", "Lt"}, r.Operator) {
			d.check(p.child("values").at(i), v, "a label value", validation.IsValidLabelValue(v))
		}
	}
}

func (d *decoder) podAffinity(p keyPath, a *PodAffinity) {
	if a == nil {
		return
	}
	for i, t := range a.Required {
		d.podTerm(p.child("required_during_scheduling_ignored_during_execution").at(i), t)
	}
	for i, t := range a.Preferred {
		tp := p.child("preferred_during_scheduling_ignored_during_execution").at(i)
		d.weight(tp, t.Weight)
		d.podTerm(tp.child("pod_affinity_term"), t.PodAffinityTerm)
	}
}

func (d *decoder) podTerm(p keyPath, t PodAffinityTerm) {
	if t.TopologyKey == "" {
		d.fail(p.child("topology_key"), &Error{Msg: "a pod affinity term needs a topology_key", Allowed: `a node label key such as "kubernetes.io/hostname" or "topology.kubernetes.io/zone"`})
	} else {
		d.check(p.child("topology_key"), t.TopologyKey, "a label key", validation.IsQualifiedName(t.TopologyKey))
	}
	for i, ns := range t.Namespaces {
		d.check(p.child("namespaces").at(i), ns, "a namespace name", validation.IsDNS1123Label(ns))
	}
	d.labelSelector(p.child("label_selector"), t.LabelSelector)
	d.labelSelector(p.child("namespace_selector"), t.NamespaceSelector)
}

func (d *decoder) labelSelector(p keyPath, s *LabelSelector) {
	if s == nil {
		return
	}
	for key, value := range s.MatchLabels {
		d.label(p.child("match_labels").child(key), key, value)
	}
	for i, r := range s.MatchExpressions {
		d.requirement(p.child("match_expressions").at(i), r, LabelSelectorOperators)
	}
}
