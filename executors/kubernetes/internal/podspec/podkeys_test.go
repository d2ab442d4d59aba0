package podspec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/golden"
)

// kubeKeysRunner is a runner from a [runners.kubernetes] table as an
// operator writes it, through the loader, so each golden pod shows what
// GitLab Runner's keys become.
func kubeKeysRunner(t *testing.T, keys string) *config.RunnerConfig {
	t.Helper()
	src := "[[runners]]\nname = \"local runner\"\n[runners.kubernetes]\nnamespace = \"ci\"\nimage = \"alpine:3\"\nhelper_image = \"helper:1\"\n" + keys
	cfg, warnings, err := config.Parse("config.toml", []byte(src))
	require.NoError(t, err)
	require.Empty(t, warnings)
	return cfg.Runners[0]
}

// kubeKeysJob is a job with a service, some public variables and its slot.
func kubeKeysJob(vars ...common.JobVariable) *common.Job {
	return &common.Job{
		ID:        42,
		JobInfo:   common.JobInfo{Name: "test", Stage: "test", ProjectID: 7},
		Variables: append(common.JobVariables{{Key: "TEAM", Value: "blue", Public: true}}, vars...),
		Services:  []common.Image{{Name: "postgres:16", Alias: "db"}},
		Steps:     []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}},
	}
}

// buildKubeKeysPod is the first attempt's pod and the spec's notes.
func buildKubeKeysPod(t *testing.T, runner *config.RunnerConfig, job *common.Job) (*JobSpec, error) {
	t.Helper()
	vars, err := Variables(job, runner, RunInfo{ProjectDir: "/builds/project", ConcurrentID: 3})
	require.NoError(t, err)
	spec, err := NewJobSpec(job, runner, runner.Kubernetes, "42-abcdef", vars)
	if err != nil {
		return nil, err
	}
	spec.Expires = Expiry(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), time.Hour)
	return spec, nil
}

func pv(key, value string) common.JobVariable {
	return common.JobVariable{Key: key, Value: value, Public: true}
}

