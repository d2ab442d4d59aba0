package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
)

// list prints each runner with its executor, short token and URL without
// userinfo, from the file -c, $CONFIG_FILE or $KUBERUNNER_CONFIG names.
func TestList(t *testing.T) {
	f := newRunnersFixture(t, "a", "b")
	short := filepath.Join(t.TempDir(), "short.toml")
	require.NoError(t, os.WriteFile(short, []byte("[[runners]]\nname = \"tiny\"\nurl = \"https://gitlab.example.com\"\ntoken = \"tok\"\n"), 0o600))
	host := f.coord.URL[len("http://"):]
	wantAB := fmt.Sprintf("%-30s Executor=kubernetes Token=aaaaaaaaa URL=%s\n%-30s Executor=kubernetes Token=bbbbbbbbb URL=http://[REDACTED]@%s\n",
		"a", f.coord.URL, "b", host)
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{name: "-c", args: []string{"list", "-c", f.path}, stdout: wantAB, stderr: "Listing configured runners in " + f.path},
		{name: "--config", args: []string{"list", "--config", f.path}, stdout: wantAB},
		{name: "CONFIG_FILE", args: []string{"list"}, env: map[string]string{"CONFIG_FILE": f.path}, stdout: wantAB},
		{name: "KUBERUNNER_CONFIG", args: []string{"list"}, env: map[string]string{config.EnvVar: f.path}, stdout: wantAB},
		{name: "a token too short to show any of", args: []string{"list", "-c", short},
			stdout: fmt.Sprintf("%-30s Executor=kubernetes Token=(not shown) URL=https://gitlab.example.com\n", "tiny")},
		{name: "missing file", args: []string{"list", "-c", filepath.Join(t.TempDir(), "nope.toml")}, code: ExitError, stderr: "cannot read the file"},
		{name: "argument", args: []string{"list", "x"}, code: ExitUsage, stderr: `unexpected argument "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, tt.args, tt.env)
			assert.Equal(t, tt.code, code, stderr)
			assert.Equal(t, tt.stdout, stdout)
			assert.Contains(t, stderr, tt.stderr)
			assert.NotContains(t, stdout, "Token=tok ", "a short token is not shown whole")
		})
	}
}
