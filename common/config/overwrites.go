package config

import (
	"fmt"
	"regexp"
)

// KubernetesOverwrites are the regular expressions that let a job change a
// setting with a variable, GitLab Runner's keys and meaning: empty turns
// the overwrite off, and a value the expression does not match (anywhere
// in it: the expressions are not anchored, as on GitLab Runner) fails the
// job. The variables are the executor's (podspec/overwrites.go).
type KubernetesOverwrites struct {
	// NamespaceOverwriteAllowed checks KUBERNETES_NAMESPACE_OVERWRITE.
	NamespaceOverwriteAllowed string `toml:"namespace_overwrite_allowed"`
	// ServiceAccountOverwriteAllowed checks
	// KUBERNETES_SERVICE_ACCOUNT_OVERWRITE.
	ServiceAccountOverwriteAllowed string `toml:"service_account_overwrite_allowed"`
	// The map overwrites check each KUBERNETES_POD_LABELS_*,
	// KUBERNETES_POD_ANNOTATIONS_* or KUBERNETES_NODE_SELECTOR_* value, a
	// whole "key=value".
	PodLabelsOverwriteAllowed      string `toml:"pod_labels_overwrite_allowed"`
	PodAnnotationsOverwriteAllowed string `toml:"pod_annotations_overwrite_allowed"`
	NodeSelectorOverwriteAllowed   string `toml:"node_selector_overwrite_allowed"`
}

// overwriteKeys pairs each key with its value, for the checks.
func (o *KubernetesOverwrites) overwriteKeys() []struct{ key, value string } {
	return []struct{ key, value string }{
		{"namespace_overwrite_allowed", o.NamespaceOverwriteAllowed},
		{"service_account_overwrite_allowed", o.ServiceAccountOverwriteAllowed},
		{"pod_labels_overwrite_allowed", o.PodLabelsOverwriteAllowed},
		{"pod_annotations_overwrite_allowed", o.PodAnnotationsOverwriteAllowed},
		{"node_selector_overwrite_allowed", o.NodeSelectorOverwriteAllowed},
	}
}

// overwrites reports an expression that does not compile: GitLab Runner
// would fail every job that tries the overwrite; here the file is refused.
func (d *decoder) overwrites(p keyPath, o *KubernetesOverwrites) {
	for _, k := range o.overwriteKeys() {
		if k.value == "" {
			continue
		}
		if _, err := regexp.Compile(k.value); err != nil {
			d.fail(p.child(k.key), &Error{Value: k.value, Msg: fmt.Sprintf("%q is not a regular expression: %v", k.value, err),
				Allowed: `a Go regular expression (RE2), such as "ci-.*"; empty turns the overwrite off`, Err: err})
		}
	}
}
