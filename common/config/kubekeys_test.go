package config

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/pki"
)

// loadKubeKeys loads testdata/kubekeys.toml from a directory that also
// holds the PEM files it names.
func loadKubeKeys(t *testing.T) (*Config, []Warning, string) {
	t.Helper()
	ca := pki.NewTestCA(t, "cluster CA")
	client := ca.Client(t, "kuberunner")
	src, err := os.ReadFile(filepath.Join("testdata", "kubekeys.toml"))
	require.NoError(t, err)
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"config.toml": src, "ca.pem": ca.CertPEM(), "client.pem": client.CertPEM, "client.key": client.KeyPEM})
	cfg, warnings, err := Load(filepath.Join(dir, "config.toml"))
	require.NoError(t, err)
	return cfg, warnings, dir
}

// A config.toml that uses every key of part 3 of issue 22 loads with no
// warning at all: each key is implemented, none is "ignored".
func TestKubeKeysLoadWithoutWarnings(t *testing.T) {
	cfg, warnings, dir := loadKubeKeys(t)
	assert.Empty(t, warnings)

	k := cfg.Runners[0].Kubernetes
	assert.Equal(t, filepath.Join(dir, "ca.pem"), k.CAFile, "a relative path is taken from config.toml's directory")
	assert.Equal(t, "not-a-real-token", string(k.BearerToken))
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", *k, *k, *k), "not-a-real-token", "printing the config hides the token")
	assert.Len(t, k.Volumes.HostPaths, 2)
	assert.Equal(t, "build-pvc-$CI_CONCURRENT_ID", k.Volumes.PVCs[0].Name, "expanded per job, not at load")
	assert.Equal(t, map[string]string{"settings.yaml": "conf/settings.yaml"}, k.Volumes.ConfigMaps[0].Items)
	assert.Equal(t, "1Gi", k.Volumes.EmptyDirs[0].SizeLimit)
	assert.Equal(t, "csi.example.com", k.Volumes.CSIs[0].Driver)
	assert.Equal(t, 100, k.Affinity.NodeAffinity.Preferred[0].Weight)
	assert.Equal(t, "Gt", k.Affinity.NodeAffinity.Required.Terms[0].MatchExpressions[1].Operator)
	assert.Equal(t, "database", k.Affinity.PodAntiAffinity.Preferred[0].PodAffinityTerm.LabelSelector.MatchLabels["app.kubernetes.io/name"])
	assert.Nil(t, k.DNSConfig.Options[1].Value)
	assert.Equal(t, "2", *k.DNSConfig.Options[0].Value)
	assert.Equal(t, 30, *k.PodTerminationGracePeriodSeconds)
	assert.Equal(t, "5m0s", k.CleanupTimeout().String())
	assert.Equal(t, "16Gi", k.EphemeralStorageLimitOverwriteMaxAllowed)
	assert.Len(t, k.Quantities(), 18)

	second := cfg.Runners[1].Kubernetes
	assert.Equal(t, "ci-cluster", second.Context)
	assert.True(t, second.DNSConfig.IsZero(), "GitLab Runner's empty [dns_config] sets nothing")
}

