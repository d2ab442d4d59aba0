package config

import (
	"fmt"
	"net"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// KubernetesPodKeys are GitLab Runner's keys that set a field of the job
// pod as they are.
type KubernetesPodKeys struct {
	// PodLabels and PodAnnotations are added to every job pod; their
	// values may use the job's variables. Keys of kuberunner's own
	// (ReservedKey) are refused.
	PodLabels      map[string]string `toml:"pod_labels"`
	PodAnnotations map[string]string `toml:"pod_annotations"`

	// DNSPolicy is GitLab Runner's spelling (DNSPolicies).
	DNSPolicy   string      `toml:"dns_policy"`
	DNSConfig   *DNSConfig  `toml:"dns_config"`
	HostAliases []HostAlias `toml:"host_aliases"`

	PriorityClassName string `toml:"priority_class_name"`
	SchedulerName     string `toml:"scheduler_name"`
	RuntimeClassName  string `toml:"runtime_class_name"`
	// PodTerminationGracePeriodSeconds is the pod's
	// terminationGracePeriodSeconds; nil leaves the cluster's default.
	PodTerminationGracePeriodSeconds *int `toml:"pod_termination_grace_period_seconds"`
}

// DNSConfig is [runners.kubernetes.dns_config].
type DNSConfig struct {
	Nameservers []string          `toml:"nameservers"`
	Searches    []string          `toml:"searches"`
	Options     []DNSConfigOption `toml:"options"`
}

// IsZero says whether the table sets nothing (GitLab Runner writes an
// empty [runners.kubernetes.dns_config] when it registers).
func (c *DNSConfig) IsZero() bool {
	return c == nil || len(c.Nameservers) == 0 && len(c.Searches) == 0 && len(c.Options) == 0
}

// DNSConfigOption is one resolver option; Value is optional ("edns0").
type DNSConfigOption struct {
	Name  string  `toml:"name"`
	Value *string `toml:"value"`
}

// HostAlias is one [[runners.kubernetes.host_aliases]]: host names that
// resolve to IP in every container, through /etc/hosts.
type HostAlias struct {
	IP        string   `toml:"ip"`
	Hostnames []string `toml:"hostnames"`
}

// DNSPolicies maps GitLab Runner's dns_policy values to the pod API's.
var DNSPolicies = map[string]string{
	"none":                        "None",
	"default":                     "Default",
	"cluster-first":               "ClusterFirst",
	"cluster-first-with-host-net": "ClusterFirstWithHostNet",
}

// dnsPolicyNames are the keys of DNSPolicies in a fixed order.
var dnsPolicyNames = []string{"none", "default", "cluster-first", "cluster-first-with-host-net"}

// The API server's bounds on a pod's DNS configuration.
const (
	maxNameservers = 3
	maxSearches    = 32
)

// ReservedKey says whether a label or annotation key is kuberunner's own:
// the job's labels select its pods for the watch, cleanup and the sweep,
// and its expiry annotation decides the sweep, so no configuration and no
// job may set them.
func ReservedKey(key string) bool {
	return strings.HasPrefix(key, "kuberunner.io/") || key == "app.kubernetes.io/managed-by"
}

// ReservedKeyRule is what ReservedKey refuses, for "allowed:".
const ReservedKeyRule = `a key outside kuberunner's own ("kuberunner.io/…" and "app.kubernetes.io/managed-by")`

// podKeys checks the pod-level keys.
func (d *decoder) podKeys(p keyPath, k *KubernetesConfig) {
	for key := range k.PodLabels {
		d.metadataKey(p.child("pod_labels").child(key), key, "label")
	}
	for key := range k.PodAnnotations {
		d.metadataKey(p.child("pod_annotations").child(key), key, "annotation")
	}
	if k.DNSPolicy != "" {
		d.dnsPolicy(p.child("dns_policy"), k.DNSPolicy)
	}
	d.dnsConfig(p.child("dns_config"), k)
	for i, a := range k.HostAliases {
		d.hostAlias(p.child("host_aliases").at(i), a)
	}
	for _, c := range []struct{ key, value, what string }{
		{"priority_class_name", k.PriorityClassName, "a PriorityClass name"},
		{"scheduler_name", k.SchedulerName, "a scheduler name"},
		{"runtime_class_name", k.RuntimeClassName, "a RuntimeClass name"},
	} {
		if c.value != "" {
			d.dnsSubdomain(p.child(c.key), c.value, c.what)
		}
	}
}

// metadataKey checks a pod_labels or pod_annotations key. A label's value
// may hold variables, so it is checked once expanded, at the job.
func (d *decoder) metadataKey(p keyPath, key, what string) {
	if ReservedKey(key) {
		d.fail(p, &Error{Value: key, Msg: fmt.Sprintf("%q is kuberunner's own %s: the watch, cleanup and the sweep depend on it", key, what), Allowed: ReservedKeyRule})
		return
	}
	d.check(p, key, "a "+what+" key", validation.IsQualifiedName(key))
}

func (d *decoder) dnsPolicy(p keyPath, v string) {
	if _, ok := DNSPolicies[v]; ok {
		return
	}
	e := &Error{Value: v, Msg: fmt.Sprintf("%q is not a DNS policy", v), Allowed: strings.Join(dnsPolicyNames, ", ")}
	for name, api := range DNSPolicies {
		if strings.EqualFold(v, api) {
			e.Hint = fmt.Sprintf("GitLab Runner spells %s %q", api, name)
		}
	}
	d.fail(p, e)
}

func (d *decoder) dnsConfig(p keyPath, k *KubernetesConfig) {
	c := k.DNSConfig
	if k.DNSPolicy == "none" && (c == nil || len(c.Nameservers) == 0) {
		d.fail(keyPathOf(p, "dns_policy"), &Error{Value: k.DNSPolicy, Msg: `dns_policy "none" leaves the pod without a resolver unless dns_config names one`, Allowed: "[runners.kubernetes.dns_config] with nameservers, or another dns_policy"})
	}
	if c.IsZero() {
		return
	}
	if len(c.Nameservers) > maxNameservers {
		d.fail(p.child("nameservers"), &Error{Msg: fmt.Sprintf("%d nameservers, over the API server's %d", len(c.Nameservers), maxNameservers), Allowed: "at most 3 IP addresses"})
	}
	for i, ns := range c.Nameservers {
		if net.ParseIP(ns) == nil {
			d.fail(p.child("nameservers").at(i), &Error{Value: ns, Msg: fmt.Sprintf("%q is not an IP address", ns), Allowed: "an IPv4 or IPv6 address"})
		}
	}
	if len(c.Searches) > maxSearches {
		d.fail(p.child("searches"), &Error{Msg: fmt.Sprintf("%d search domains, over the API server's %d", len(c.Searches), maxSearches), Allowed: "at most 32 domains"})
	}
	for i, s := range c.Searches {
		d.dnsSubdomain(p.child("searches").at(i), strings.TrimSuffix(s, "."), "a search domain")
	}
	for i, o := range c.Options {
		if o.Name == "" {
			d.fail(p.child("options").at(i).child("name"), &Error{Msg: "a resolver option needs a name", Allowed: `a resolv.conf option such as "ndots" or "edns0"`})
		}
	}
}

// keyPathOf is the sibling key of p's last element.
func keyPathOf(p keyPath, sibling string) keyPath {
	return p[:len(p)-1].child(sibling)
}

func (d *decoder) hostAlias(p keyPath, a HostAlias) {
	if net.ParseIP(a.IP) == nil {
		d.fail(p.child("ip"), &Error{Value: a.IP, Msg: fmt.Sprintf("%q is not an IP address", a.IP), Allowed: "an IPv4 or IPv6 address"})
	}
	if len(a.Hostnames) == 0 {
		d.fail(p.child("hostnames"), &Error{Msg: "a host alias needs host names", Allowed: "one or more host names"})
	}
	for i, h := range a.Hostnames {
		d.dnsSubdomain(p.child("hostnames").at(i), h, "a host name")
	}
}

// kubeKeys checks the keys of issue 22's part 3, each group in its file.
func (d *decoder) kubeKeys(p keyPath, k *KubernetesConfig) {
	d.connection(p, k)
	d.volumes(p, k)
	d.affinity(p, k.Affinity)
	d.podKeys(p, k)
	d.overwrites(p, &k.KubernetesOverwrites)
	d.allowed(p, &k.KubernetesAllowed)
	d.cleanup(p, k.KubernetesCleanup)
}
