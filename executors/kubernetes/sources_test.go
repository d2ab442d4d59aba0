package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/helpers/gitsource"
)

func TestGitRequest(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	job := &common.Job{Token: "job-token-1234", GitInfo: common.GitInfo{
		RepoURL: "https://gitlab-ci-token:job-token-1234@git.example/g/p.git", Ref: "main", Sha: sha, RefType: "branch", Depth: 20,
	}}
	tests := []struct {
		name    string
		vars    common.JobVariables
		check   func(t *testing.T, r gitsource.Request)
		wantErr string
	}{
		{"payload defaults", nil, func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, gitsource.Strategy("fetch"), r.Strategy)
			assert.Equal(t, 20, r.Depth)
			assert.True(t, r.Checkout)
			assert.Equal(t, "job-token-1234", r.Token)
			assert.Equal(t, "/builds/p", r.Dir)
		}, ""},
		{"GIT_* variables win", common.JobVariables{{Key: "GIT_STRATEGY", Value: "clone"}, {Key: "GIT_DEPTH", Value: "1"}, {Key: "GIT_CHECKOUT", Value: "false"}},
			func(t *testing.T, r gitsource.Request) {
				assert.Equal(t, gitsource.Strategy("clone"), r.Strategy)
				assert.Equal(t, 1, r.Depth)
				assert.False(t, r.Checkout)
			}, ""},
		{"GIT_STRATEGY none", common.JobVariables{{Key: "GIT_STRATEGY", Value: "none"}}, func(t *testing.T, r gitsource.Request) {
			assert.Equal(t, gitsource.Strategy("none"), r.Strategy)
		}, ""},
		{"bad GIT_DEPTH", common.JobVariables{{Key: "GIT_DEPTH", Value: "deep"}}, nil, `GIT_DEPTH "deep"`},
		{"bad GIT_CHECKOUT", common.JobVariables{{Key: "GIT_CHECKOUT", Value: "maybe"}}, nil, `GIT_CHECKOUT "maybe"`},
		{"bad GIT_STRATEGY", common.JobVariables{{Key: "GIT_STRATEGY", Value: "copy"}}, nil, "copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := gitRequest(job, tt.vars, "/builds/p")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "job-token-1234")
				return
			}
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}
