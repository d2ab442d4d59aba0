package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/network"
)

// Options.SystemIDFile moves the system ID away from config.toml, whose
// directory is read-only when it is a Secret mounted in a pod.
func TestSystemIDFile(t *testing.T) {
	tests := []struct {
		name     string
		separate bool
	}{
		{"next to config.toml by default", false},
		{"where SystemIDFile says", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, path := testConfig(t, "http://127.0.0.1:1", 1, "tok")
			want := network.SystemIDPath(path)
			opts := Options{ConfigPath: path, Log: logrus.New()}
			if tt.separate {
				want = filepath.Join(t.TempDir(), "state", "id")
				require.NoError(t, os.MkdirAll(filepath.Dir(want), 0o700))
				opts.SystemIDFile = want
			}
			_, err := New(cfg, opts)
			require.NoError(t, err)
			data, err := os.ReadFile(want)
			require.NoError(t, err)
			assert.True(t, network.ValidSystemID(string(data[:len(data)-1])))
			if tt.separate {
				_, err := os.Stat(network.SystemIDPath(path))
				assert.ErrorIs(t, err, os.ErrNotExist, "nothing is written next to config.toml")
			}
		})
	}
}
