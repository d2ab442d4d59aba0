package podspec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/golden"
)

func TestBuildPod(t *testing.T) {
	yes, uid, svcUID := true, 1000, 999
	job := &common.Job{
		ID:        42,
		JobInfo:   common.JobInfo{Name: "test", Stage: "test"},
		Variables: common.JobVariables{{Key: "IMAGE_NAME", Value: "127.0.0.1:5000/busybox"}, {Key: "IMAGE_VERSION", Value: "1"}},
		Steps:     []common.Step{{Name: common.StepScript, Script: []string{"echo Done"}, When: common.WhenOnSuccess}},
	}
	withServices := *job
	withServices.Services = []common.Image{
		{Name: "127.0.0.1:5000/postgres:15", PullPolicies: common.PullPolicies{common.PullPolicyIfNotPresent}},
		{Name: "redis:7", Alias: "cache,kv", Command: []string{"redis-server", "--save", ""}},
	}
	// What GitLab sends for a job with service variables and users: its
	// own public variables, a project's secret and masked ones, and
	// services that ask for their own environment and user.
	withVariables := *job
	withVariables.Image = common.Image{Name: "alpine:3", ExecutorOptions: common.ImageExecutorOptions{Kubernetes: common.ImageUserOptions{User: "1234:1234"}}}
	withVariables.Variables = common.JobVariables{
		{Key: "CI_PROJECT_PATH", Value: "group/project", Public: true},
		{Key: "PUBLIC_URL", Value: "https://example.com", Public: true},
		{Key: "DB_PASSWORD", Value: "not-public-s3cret"},
		{Key: "API_TOKEN", Value: "masked-s3cret-value", Masked: true},
		{Key: "DSN", Value: "postgres://app:$DB_PASSWORD@db", Public: true},
	}
	withVariables.Services = []common.Image{
		{Name: "postgres:16", Alias: "db", Variables: common.JobVariables{
			{Key: "POSTGRES_DB", Value: "app"},
			{Key: "POSTGRES_PASSWORD", Value: "$DB_PASSWORD"},
			{Key: "HOME_URL", Value: "$PUBLIC_URL/home"},
		}, ExecutorOptions: common.ImageExecutorOptions{Docker: common.ImageUserOptions{User: "999"}}},
		{Name: "redis:7"},
	}
	tests := []struct {
		name     string
		job      *common.Job
		cfg      config.KubernetesConfig
		attempt  int
		policies map[string]common.PullPolicy // overrides of the first policy
		env      []string                     // the runner's environment
		pull     []string                     // the pod's imagePullSecrets
	}{
		{
			name: "reference-attempt1",
			job:  job,
			cfg: config.KubernetesConfig{
				Namespace: "ci", Image: "${IMAGE_NAME}:${IMAGE_VERSION}", HelperImage: "127.0.0.1:5000/kuberunner-helper:latest",
				PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
			},
			attempt: 1,
		},
		{
			name: "reference-attempt2",
			job:  job,
			cfg: config.KubernetesConfig{
				Namespace: "ci", Image: "${IMAGE_NAME}:${IMAGE_VERSION}", HelperImage: "127.0.0.1:5000/kuberunner-helper:latest",
				PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
			},
			attempt:  2,
			policies: map[string]common.PullPolicy{"127.0.0.1:5000/busybox:1": common.PullPolicyIfNotPresent},
		},
		{
			name: "cluster-default",
			job:  job,
			cfg:  config.KubernetesConfig{Image: "busybox:latest", HelperImage: "helper:1"},
		},
		{
			name: "services-and-resources",
			job:  &withServices,
			cfg: config.KubernetesConfig{
				Namespace: "ci", Image: "alpine:3", HelperImage: "helper:1", ServiceAccount: "ci-runner",
				NodeSelector: map[string]string{"kubernetes.io/os": "linux"}, Privileged: &yes,
				NodeTolerations:     map[string]string{"ci=true": "NoSchedule", "gpu": ""},
				PullPolicy:          common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
				AllowedPullPolicies: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
				CPURequest:          "500m", CPULimit: "2", MemoryRequest: "256Mi", MemoryLimit: "1Gi",
				HelperCPURequest: "50m", HelperMemoryLimit: "64Mi",
				ServiceMemoryLimit: "512Mi",
				Services:           []config.KubernetesService{{Name: "127.0.0.1:5000/docker:dind", PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}},
			},
		},
		{
			name: "service-variables-and-users",
			job:  &withVariables,
			cfg:  config.KubernetesConfig{Namespace: "ci", HelperImage: "helper:1"},
			env:  []string{"RUNNER_MIRROR=https://mirror.example"},
		},
		{
			// What a namespace labelled Pod Security "restricted" admits.
			name: "restricted",
			job:  &withServices,
			cfg: config.KubernetesConfig{
				Namespace: "ci", Image: "alpine:3", HelperImage: "helper:1", SecurityProfile: config.SecurityProfileRestricted,
				PodSecurityContext: &config.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid, SupplementalGroups: []int{2000}},
				BuildContainerSecurityContext: &config.ContainerSecurityContext{
					ReadOnlyRootFilesystem: &yes,
					Capabilities:           &config.Capabilities{Add: []string{"NET_BIND_SERVICE"}, Drop: []string{"ALL"}},
				},
				ServiceContainerSecurityContext: &config.ContainerSecurityContext{RunAsUser: &svcUID},
				CapDrop:                         []string{"ALL"},
			},
		},
		{
			// Images from private registries, on the fallback attempt:
			// the configured pull secrets, then the job's own, as on
			// the first attempt.
			name: "private-registries-attempt2",
			job:  &withServices,
			cfg: config.KubernetesConfig{
				Namespace: "ci", Image: "registry.example.com/team/app:1", HelperImage: "registry.example.com/kuberunner-helper:1",
				PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent},
			},
			attempt:  2,
			policies: map[string]common.PullPolicy{"registry.example.com/team/app:1": common.PullPolicyIfNotPresent},
			pull:     []string{"corp-registry", "runner-local-runner-job-42-registry-x7k2p"},
		},
		{
			// The profile alone: the helper runs as a non-root user, and
			// the pod has a group that owns the builds volume.
			name: "restricted-profile",
			job:  job,
			cfg:  config.KubernetesConfig{Namespace: "ci", Image: "alpine:3", HelperImage: "helper:1", SecurityProfile: config.SecurityProfileRestricted},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := &config.RunnerConfig{Name: "local runner", Token: "glrt-0123456789abcdefghij", Environment: tt.env, Kubernetes: &tt.cfg}
			vars, err := Variables(tt.job, runner, RunInfo{ProjectDir: "/builds/project", Version: "v1", Revision: "r1"})
			require.NoError(t, err)
			spec, err := NewJobSpec(tt.job, runner, &tt.cfg, "42-abcdef", vars)
			require.NoError(t, err)
			spec.Expires = Expiry(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), time.Hour)
			attempt := tt.attempt
			if attempt == 0 {
				attempt = 1
			}
			secrets := PodSecrets{Variables: "runner-local-runner-job-42-secret"}
			for _, name := range tt.pull {
				secrets.Pull = append(secrets.Pull, corev1.LocalObjectReference{Name: name})
			}
			pod := BuildPod(spec, secrets, attempt, func(image string) common.PullPolicy {
				if p, ok := tt.policies[image]; ok {
					return p
				}
				return spec.Policies[image][0]
			})
			golden.Require(t, "pod-"+tt.name+".yaml", pod)
		})
	}
}