// Each key is checked at load, and a mistake is an error at its file, line
// and key that says what is allowed.
func TestKubeKeysErrors(t *testing.T) {
	const head = "[[runners]]\nname = \"r\"\n[runners.kubernetes]\n"
	tests := []struct{ name, src, want string }{
		{"bearer_token without host", head + "bearer_token = \"t0ken-value\"\n",
			"config.toml:4: runners[0].kubernetes.bearer_token: the value is not valid (it is not shown: the key holds a secret)"},
		{"ca_file without host", head + "ca_file = \"/x.pem\"\n", "config.toml:4: runners[0].kubernetes.ca_file: is set without host"},
		{"context with credentials", head + "host = \"https://h\"\nbearer_token = \"x\"\ncontext = \"c\"\n", "config.toml:6: runners[0].kubernetes.context: context selects a kubeconfig context"},
		{"missing ca_file", head + "host = \"https://h\"\nca_file = \"/nonexistent/ca.pem\"\n", "config.toml:5: runners[0].kubernetes.ca_file: /nonexistent/ca.pem: cannot read the file"},
		{"volume without name", head + "[[runners.kubernetes.volumes.empty_dir]]\nmount_path = \"/x\"\n", "config.toml:4: runners[0].kubernetes.volumes.empty_dir[0].name: a volume needs a name"},
		{"volume named builds", head + "[[runners.kubernetes.volumes.empty_dir]]\nname = \"builds\"\nmount_path = \"/x\"\n", `"builds" is the executor's own volume`},
		{"relative mount path", head + "[[runners.kubernetes.volumes.host_path]]\nname = \"a\"\nmount_path = \"x\"\n", `runners[0].kubernetes.volumes.host_path[0].mount_path: "x" is not an absolute path`},
		{"sub_path out of the volume", head + "[[runners.kubernetes.volumes.config_map]]\nname = \"a\"\nmount_path = \"/x\"\nsub_path = \"../etc\"\n", `sub_path: "../etc" is not a path inside the volume`},
		{"two volumes on one path", head + "[[runners.kubernetes.volumes.empty_dir]]\nname = \"a\"\nmount_path = \"/x\"\n[[runners.kubernetes.volumes.csi]]\nname = \"b\"\nmount_path = \"/x/\"\ndriver = \"d\"\n",
			`config.toml:9: runners[0].kubernetes.volumes.csi[0].mount_path: "/x/" is already the mount path of volumes.empty_dir[0]`},
		{"same name twice", head + "[[runners.kubernetes.volumes.pvc]]\nname = \"a\"\nmount_path = \"/x\"\n[[runners.kubernetes.volumes.config_map]]\nname = \"a\"\nmount_path = \"/y\"\n", `volume name "a" is already used by volumes.pvc[0]`},
		{"bad medium", head + "[[runners.kubernetes.volumes.empty_dir]]\nname = \"a\"\nmount_path = \"/x\"\nmedium = \"memory\"\n", `medium: "memory" is not one of the allowed values; allowed: , Memory, HugePages (did you mean "Memory"?)`},
		{"bidirectional unprivileged", head + "[[runners.kubernetes.volumes.host_path]]\nname = \"a\"\nmount_path = \"/x\"\nmount_propagation = \"Bidirectional\"\n", "Bidirectional propagation needs privileged containers"},
		{"csi without driver", head + "[[runners.kubernetes.volumes.csi]]\nname = \"a\"\nmount_path = \"/x\"\n", "a csi volume needs a driver"},
		{"reserved label", head + "[runners.kubernetes.pod_labels]\n\"kuberunner.io/job\" = \"x\"\n", `config.toml:5: runners[0].kubernetes.pod_labels."kuberunner.io/job": "kuberunner.io/job" is kuberunner's own label`},
		{"reserved annotation", head + "[runners.kubernetes.pod_annotations]\n\"kuberunner.io/expires-at\" = \"x\"\n", "is kuberunner's own annotation"},
		{"kubernetes spelling of dns_policy", head + "dns_policy = \"ClusterFirst\"\n", `"ClusterFirst" is not a DNS policy; allowed: none, default, cluster-first, cluster-first-with-host-net (GitLab Runner spells ClusterFirst "cluster-first")`},
		{"dns_policy none without nameservers", head + "dns_policy = \"none\"\n", `dns_policy: dns_policy "none" leaves the pod without a resolver`},
		{"nameserver not an IP", head + "[runners.kubernetes.dns_config]\nnameservers = [\"dns.local\"]\n", `dns_config.nameservers[0]: "dns.local" is not an IP address`},
		{"host alias without IP", head + "[[runners.kubernetes.host_aliases]]\nhostnames = [\"a\"]\n", `host_aliases[0].ip: "" is not an IP address`},
		{"bad priority class", head + "priority_class_name = \"Low Priority\"\n", `priority_class_name: "Low Priority" is not a PriorityClass name`},
		{"affinity weight missing", head + "[[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution]]\n[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution.preference]\n",
			"preferred_during_scheduling_ignored_during_execution[0].weight: a preferred term needs a weight"},
		{"affinity weight over 100", head + "[[runners.kubernetes.affinity.pod_affinity.preferred_during_scheduling_ignored_during_execution]]\nweight = 101\n[runners.kubernetes.affinity.pod_affinity.preferred_during_scheduling_ignored_during_execution.pod_affinity_term]\ntopology_key = \"k\"\n",
			"weight: 101 is out of range; allowed: 0 to 100"},
		{"In without values", head + "[[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms]]\n[[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms.match_expressions]]\nkey = \"a\"\noperator = \"In\"\n",
			"match_expressions[0].values: In needs values"},
		{"Gt in a label selector", head + "[[runners.kubernetes.affinity.pod_affinity.required_during_scheduling_ignored_during_execution]]\ntopology_key = \"k\"\n[[runners.kubernetes.affinity.pod_affinity.required_during_scheduling_ignored_during_execution.label_selector.match_expressions]]\nkey = \"a\"\noperator = \"Gt\"\nvalues = [\"1\"]\n",
			`operator: "Gt" is not one of the allowed values; allowed: In, NotIn, Exists, DoesNotExist`},
		{"pod term without topology", head + "[[runners.kubernetes.affinity.pod_anti_affinity.required_during_scheduling_ignored_during_execution]]\nnamespaces = [\"a\"]\n", "topology_key: a pod affinity term needs a topology_key"},
		{"overwrite regex", head + "namespace_overwrite_allowed = \"ci-(\"\n", `namespace_overwrite_allowed: "ci-(" is not a regular expression`},
		{"bad ephemeral storage", head + "ephemeral_storage_limit = \"lots\"\n", `ephemeral_storage_limit: "lots" is not a Kubernetes quantity`},
		{"value over its own maximum", head + "cpu_request = \"3\"\ncpu_request_overwrite_max_allowed = \"2\"\n", `cpu_request_overwrite_max_allowed: cpu_request "3" is over cpu_request_overwrite_max_allowed "2"`},
		{"bad glob", head + "allowed_images = [\"registry/[\"]\n", `allowed_images[0]: "registry/[" is not a glob pattern`},
		{"user name", head + "allowed_users = [\"root\"]\n", `allowed_users[0]: "root" is not a numeric ID`},
		{"grace period over an hour", head + "cleanup_grace_period_seconds = 3601\n", "cleanup_grace_period_seconds: 3601 is out of range; allowed: 0 to 3600 seconds"},
		{"cleanup timeout", head + "cleanup_resources_timeout = \"5 minutes\"\n", `cleanup_resources_timeout: "5 minutes" is not a duration from 1s to 1h0m0s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte(tt.src))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "t0ken-value")
		})
	}
}
