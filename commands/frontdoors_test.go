package commands

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
)

// TestConfigCheckAndExecAgree: config check and exec load config.toml
// through the same validator, so a file one refuses the other refuses, and
// the messages are the same, with file, line and key.
func TestConfigCheckAndExecAgree(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		runner string // for exec, when the file has several
		refuse string // a message both print; "" when both accept
	}{
		{name: "a runner", src: "[[runners]]\nname = \"a\"\n"},
		{name: "unsupported keys only warn", src: "connection_max_age = \"15m\"\n[[runners]]\nname = \"a\"\n[runners.cache]\n"},
		{name: "several runners", src: "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"b\"\n", runner: "b"},
		{name: "variable name with a space", src: "[[runners]]\nenvironment = [\"A B=1\"]\n",
			refuse: `:2: runners[0].environment[0]: "A B" is not a valid variable name`},
		{name: "variable name starting with a digit", src: "[[runners]]\n  environment = [\"OK=1\", \"1X=1\"]\n",
			refuse: `:2: runners[0].environment[1]: "1X" is not a valid variable name`},
		{name: "empty file", src: "", refuse: "the file has no [[runners]] entry"},
		{name: "no runners", src: "concurrent = 4\n", refuse: "the file has no [[runners]] entry"},
		{name: "repeated runner name", src: "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"a\"\n", runner: "a",
			refuse: `:4: runners[1].name: runner name "a" is already used by runners[0] (line 2)`},
		{name: "pull policy outside allowed", src: "[[runners]]\n[runners.kubernetes]\npull_policy = \"never\"\nallowed_pull_policies = [\"always\"]\n",
			refuse: ":3: runners[0].kubernetes.pull_policy: none of"},
		{name: "nested too deeply", src: "[[runners]]\nname = " + strings.Repeat("{a = ", 80) + "1" + strings.Repeat("}", 80) + "\n",
			refuse: ":2: tables, arrays and inline tables nest deeper than the limit of 64 levels"},
		{name: "invalid TOML", src: "[[runners]]\nname = = 1\n", refuse: ":2: invalid TOML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			require.NoError(t, os.WriteFile(path, []byte(tt.src), 0o600))

			var stdout, stderr bytes.Buffer
			checkCode := Main([]string{"config", "check", "--config", path}, &stdout, &stderr)
			runner, execErr := pickRunner(config.Location{Path: path, Source: config.FromFlag}, tt.runner, io.Discard)

			if tt.refuse == "" {
				assert.Equal(t, ExitOK, checkCode, stdout.String())
				require.NoError(t, execErr)
				assert.NotNil(t, runner)
				return
			}
			assert.Equal(t, ExitError, checkCode)
			require.Error(t, execErr)
			assert.Contains(t, stdout.String(), "error: "+path)
			assert.Contains(t, stdout.String(), tt.refuse)
			assert.Contains(t, execErr.Error(), path)
			assert.Contains(t, execErr.Error(), tt.refuse)
		})
	}
}
