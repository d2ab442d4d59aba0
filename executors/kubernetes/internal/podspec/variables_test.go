package podspec

import (
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
)

func TestJobVariables(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		job     common.JobVariables
		key     string
		want    string
		wantErr string
	}{
		{name: "predefined", key: "CI_PROJECT_DIR", want: "/builds/proj"},
		{name: "runner environment overrides predefined", env: []string{"CI_SERVER=custom"}, key: "CI_SERVER", want: "custom"},
		{name: "job overrides runner", env: []string{"A=runner"}, job: common.JobVariables{{Key: "A", Value: "job"}}, key: "A", want: "job"},
		{name: "value with =", env: []string{"URL=a=b"}, key: "URL", want: "a=b"},
		{name: "malformed environment", env: []string{"NOEQUALS"}, wantErr: `environment[0] is not KEY=VALUE (the value is not shown`},
		{name: "invalid name", job: common.JobVariables{{Key: "1BAD", Value: "x"}}, wantErr: `"1BAD" is not a valid variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &common.Job{ID: 9, Variables: tt.job}
			vars, err := Variables(job, &config.RunnerConfig{Name: "r", Environment: tt.env}, "/builds/proj")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got, ok := Lookup(vars, tt.key)
			require.True(t, ok)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.want, string(secretData(vars)[tt.key]), "the secret holds the last value")
		})
	}
}

func TestExpand(t *testing.T) {
	vars := common.JobVariables{{Key: "IMAGE_NAME", Value: "reg/app"}, {Key: "IMAGE_VERSION", Value: "1"}, {Key: "IMAGE_VERSION", Value: "2"}}
	require.Equal(t, "reg/app:2", expand("${IMAGE_NAME}:${IMAGE_VERSION}", vars))
	require.Equal(t, "reg/app:", expand("$IMAGE_NAME:$MISSING", vars))
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
