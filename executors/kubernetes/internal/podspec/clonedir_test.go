package podspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func TestCloneDir(t *testing.T) {
	tests := []struct {
		name, value string
		allowed     bool
		want, err   string
	}{
		{"unset", "", true, "", ""},
		{"below the builds directory", "/builds/go/src/example.com/group/project", true, "/builds/go/src/example.com/group/project", ""},
		{"cleaned", "/builds/a//b/../c/", true, "/builds/a/c", ""},
		{"the builds directory itself", "/builds", true, "", `GIT_CLONE_PATH "/builds" is not a directory below $CI_BUILDS_DIR (/builds)`},
		{"outside", "/tmp/project", true, "", `GIT_CLONE_PATH "/tmp/project" is not a directory below`},
		{"climbing out", "/builds/../etc", true, "", `GIT_CLONE_PATH "/builds/../etc" is not a directory below`},
		{"relative", "builds/project", true, "", "is not a directory below"},
		{"a prefix that is not the directory", "/builds2/project", true, "", "is not a directory below"},
		{"the cache's state", "/builds/.kuberunner-cache/x", true, "", "is not a directory below"},
		{"the file variables", "/builds/.variables", true, "", "is not a directory below"},
		{"custom_build_dir disabled", "/builds/project", false, "", "[runners.custom_build_dir] enabled is false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vars common.JobVariables
			if tt.value != "" {
				vars = common.JobVariables{{Key: "GIT_CLONE_PATH", Value: tt.value}}
			}
			got, err := CloneDir(vars, tt.allowed)
			if tt.err != "" {
				var ce *ConfigError
				require.ErrorAs(t, err, &ce)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
