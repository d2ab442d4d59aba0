package commands

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// config.toml holds tokens: readable by others is worth a warning, and so
// is readable by a group, unless the group is the runner's own (a Secret
// mounted in a pod with fsGroup).
func TestExposedMode(t *testing.T) {
	tests := []struct {
		name     string
		mode     os.FileMode
		otherGrp bool
		exposed  bool
	}{
		{"owner only", 0o600, false, false},
		{"others may read", 0o604, false, true},
		{"our own group", 0o640, false, false},
		{"another group", 0o640, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			require.NoError(t, os.WriteFile(path, nil, 0o600))
			require.NoError(t, os.Chmod(path, tt.mode))
			if tt.otherGrp {
				if os.Geteuid() != 0 {
					t.Skip("changing a file's group to one we are not in needs root")
				}
				require.NoError(t, os.Chown(path, -1, os.Getegid()+4242))
			}
			st, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, tt.exposed, exposedMode(st))
		})
	}
}