func TestNewJobSpecErrors(t *testing.T) {
	job := &common.Job{ID: 1}
	nonRoot := true
	tests := []struct {
		name string
		job  common.Job
		cfg  config.KubernetesConfig
		want string
	}{
		{"no image", *job, config.KubernetesConfig{}, "no image"},
		{"bad toleration", *job, config.KubernetesConfig{Image: "a", NodeTolerations: map[string]string{"k": "Never"}}, `node_tolerations: taint effect "Never"`},
		{"bad quantity", *job, config.KubernetesConfig{Image: "a", CPULimit: "two"}, `cpu_limit "two" is not a Kubernetes quantity`},
		{"bad alias", common.Job{Services: []common.Image{{Name: "x", Alias: "Not_Valid"}}}, config.KubernetesConfig{Image: "a"}, `alias "Not_Valid" is not a valid host name`},
		{"image user is a name", common.Job{Image: common.Image{Name: "a", ExecutorOptions: common.ImageExecutorOptions{Docker: common.ImageUserOptions{User: "node"}}}},
			config.KubernetesConfig{}, `image: docker:user "node": allowed: a numeric user ID`},
		{"service user is a name", common.Job{Services: []common.Image{{Name: "pg", ExecutorOptions: common.ImageExecutorOptions{Kubernetes: common.ImageUserOptions{User: "postgres"}}}}},
			config.KubernetesConfig{Image: "a"}, `service "pg": kubernetes:user "postgres"`},
		{"root where run_as_non_root", common.Job{Image: common.Image{Name: "a", ExecutorOptions: common.ImageExecutorOptions{Kubernetes: common.ImageUserOptions{User: "0"}}}},
			config.KubernetesConfig{PodSecurityContext: &config.PodSecurityContext{RunAsNonRoot: &nonRoot}}, "user 0 (root) is asked for, but config.toml sets run_as_non_root = true"},
		{"masked service variable", common.Job{Services: []common.Image{{Name: "pg", Variables: common.JobVariables{{Key: "PW", Value: "0123456789", Masked: true}}}}},
			config.KubernetesConfig{Image: "a"}, `service "pg": variable PW is masked`},
		{"empty intersection", common.Job{Image: common.Image{Name: "a", PullPolicies: common.PullPolicies{common.PullPolicyNever}}},
			config.KubernetesConfig{PullPolicy: common.PullPolicies{common.PullPolicyAlways}}, "never"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := &config.RunnerConfig{Name: "r", Kubernetes: &tt.cfg}
			_, err := NewJobSpec(&tt.job, runner, &tt.cfg, "k", nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}
