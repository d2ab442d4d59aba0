package podspec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
)

func TestJobVariables(t *testing.T) {
	run := RunInfo{ProjectDir: "/builds/group/proj", Version: "v1.2.3", Revision: "abc123", ConcurrentID: 3, ConcurrentProjectID: 1}
	tests := []struct {
		name    string
		env     []string
		job     common.JobVariables
		timeout time.Duration
		extra   common.JobVariables
		key     string
		want    string
		absent  bool
		wantErr string
	}{
		{name: "project dir", key: "CI_PROJECT_DIR", want: "/builds/group/proj"},
		{name: "project name", key: "CI_PROJECT_NAME", want: "proj"},
		{name: "builds dir", key: "CI_BUILDS_DIR", want: "/builds"},
		{name: "version", key: "CI_RUNNER_VERSION", want: "v1.2.3"},
		{name: "revision", key: "CI_RUNNER_REVISION", want: "abc123"},
		{name: "concurrent id", key: "CI_CONCURRENT_ID", want: "3"},
		{name: "concurrent project id", key: "CI_CONCURRENT_PROJECT_ID", want: "1"},
		{name: "short token", key: "CI_RUNNER_SHORT_TOKEN", want: "abcdefghi"},
		{name: "job timeout in seconds", timeout: 90*time.Minute + 500*time.Millisecond, key: "CI_JOB_TIMEOUT", want: "5400"},
		{name: "no timeout, no CI_JOB_TIMEOUT", key: "CI_JOB_TIMEOUT", absent: true},
		{name: "the arch is the pod's, set by the script", key: "CI_RUNNER_EXECUTABLE_ARCH", absent: true},
		{name: "extra predefined", extra: common.JobVariables{{Key: "CI_SERVER_TLS_CA_FILE", Value: "pem", File: true}}, key: "CI_SERVER_TLS_CA_FILE", want: "pem"},
		{name: "runner environment overrides extra", extra: common.JobVariables{{Key: "X", Value: "extra"}}, env: []string{"X=runner"}, key: "X", want: "runner"},
		{name: "runner environment overrides predefined", env: []string{"CI_SERVER=custom"}, key: "CI_SERVER", want: "custom"},
		{name: "job overrides runner", env: []string{"A=runner"}, job: common.JobVariables{{Key: "A", Value: "job"}}, key: "A", want: "job"},
		{name: "value with =", env: []string{"URL=a=b"}, key: "URL", want: "a=b"},
		{name: "job variable uses a predefined one", job: common.JobVariables{{Key: "PIP_CACHE_DIR", Value: "$CI_PROJECT_DIR/.cache/pip"}}, key: "PIP_CACHE_DIR", want: "/builds/group/proj/.cache/pip"},
		{name: "job variable uses a runner one", env: []string{"MIRROR=https://m.example"}, job: common.JobVariables{{Key: "U", Value: "${MIRROR}/x"}}, key: "U", want: "https://m.example/x"},
		{name: "runner variable uses a job one", env: []string{"P=$JOBVAR/bin"}, job: common.JobVariables{{Key: "JOBVAR", Value: "/opt"}}, key: "P", want: "/opt/bin"},
		{name: "the issue's B", job: common.JobVariables{{Key: "B", Value: "$A/bin"}, {Key: "A", Value: "x"}}, key: "B", want: "x/bin"},
		{name: "the issue's raw C", job: common.JobVariables{{Key: "A", Value: "x"}, {Key: "C", Value: "$A", Raw: true}}, key: "C", want: "$A"},
		{name: "malformed environment", env: []string{"NOEQUALS"}, wantErr: `environment[0] is not KEY=VALUE (the value is not shown`},
		{name: "invalid name", job: common.JobVariables{{Key: "1BAD", Value: "x"}}, wantErr: `"1BAD" is not a valid variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &common.Job{ID: 9, Variables: tt.job, Timeout: tt.timeout}
			r := run
			r.Extra = tt.extra
			runner := &config.RunnerConfig{Name: "r", Token: "glrt-abcdefghijklmnopqrstuvwxyz", Environment: tt.env}
			vars, err := Variables(job, runner, r)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got, ok := Lookup(vars, tt.key)
			if tt.absent {
				require.False(t, ok, "%s = %q", tt.key, got)
				return
			}
			require.True(t, ok)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.want, string(secretData(vars)[tt.key]), "the secret holds the last value")
		})
	}
}

func TestJobVariablesNeverHoldTheToken(t *testing.T) {
	token := "glrt-abcdefghijklmnopqrstuvwxyz"
	vars, err := Variables(&common.Job{ID: 1}, &config.RunnerConfig{Name: "r", Token: token}, RunInfo{ProjectDir: "/builds/p"})
	require.NoError(t, err)
	for _, v := range vars {
		require.NotContains(t, v.Value, token[5:20], v.Key)
	}
}

func TestFileVariables(t *testing.T) {
	vars := common.JobVariables{{Key: "F", Value: "a", File: true}, {Key: "G", Value: "b"}, {Key: "G", Value: "c", File: true}, {Key: "F", Value: "d"}}
	got := FileVariables(vars)
	require.Equal(t, common.JobVariables{{Key: "G", Value: "c", File: true}}, got, "the last definition decides")
}

func TestMaskedInImages(t *testing.T) {
	spec := &JobSpec{Containers: []ContainerSpec{{Name: "build", Image: "registry.example/team-s3cr3tvalue/app:1"}, {Name: "helper", Image: "helper:1"}}}
	vars := common.JobVariables{{Key: "TEAM", Value: "s3cr3tvalue", Masked: true}, {Key: "PUBLIC", Value: "helper"}}
	got := MaskedInImages(spec, vars)
	require.Len(t, got, 1)
	require.Contains(t, got[0], `container "build" uses the masked variable TEAM`)
	require.NotContains(t, got[0], "s3cr3tvalue")
}

// DOCKER_AUTH_CONFIG holds registry credentials wherever it comes from, so
// it is never public (and never reaches a service's env in the pod spec),
// nor is a public variable that takes it in.
func TestDockerAuthConfigIsNeverPublic(t *testing.T) {
	const auth = `{"auths":{"r.example.com":{"auth":"dTpzM2NyM3QtdmFsdWU="}}}`
	tests := []struct {
		name string
		env  []string
		job  common.JobVariables
	}{
		{name: "runner environment", env: []string{"DOCKER_AUTH_CONFIG=" + auth}},
		{name: "public job variable", job: common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: auth, Public: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &common.Job{ID: 1, Variables: append(tt.job, common.JobVariable{Key: "COPY", Value: "$DOCKER_AUTH_CONFIG", Public: true})}
			vars, err := Variables(job, &config.RunnerConfig{Name: "r", Environment: tt.env}, RunInfo{ProjectDir: "/builds/p"})
			require.NoError(t, err)
			for _, v := range vars {
				if v.Key == "DOCKER_AUTH_CONFIG" || v.Key == "COPY" {
					require.False(t, v.Public, "%s is public", v.Key)
					require.Equal(t, auth, v.Value, "the job still sees %s", v.Key)
				}
			}
			env, err := serviceEnv("svc", vars, nil)
			require.NoError(t, err)
			for _, e := range env {
				require.NotContains(t, e.Value, "auths", "service env %s", e.Name)
			}
		})
	}
}
