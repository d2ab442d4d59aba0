package podspec

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"kuberunner/common"
	"kuberunner/common/config"
)

// podSettings are the pod-level fields config.toml sets as they are.
type podSettings struct {
	Affinity          *corev1.Affinity
	DNSPolicy         corev1.DNSPolicy
	DNSConfig         *corev1.PodDNSConfig
	HostAliases       []corev1.HostAlias // config.toml's; the services' come first
	PriorityClassName string
	SchedulerName     string
	RuntimeClassName  *string
	// TerminationGracePeriod is pod_termination_grace_period_seconds; nil
	// leaves the cluster's default.
	TerminationGracePeriod *int64
}

func newPodSettings(cfg *config.KubernetesConfig) podSettings {
	s := podSettings{
		Affinity:          affinity(cfg.Affinity),
		DNSPolicy:         corev1.DNSPolicy(config.DNSPolicies[cfg.DNSPolicy]),
		DNSConfig:         dnsConfig(cfg.DNSConfig),
		PriorityClassName: cfg.PriorityClassName,
		SchedulerName:     cfg.SchedulerName,
		RuntimeClassName:  optional(cfg.RuntimeClassName),
	}
	for _, a := range cfg.HostAliases {
		s.HostAliases = append(s.HostAliases, corev1.HostAlias{IP: a.IP, Hostnames: a.Hostnames})
	}
	if g := cfg.PodTerminationGracePeriodSeconds; g != nil {
		s.TerminationGracePeriod = ptr.To(int64(*g))
	}
	return s
}

func dnsConfig(c *config.DNSConfig) *corev1.PodDNSConfig {
	if c.IsZero() {
		return nil
	}
	out := &corev1.PodDNSConfig{Nameservers: c.Nameservers, Searches: c.Searches}
	for _, o := range c.Options {
		out.Options = append(out.Options, corev1.PodDNSConfigOption{Name: o.Name, Value: o.Value})
	}
	return out
}

// podMetadata is the job pod's own labels and annotations and its node
// selector: config.toml's, with the job's KUBERNETES_POD_LABELS_*,
// KUBERNETES_POD_ANNOTATIONS_* and KUBERNETES_NODE_SELECTOR_* where
// allowed. Label and annotation values may use the job's public variables
// (a reference to a secret one is empty: the pod spec is not secret).
// kuberunner's own keys (config.ReservedKey) are refused: the watch,
// cleanup and the sweep depend on them.
func podMetadata(spec *JobSpec, cfg *config.KubernetesConfig, vars common.JobVariables, notes *overwriteNotes) error {
	public := publicVariables(vars)
	labels, err := mapOverwrite(expandValues(cfg.PodLabels, public), cfg.PodLabelsOverwriteAllowed, "pod_labels_overwrite_allowed", PodLabelsVariablePrefix, vars, notes)
	if err != nil {
		return err
	}
	annotations, err := mapOverwrite(expandValues(cfg.PodAnnotations, public), cfg.PodAnnotationsOverwriteAllowed, "pod_annotations_overwrite_allowed", PodAnnotationsVariablePrefix, vars, notes)
	if err != nil {
		return err
	}
	selector, err := mapOverwrite(cfg.NodeSelector, cfg.NodeSelectorOverwriteAllowed, "node_selector_overwrite_allowed", NodeSelectorVariablePrefix, vars, notes)
	if err != nil {
		return err
	}
	for k, v := range labels {
		if err := checkMetadata("pod label", k, validation.IsValidLabelValue(v)); err != nil {
			return err
		}
	}
	for k := range annotations {
		if err := checkMetadata("pod annotation", k, nil); err != nil {
			return err
		}
	}
	for k, v := range selector {
		if err := checkMetadata("node selector", k, validation.IsValidLabelValue(v)); err != nil {
			return err
		}
	}
	spec.Labels, spec.Annotations, spec.NodeSelector = nilIfEmpty(labels), nilIfEmpty(annotations), nilIfEmpty(selector)
	return nil
}

// checkMetadata refuses a reserved or malformed key, or a value with
// problems.
func checkMetadata(what, key string, valueProblems []string) error {
	if config.ReservedKey(key) {
		return &ConfigError{Msg: fmt.Sprintf("%s %q is kuberunner's own and cannot be set; allowed: %s", what, key, config.ReservedKeyRule)}
	}
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return &ConfigError{Msg: fmt.Sprintf("%s key %q is not valid: %s", what, key, errs[0])}
	}
	if len(valueProblems) > 0 {
		return &ConfigError{Msg: fmt.Sprintf("%s %q: the value is not a valid label value: %s", what, key, valueProblems[0])}
	}
	return nil
}

func expandValues(m map[string]string, vars common.JobVariables) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = ExpandValue(v, vars)
	}
	return out
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// placementNames are the namespace and service account, with the job's
// KUBERNETES_NAMESPACE_OVERWRITE and KUBERNETES_SERVICE_ACCOUNT_OVERWRITE
// where config.toml allows them.
func placementNames(spec *JobSpec, cfg *config.KubernetesConfig, vars common.JobVariables, notes *overwriteNotes) error {
	ns, err := overwrite(firstNonEmpty(cfg.Namespace, config.DefaultNamespace), cfg.NamespaceOverwriteAllowed, "namespace_overwrite_allowed", NamespaceOverwriteVariable, vars, notes)
	if err != nil {
		return err
	}
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		return &OverwriteError{Variable: NamespaceOverwriteVariable, Value: shown(vars, NamespaceOverwriteVariable, ns), Msg: "not a namespace name: " + errs[0]}
	}
	sa, err := overwrite(cfg.ServiceAccount, cfg.ServiceAccountOverwriteAllowed, "service_account_overwrite_allowed", ServiceAccountOverwriteVariable, vars, notes)
	if err != nil {
		return err
	}
	if errs := validation.IsDNS1123Subdomain(sa); sa != "" && len(errs) > 0 {
		return &OverwriteError{Variable: ServiceAccountOverwriteVariable, Value: shown(vars, ServiceAccountOverwriteVariable, sa), Msg: "not a service account name: " + errs[0]}
	}
	spec.Namespace, spec.ServiceAccount = ns, sa
	return nil
}
