package podspec

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

// runHook runs HookScript with this machine's sh, in an empty
// environment as the helper container's is, the file variables under a
// temporary directory.
func runHook(t *testing.T, lines []string, vars common.JobVariables) (stdout, stderr string, code int) {
	t.Helper()
	script := strings.ReplaceAll(HookScript(lines, vars), HookVariablesDir, filepath.Join(t.TempDir(), "vars"))
	cmd := exec.Command("sh")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.Stdin = strings.NewReader(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run()
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func TestHookScript(t *testing.T) {
	dir := t.TempDir()
	vars := common.JobVariables{
		{Key: "CI_PROJECT_DIR", Value: filepath.Join(dir, "group", "project")},
		{Key: "GREETING", Value: "first"},
		{Key: "GREETING", Value: "it's \"quoted\"\n$NOT_EXPANDED `nor this`"},
		{Key: "SECRET", Value: "s3cret-value", Masked: true},
		{Key: "CONFIG", Value: "file content\n", File: true},
	}
	cases := []struct {
		name   string
		lines  []string
		stdout []string
		code   int
	}{
		{"sees the job's variables, the last value of each", []string{`printf '%s\n' "$GREETING"`},
			[]string{"$ printf '%s\\n' \"$GREETING\"", "it's \"quoted\"\n$NOT_EXPANDED `nor this`"}, 0},
		{"runs in the project directory", []string{"pwd"}, []string{filepath.Join(dir, "group", "project")}, 0},
		{"a file variable names a file holding its value", []string{`cat "$CONFIG"`, `ls -l "$CONFIG"`}, []string{"file content", "-rw-------"}, 0},
		{"stops at the first failing command", []string{"echo before", "false", "echo after"}, []string{"before"}, 1},
		{"an exit code is the hook's", []string{"exit 3"}, nil, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runHook(t, c.lines, vars)
			require.Equal(t, c.code, code, "stderr: %s", stderr)
			for _, want := range c.stdout {
				require.Contains(t, stdout, want)
			}
			require.NotContains(t, stdout, "after")
			require.NotContains(t, stdout+stderr, "s3cret-value", "no value is echoed")
		})
	}
}

func TestHookScriptText(t *testing.T) {
	got := HookScript([]string{"echo hi"}, common.JobVariables{{Key: "A", Value: "x'y"}, {Key: "F", Value: "v", File: true}})
	want := `set -e
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi
export A='x'\''y'
export F='v'
(umask 077 && mkdir -p /tmp/kuberunner-variables)
(umask 077 && printf '%s' "$F" > /tmp/kuberunner-variables/F)
export F=/tmp/kuberunner-variables/F
mkdir -p "$CI_PROJECT_DIR"
cd "$CI_PROJECT_DIR"
printf '\033[32;1m$ %s\033[0;m\n' 'echo hi'
echo hi
`
	require.Equal(t, want, got)
}