// Each key of part 3 of issue 22 that reaches the pod, from config.toml
// (and the job's variables where it may overwrite) to a golden pod.
func TestBuildPodKubeKeys(t *testing.T) {
	tests := []struct {
		name  string
		keys  string
		vars  []common.JobVariable
		notes []string
	}{
		{name: "volumes", keys: `
[[runners.kubernetes.volumes.host_path]]
name = "docker-sock"
mount_path = "/var/run/docker.sock"
read_only = true
[[runners.kubernetes.volumes.host_path]]
name = "cache"
mount_path = "/cache"
host_path = "/var/cache/ci"
sub_path = "jobs"
mount_propagation = "HostToContainer"
[[runners.kubernetes.volumes.pvc]]
name = "build-pvc-$CI_CONCURRENT_ID"
mount_path = "/mnt/data"
read_only = true
[[runners.kubernetes.volumes.config_map]]
name = "ci-settings"
mount_path = "/etc/ci"
[runners.kubernetes.volumes.config_map.items]
"settings.yaml" = "conf/settings.yaml"
"a.txt" = "a.txt"
[[runners.kubernetes.volumes.secret]]
name = "ci-secrets"
mount_path = "/etc/ci-secrets"
read_only = true
[[runners.kubernetes.volumes.empty_dir]]
name = "mysql-tmpfs"
mount_path = "/var/lib/mysql"
medium = "Memory"
size_limit = "1Gi"
[[runners.kubernetes.volumes.csi]]
name = "scratch"
mount_path = "/scratch"
driver = "csi.example.com"
fs_type = "ext4"
[runners.kubernetes.volumes.csi.volume_attributes]
size = "2Gi"
`},
		{name: "volume-at-builds", keys: `
[[runners.kubernetes.volumes.pvc]]
name = "builds-$CI_CONCURRENT_ID"
mount_path = "/builds"
`},
		{name: "labels-and-annotations", keys: `
pod_labels_overwrite_allowed = "^(team|tier)="
pod_annotations_overwrite_allowed = ".*"
[runners.kubernetes.pod_labels]
team = "ci"
"example.com/job" = "job-$CI_JOB_ID"
[runners.kubernetes.pod_annotations]
"example.com/owner" = "$TEAM"
`, vars: []common.JobVariable{pv("KUBERNETES_POD_LABELS_1", "team=$TEAM"), pv("KUBERNETES_POD_ANNOTATIONS_A", "example.com/note=x=y")},
			notes: []string{`pod_labels: "team=blue" set by KUBERNETES_POD_LABELS_1`, `pod_annotations: "example.com/note=x=y" set by KUBERNETES_POD_ANNOTATIONS_A`}},
		{name: "affinity", keys: `
[[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution]]
weight = 100
[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution.preference]
[[runners.kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution.preference.match_expressions]]
key = "cpu_speed"
operator = "In"
values = ["fast"]
[[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms]]
[[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms.match_expressions]]
key = "topology.kubernetes.io/zone"
operator = "In"
values = ["zone-a", "zone-b"]
[[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms.match_fields]]
key = "metadata.name"
operator = "NotIn"
values = ["slow-node"]
[[runners.kubernetes.affinity.pod_affinity.required_during_scheduling_ignored_during_execution]]
topology_key = "topology.kubernetes.io/zone"
namespaces = ["ci"]
[[runners.kubernetes.affinity.pod_affinity.required_during_scheduling_ignored_during_execution.label_selector.match_expressions]]
key = "app"
operator = "In"
values = ["cache"]
[[runners.kubernetes.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution]]
weight = 50
[runners.kubernetes.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution.pod_affinity_term]
topology_key = "kubernetes.io/hostname"
[runners.kubernetes.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution.pod_affinity_term.label_selector.match_labels]
"app.kubernetes.io/name" = "database"
[[runners.kubernetes.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution.pod_affinity_term.namespace_selector.match_expressions]]
key = "tier"
operator = "Exists"
`},
		{name: "node-selector-overwrite", keys: `
node_selector_overwrite_allowed = "kubernetes.io/arch=.*"
[runners.kubernetes.node_selector]
"kubernetes.io/os" = "linux"
"kubernetes.io/arch" = "amd64"
`, vars: []common.JobVariable{pv("KUBERNETES_NODE_SELECTOR_ARCH", "kubernetes.io/arch=arm64")},
			notes: []string{`node_selector: "kubernetes.io/arch=arm64" set by KUBERNETES_NODE_SELECTOR_ARCH`}},
		{name: "dns-and-host-aliases", keys: `
dns_policy = "none"
[runners.kubernetes.dns_config]
nameservers = ["10.9.8.7"]
searches = ["ci.example.test"]
[[runners.kubernetes.dns_config.options]]
name = "ndots"
value = "2"
[[runners.kubernetes.dns_config.options]]
name = "edns0"
[[runners.kubernetes.host_aliases]]
ip = "192.168.1.1"
hostnames = ["registry.internal", "mirror.internal"]
`},
		{name: "classes-and-grace", keys: `
priority_class_name = "ci-low"
scheduler_name = "ci-scheduler"
runtime_class_name = "gvisor"
pod_termination_grace_period_seconds = 45
`},
		{name: "resources-and-overwrites", keys: `
cpu_request = "500m"
cpu_request_overwrite_max_allowed = "2"
memory_limit = "1Gi"
memory_limit_overwrite_max_allowed = "4Gi"
ephemeral_storage_request = "1Gi"
ephemeral_storage_limit = "4Gi"
helper_ephemeral_storage_limit = "1Gi"
helper_cpu_limit_overwrite_max_allowed = "1"
service_ephemeral_storage_request = "100Mi"
service_ephemeral_storage_limit_overwrite_max_allowed = "2Gi"
`, vars: []common.JobVariable{
			pv("KUBERNETES_CPU_REQUEST", "2"), pv("KUBERNETES_MEMORY_LIMIT", "3Gi"), pv("KUBERNETES_HELPER_CPU_LIMIT", "250m"),
			pv("KUBERNETES_SERVICE_EPHEMERAL_STORAGE_LIMIT", "2Gi"), pv("KUBERNETES_EPHEMERAL_STORAGE_LIMIT", "8Gi"),
		}, notes: []string{
			`cpu_request overwritten with "2" by KUBERNETES_CPU_REQUEST`,
			`memory_limit overwritten with "3Gi" by KUBERNETES_MEMORY_LIMIT`,
			"KUBERNETES_EPHEMERAL_STORAGE_LIMIT is set but ephemeral_storage_limit_overwrite_max_allowed is not in config.toml: ignored",
			`helper_cpu_limit overwritten with "250m" by KUBERNETES_HELPER_CPU_LIMIT`,
			`service_ephemeral_storage_limit overwritten with "2Gi" by KUBERNETES_SERVICE_EPHEMERAL_STORAGE_LIMIT`,
		}},
		{name: "namespace-and-service-account-overwrite", keys: `
service_account = "ci-default"
namespace_overwrite_allowed = "ci-.*"
service_account_overwrite_allowed = "^ci-[a-z]+$"
`, vars: []common.JobVariable{pv("KUBERNETES_NAMESPACE_OVERWRITE", "ci-$TEAM"), pv("KUBERNETES_SERVICE_ACCOUNT_OVERWRITE", "ci-deployer")},
			notes: []string{`namespace overwritten with "ci-blue" by KUBERNETES_NAMESPACE_OVERWRITE`, `service_account overwritten with "ci-deployer" by KUBERNETES_SERVICE_ACCOUNT_OVERWRITE`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := buildKubeKeysPod(t, kubeKeysRunner(t, tt.keys), kubeKeysJob(tt.vars...))
			require.NoError(t, err)
			assert.Equal(t, tt.notes, spec.Notes)
			pod := BuildPod(spec, PodSecrets{Variables: "job-secret"}, 1, func(image string) common.PullPolicy { return spec.Policies[image][0] })
			golden.Require(t, "pod-key-"+tt.name+".yaml", pod)
		})
	}
}

