package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Taint effects a toleration may name; "" tolerates every effect.
var tolerationEffects = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}

// Toleration is one entry of node_tolerations in the API's terms, kept
// free of k8s.io/api so the config package stays a leaf; the executor turns
// it into a corev1.Toleration.
type Toleration struct {
	Key string
	// Operator is "Equal" when the entry was "key=value", "Exists" when it
	// was a bare "key".
	Operator string
	Value    string
	Effect   string
}

// ParseToleration reads one node_tolerations entry: the table key is
// "key=value" (the taint's value must match; "key=" matches an empty
// value) or "key" (any value), the table value the taint effect.
func ParseToleration(entry, effect string) (Toleration, error) {
	key, value, equal := strings.Cut(entry, "=")
	t := Toleration{Key: key, Operator: "Exists", Effect: effect}
	if equal {
		t.Operator, t.Value = "Equal", value
	}
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return t, fmt.Errorf("taint key %q: %s", key, strings.Join(errs, "; "))
	}
	if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
		return t, fmt.Errorf("taint value %q: %s", value, strings.Join(errs, "; "))
	}
	if effect != "" && !slices.Contains(tolerationEffects, effect) {
		return t, fmt.Errorf("taint effect %q is not one of %s", effect, strings.Join(tolerationEffects, ", "))
	}
	return t, nil
}

// Tolerations are node_tolerations in key order, so that the pod spec,
// and its golden file, does not depend on Go's map order. A config that
// did not come through Load may hold an entry the validator would have
// refused; it is an error here too.
func (k *KubernetesConfig) Tolerations() ([]Toleration, error) {
	keys := make([]string, 0, len(k.NodeTolerations))
	for key := range k.NodeTolerations {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var out []Toleration
	for _, key := range keys {
		t, err := ParseToleration(key, k.NodeTolerations[key])
		if err != nil {
			return nil, fmt.Errorf("node_tolerations: %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// toleration reports a node_tolerations entry the API server would refuse.
func (d *decoder) toleration(p keyPath, entry, effect string) {
	if _, err := ParseToleration(entry, effect); err != nil {
		d.fail(p, &Error{
			Value: entry + " = " + fmt.Sprintf("%q", effect), Msg: err.Error(),
			Allowed: `"key=value" = "EFFECT" or "key" = "EFFECT", where EFFECT is NoSchedule, PreferNoSchedule, NoExecute or "" (every effect)`,
			Err:     err,
		})
	}
}
