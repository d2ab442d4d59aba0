package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fileToken = "glrt-fromthefile-0123456789"

// token_file is read at load into Token; a path that is not absolute is
// taken from the directory of config.toml, and the Secret volume's
// trailing newline is not part of the token.
func TestTokenFileLoads(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"token/runner-token": []byte(fileToken + "\n")})
	path := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(path, []byte("[[runners]]\nname = \"a\"\nurl = \"https://gitlab.example.com\"\ntoken_file = \"token/runner-token\"\n"), 0o600))

	cfg, warnings, err := Load(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, fileToken, cfg.Runners[0].Token)
	assert.Equal(t, filepath.Join(dir, "token/runner-token"), cfg.Runners[0].TokenFile)
}

// A token_file that cannot serve stops the load at its key and line,
// naming the file and never its content.
func TestTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"empty": []byte("\n"), "two-lines": []byte(fileToken + "\n" + fileToken + "\n"),
		"spaced": []byte("glrt-one two"), "big": []byte(strings.Repeat("x", MaxTokenFileSize+1)),
		"good": []byte(fileToken),
	})
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name, keys, want string
	}{
		{"missing", `token_file = "nope"`, "cannot read the file: no such file or directory (the value is not shown, in case it is the token itself; a relative path is taken from " + dir + ")"},
		{"the token in the wrong key", `token_file = "` + fileToken + `"`, "cannot read the file: no such file or directory"},
		{"empty", `token_file = "empty"`, in("empty") + " is empty"},
		{"two lines", `token_file = "two-lines"`, in("two-lines") + " holds more than one line, a space or a control character (the content is not shown)"},
		{"a space", `token_file = "spaced"`, in("spaced") + " holds more than one line"},
		{"too large", `token_file = "big"`, "over the limit of 4 KiB"},
		{"both token and token_file", "token = \"glrt-inline\"\ntoken_file = \"good\"", "token and token_file are both set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := in("config.toml")
			src := "concurrent = 1\n\n[[runners]]\nname = \"a\"\n" + tc.keys + "\n"
			require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
			_, _, err := Load(path)
			errs := configErrors(t, err)
			require.Len(t, errs, 1, "%v", err)
			e := errs[0]
			assert.Equal(t, "runners[0].token_file", e.Key)
			assert.Equal(t, 5+strings.Count(tc.keys, "\n"), e.Line)
			assert.Contains(t, e.Error(), tc.want)
			assert.Contains(t, e.Error(), "allowed: a readable file holding the runner's authentication token")
			for _, secret := range []string{fileToken, "glrt-one", "glrt-inline"} {
				assert.NotContains(t, e.Error(), secret)
			}
		})
	}
}

func TestTokenFileIsNotASecretKey(t *testing.T) {
	assert.False(t, IsSecretKey("runners[0].token_file"))
	assert.True(t, IsSecretKey("runners[0].token"))
	assert.True(t, IsSecretKey("runners[0].token_files_dir"), "only a key ending in token_file names a file")
}
