package placement

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImageKey(t *testing.T) {
	const dgst = "sha256:6457d53fb065d6f250e1504b9bc42d5b6c65941d57532c072d929dd0628977d0"
	tests := []struct {
		image, want string
	}{
		{"alpine", "docker.io/library/alpine:latest"},
		{"alpine:3.20", "docker.io/library/alpine:3.20"},
		{"library/alpine", "docker.io/library/alpine:latest"},
		{"docker.io/alpine", "docker.io/library/alpine:latest"},
		{"gitlab/gitlab-runner", "docker.io/gitlab/gitlab-runner:latest"},
		{"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest"},
		{"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/busybox:1"},
		{"registry.example.com/group/sub/img:v2", "registry.example.com/group/sub/img:v2"},
		{"alpine@" + dgst, "docker.io/library/alpine@" + dgst},
		{"alpine:3.20@" + dgst, "docker.io/library/alpine@" + dgst},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			got, err := imageKey(tt.image)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{"", "Not_Valid:Name:x", "a b"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			_, err := imageKey(bad)
			require.Error(t, err)
		})
	}
}

func TestNodeImageKeys(t *testing.T) {
	const dgst = "sha256:6457d53fb065d6f250e1504b9bc42d5b6c65941d57532c072d929dd0628977d0"
	// What the kubelet lists for one image pulled by tag, plus an
	// untagged image ID.
	keys := nodeImageKeys([]string{"docker.io/library/alpine@" + dgst, "docker.io/library/alpine:3.20", "sha256:" + dgst[7:]})
	assert.Equal(t, map[string]bool{"docker.io/library/alpine@" + dgst: true, "docker.io/library/alpine:3.20": true}, keys)
}
