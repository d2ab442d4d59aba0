package common

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShortToken(t *testing.T) {
	tests := []struct{ name, token, want string }{
		{"legacy token: 8 characters", "xyz12345abcdefghijkl", "xyz12345"},
		{"glrt- prefix: 9 after it", "glrt-UfMt7-xxxxxx-ZJpuvsb", "UfMt7-xxx"},
		{"glrtr- prefix", "glrtr-UfMt7-xxxxxx-ZJpuvsb", "UfMt7-xxx"},
		{"glcbt- prefix", "glcbt-UfMt7-xxxxxx-ZJpuvsb", "UfMt7-xxx"},
		{"cell routing after the prefix", "glrt-cell_1_UfMt7-xxxxxx-ZJpuvsb", "UfMt7-xxx"},
		{"cell routing alone", "cell_12_UfMt7-xxxxxx-ZJpuvsb", "UfMt7-xxx"},
		{"not cell routing", "cell_x_UfMt7-xxxxxx", "cell_x_U"},
		{"empty", "", ""},
		{"too short to shorten", "abcdefghij", ""},
		{"prefix and too short", "glrt-abcdefghij", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ShortToken(tt.token)
			require.Equal(t, tt.want, got)
			if tt.token != "" {
				require.NotEqual(t, tt.token, got, "never the whole token")
			}
		})
	}
}