// A job that breaks what config.toml allows fails before anything is
// created, with an error that names what it asked for and the rule.
func TestNewJobSpecRefusesKubeKeys(t *testing.T) {
	withImage := func(img string, vars ...common.JobVariable) *common.Job {
		j := kubeKeysJob(vars...)
		j.Image = common.Image{Name: img}
		return j
	}
	withUser := func(user string) *common.Job {
		j := kubeKeysJob()
		j.Image = common.Image{Name: "alpine:3", ExecutorOptions: common.ImageExecutorOptions{Kubernetes: common.ImageUserOptions{User: common.ImageUser(user)}}}
		return j
	}
	secret := common.JobVariable{Key: "KUBERNETES_NAMESPACE_OVERWRITE", Value: "prod-s3cret"}
	tests := []struct {
		name, keys string
		job        *common.Job
		want       string
	}{
		{"image not allowed", `allowed_images = ["registry.example.com/**"]`, withImage("docker.io/library/ubuntu:24.04"),
			`the job's image "docker.io/library/ubuntu:24.04" is not allowed by this runner's allowed_images ("registry.example.com/**")`},
		{"* does not cross a slash", `allowed_images = ["*:*"]`, withImage("library/ubuntu:24.04"), `is not allowed by this runner's allowed_images`},
		{"service not allowed", `allowed_services = ["redis:*"]`, kubeKeysJob(), `the job's service "postgres:16" is not allowed by this runner's allowed_services ("redis:*")`},
		{"user not allowed", `allowed_users = ["1000"]`, withUser("0"), `image: the job's user "0" is not allowed by this runner's allowed_users ("1000")`},
		{"group not allowed", `allowed_groups = ["1000"]`, withUser("1000:0"), `the job's group "0" is not allowed by this runner's allowed_groups`},
		{"over the maximum", "cpu_limit_overwrite_max_allowed = \"2\"", withImage("alpine:3", pv("KUBERNETES_CPU_LIMIT", "3")),
			`KUBERNETES_CPU_LIMIT "3": over the maximum: cpu_limit_overwrite_max_allowed is "2" in config.toml`},
		{"request over limit", "cpu_limit = \"1\"\ncpu_request_overwrite_max_allowed = \"4\"", withImage("alpine:3", pv("KUBERNETES_CPU_REQUEST", "2")),
			"the build container's cpu request 2 is over its limit 1"},
		{"namespace not matching", `namespace_overwrite_allowed = "^ci-"`, withImage("alpine:3", pv("KUBERNETES_NAMESPACE_OVERWRITE", "kube-system")),
			`KUBERNETES_NAMESPACE_OVERWRITE "kube-system": not allowed: it does not match namespace_overwrite_allowed "^ci-"`},
		{"a secret value is not shown", `namespace_overwrite_allowed = "^ci-"`, withImage("alpine:3", secret),
			"KUBERNETES_NAMESPACE_OVERWRITE (value not shown: not a public variable): not allowed"},
		{"namespace not a name", `namespace_overwrite_allowed = ".*"`, withImage("alpine:3", pv("KUBERNETES_NAMESPACE_OVERWRITE", "CI_Jobs")),
			`KUBERNETES_NAMESPACE_OVERWRITE "CI_Jobs": not a namespace name`},
		{"the job's own label", `pod_labels_overwrite_allowed = ".*"`, withImage("alpine:3", pv("KUBERNETES_POD_LABELS_X", "kuberunner.io/job=mine")),
			`pod label "kuberunner.io/job" is kuberunner's own and cannot be set`},
		{"the managed-by label", `pod_labels_overwrite_allowed = ".*"`, withImage("alpine:3", pv("KUBERNETES_POD_LABELS_X", "app.kubernetes.io/managed-by=me")),
			`pod label "app.kubernetes.io/managed-by" is kuberunner's own`},
		{"the expiry annotation", `pod_annotations_overwrite_allowed = ".*"`, withImage("alpine:3", pv("KUBERNETES_POD_ANNOTATIONS_X", "kuberunner.io/expires-at=2999-01-01T00:00:00Z")),
			`pod annotation "kuberunner.io/expires-at" is kuberunner's own`},
		{"not key=value", `pod_annotations_overwrite_allowed = ".*"`, withImage("alpine:3", pv("KUBERNETES_POD_ANNOTATIONS_X", "novalue")),
			`KUBERNETES_POD_ANNOTATIONS_X "novalue": not of the form "key=value"`},
		{"a masked overwrite", `pod_annotations_overwrite_allowed = ".*"`, withImage("alpine:3", common.JobVariable{Key: "KUBERNETES_POD_ANNOTATIONS_X", Value: "a=s3cret-value", Masked: true}),
			"KUBERNETES_POD_ANNOTATIONS_X (value not shown: not a public variable): is masked, but its value would be written into the pod spec"},
		{"label value from a variable", "[runners.kubernetes.pod_labels]\nteam = \"$TEAM and more\"", kubeKeysJob(),
			`pod label "team": the value is not a valid label value`},
		{"claim name after expansion", "[[runners.kubernetes.volumes.pvc]]\nname = \"pvc-$TEAM-$UNSET\"\nmount_path = \"/x\"",
			kubeKeysJob(), `volumes.pvc name "pvc-$TEAM-$UNSET" is "pvc-blue-" with the job's variables, which is not a usable claim and volume name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildKubeKeysPod(t, kubeKeysRunner(t, tt.keys+"\n"), tt.job)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

// A pod_labels or pod_annotations value, and a claim name, expand only
// the job's public variables: a reference to a secret one is empty, since
// the pod spec is not secret.
func TestPodMetadataExpandsPublicVariablesOnly(t *testing.T) {
	runner := kubeKeysRunner(t, "[runners.kubernetes.pod_annotations]\n\"example.com/a\" = \"[$TEAM][$DB_PASSWORD]\"\n")
	spec, err := buildKubeKeysPod(t, runner, kubeKeysJob(common.JobVariable{Key: "DB_PASSWORD", Value: "s3cret"}))
	require.NoError(t, err)
	assert.Equal(t, "[blue][]", spec.Annotations["example.com/a"])
}

// Without the key that allows it, a job's overwrite changes nothing and
// the build log says it was ignored.
func TestOverwritesIgnoredWithoutTheirKey(t *testing.T) {
	job := kubeKeysJob(pv("KUBERNETES_NAMESPACE_OVERWRITE", "other"), pv("KUBERNETES_POD_LABELS_1", "a=b"), pv("KUBERNETES_MEMORY_REQUEST", "64Gi"))
	spec, err := buildKubeKeysPod(t, kubeKeysRunner(t, ""), job)
	require.NoError(t, err)
	assert.Equal(t, "ci", spec.Namespace)
	assert.Nil(t, spec.Labels)
	assert.Empty(t, spec.Containers[0].Resources.Requests)
	assert.Equal(t, []string{
		"KUBERNETES_NAMESPACE_OVERWRITE is set but namespace_overwrite_allowed is empty in config.toml: ignored",
		"KUBERNETES_POD_LABELS_* variables are set but pod_labels_overwrite_allowed is empty in config.toml: ignored",
		"KUBERNETES_MEMORY_REQUEST is set but memory_request_overwrite_max_allowed is not in config.toml: ignored",
	}, spec.Notes)
}

// The runner's own image and helper image are allowed whatever the
// patterns say; "**" allows every image.
func TestAllowedImagesRunnerImages(t *testing.T) {
	runner := kubeKeysRunner(t, "allowed_images = [\"registry.example.com/**\"]\nallowed_services = [\"**\"]\n")
	_, err := buildKubeKeysPod(t, runner, kubeKeysJob())
	require.NoError(t, err, "the job uses the runner's image alpine:3")
}
