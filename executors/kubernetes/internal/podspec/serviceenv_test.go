package podspec

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
)

func TestServiceEnv(t *testing.T) {
	job := Expand(common.JobVariables{
		{Key: "CI_PROJECT_DIR", Value: "/builds/g/p", Public: true},
		{Key: "SHARED", Value: "from-job", Public: true},
		{Key: "SECRET", Value: "project-s3cret"},
		{Key: "MASKED", Value: "masked-s3cret", Public: true, Masked: true},
		{Key: "DERIVED", Value: "x-$SECRET", Public: true},
		{Key: "RAWREF", Value: "$SECRET", Public: true, Raw: true},
	})
	tests := []struct {
		name    string
		own     common.JobVariables
		want    []corev1.EnvVar
		wantErr string
	}{
		{name: "public job variables only", want: []corev1.EnvVar{
			{Name: "CI_PROJECT_DIR", Value: "/builds/g/p"}, {Name: "SHARED", Value: "from-job"}, {Name: "RAWREF", Value: "$SECRET"},
		}},
		{name: "own variables, expanded with public values", own: common.JobVariables{
			{Key: "S", Value: "v"}, {Key: "DATA", Value: "$CI_PROJECT_DIR/data"}, {Key: "PW", Value: "$SECRET"}, {Key: "M", Value: "${MASKED}"},
		}, want: []corev1.EnvVar{
			{Name: "CI_PROJECT_DIR", Value: "/builds/g/p"}, {Name: "SHARED", Value: "from-job"}, {Name: "RAWREF", Value: "$SECRET"},
			{Name: "S", Value: "v"}, {Name: "DATA", Value: "/builds/g/p/data"}, {Name: "PW"}, {Name: "M"},
		}},
		{name: "own variable overrides a job one in place", own: common.JobVariables{{Key: "SHARED", Value: "mine"}}, want: []corev1.EnvVar{
			{Name: "CI_PROJECT_DIR", Value: "/builds/g/p"}, {Name: "SHARED", Value: "mine"}, {Name: "RAWREF", Value: "$SECRET"},
		}},
		{name: "own variables see each other once", own: common.JobVariables{{Key: "A", Value: "$B"}, {Key: "B", Value: "b"}, {Key: "C", Value: "$$x", Raw: true}}, want: []corev1.EnvVar{
			{Name: "CI_PROJECT_DIR", Value: "/builds/g/p"}, {Name: "SHARED", Value: "from-job"}, {Name: "RAWREF", Value: "$SECRET"},
			{Name: "A", Value: "b"}, {Name: "B", Value: "b"}, {Name: "C", Value: "$$x"},
		}},
		{name: "masked own variable", own: common.JobVariables{{Key: "PW", Value: "whatever-value", Masked: true}}, wantErr: `service "postgres": variable PW is masked`},
		{name: "bad name", own: common.JobVariables{{Key: "1X", Value: "v"}}, wantErr: `service "postgres": variables: "1X" is not a valid variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serviceEnv("postgres", job, tt.own)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NotContains(t, err.Error(), "whatever-value")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			for _, e := range got {
				require.NotContains(t, e.Value, "s3cret", "no secret value in %s", e.Name)
			}
		})
	}
}

func TestServiceEnvKeepsTheJobsVariables(t *testing.T) {
	own := common.JobVariables{{Key: "A", Value: "$B"}, {Key: "B", Value: "b"}}
	_, err := serviceEnv("s", nil, own)
	require.NoError(t, err)
	require.Equal(t, "$B", own[0].Value)
}
