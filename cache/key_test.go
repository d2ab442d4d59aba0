package cache

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckKey(t *testing.T) {
	long := make([]byte, MaxKeyLength+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, tt := range []struct {
		key  string
		want string // "" when accepted
	}{
		{"deps", ""},
		{"deps-protected", ""},
		{"build/main-3-non_protected", ""},
		{"with space inside", ""},
		{"", `cache key "" is empty`},
		{string(long), `is longer than 512 bytes`},
		{"a/../b", `has a "." or ".." part`},
		{"../other-project", `has a "." or ".." part`},
		{"main-protected/.", `has a "." or ".." part`},
		{"/abs", `has an empty part`},
		{"main-protected/", `has an empty part`},
		{"a//b", `has an empty part`},
		{`main-protected\`, "has a backslash"},
		{"main%2Fprotected", `has an encoded "/" or "."`},
		{"main-protected%2e", `has an encoded "/" or "."`},
		{"main-protected ", "white space"},
		{"main\n", "has a control character"},
	} {
		t.Run(tt.key, func(t *testing.T) {
			err := CheckKey(tt.key)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			var ke *KeyError
			require.True(t, errors.As(err, &ke), "%v", err)
			assert.Equal(t, tt.key, ke.Key)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNamerObject(t *testing.T) {
	for _, tt := range []struct {
		name string
		n    Namer
		want string
	}{
		{"the runner's own", Namer{Runner: "abcd1234", ProjectID: 7}, "runner/abcd1234/project/7/deps-protected"},
		{"shared", Namer{Runner: "abcd1234", Shared: true, ProjectID: 7}, "project/7/deps-protected"},
		{"under Path", Namer{Prefix: "ci/cache", Runner: "abcd1234", ProjectID: 7}, "ci/cache/runner/abcd1234/project/7/deps-protected"},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.n.Object("deps-protected")) })
	}
}

func TestScoped(t *testing.T) {
	for _, tt := range []struct {
		key       string
		protected bool
		want      string
	}{
		{"deps", true, "deps-protected"},
		{"deps", false, "deps-non_protected"},
		{"deps-protected", true, "deps-protected"},
		{"deps-non_protected", true, "deps-non_protected"},
		{"deps-non_protected", false, "deps-non_protected"},
		// A job of an unprotected ref never reaches a protected cache.
		{"deps-protected", false, "deps-protected-non_protected"},
		{"deps-protected-protected", false, "deps-protected-protected-non_protected"},
	} {
		t.Run(tt.key, func(t *testing.T) { assert.Equal(t, tt.want, Scoped(tt.key, tt.protected)) })
	}
}
