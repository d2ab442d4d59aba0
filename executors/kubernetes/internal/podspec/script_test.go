package podspec

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
)

func TestStepScript(t *testing.T) {
	step := common.Step{Name: common.StepScript, Script: []string{"echo 'it''s' Done", "if true; then\n  echo multi\nfi"}}
	got := StepScript(step, StepOptions{
		Files:     common.JobVariables{{Key: "KUBECONFIG_FILE", Value: "x", File: true}},
		JobStatus: JobStatusRunning, AnnounceShell: true, Trace: true,
	})
	want := `set -e
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi
` + archExport + announceShell + `export CI_JOB_STATUS='running'
mkdir -p "$CI_BUILDS_DIR/.variables"
printf '%s' "$KUBECONFIG_FILE" > "$CI_BUILDS_DIR/.variables/KUBECONFIG_FILE"
export KUBECONFIG_FILE="$CI_BUILDS_DIR/.variables/KUBECONFIG_FILE"
mkdir -p "$CI_PROJECT_DIR"
cd "$CI_PROJECT_DIR"
set -x
printf '\033[32;1m$ %s\033[0;m\n' 'echo '\''it'\'''\''s'\'' Done'
echo 'it''s' Done
printf '\033[32;1m$ %s\033[0;m\n' 'if true; then # collapsed multi-line command'
if true; then
  echo multi
fi
`
	require.Equal(t, want, got)
}

// shells are the shells a step's script meets: bash where the image has
// it, else the image's sh, which is dash on Debian and busybox on Alpine
// and busybox images.
var shells = []struct {
	name string
	argv []string
	bash bool
	// pipefail: dash has no pipefail, so a failure inside a pipeline
	// only counts at its end there.
	pipefail bool
}{
	{"bash", []string{"/bin/bash"}, true, true},
	{"dash", []string{"/bin/dash"}, false, false},
	{"busybox", []string{"/bin/busybox", "sh"}, false, true},
}

type scriptRun struct {
	stdout, stderr string
	code           int
}

// runScript runs script in argv on stdin, as StepShell does, with the
// job's environment.
func runScript(t *testing.T, argv []string, script string, env ...string) scriptRun {
	t.Helper()
	if _, err := os.Stat(argv[0]); err != nil {
		t.Skipf("%s is not installed", argv[0])
	}
	dir := t.TempDir()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(script)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "CI_BUILDS_DIR=" + dir, "CI_PROJECT_DIR=" + filepath.Join(dir, "project")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if exit := (*exec.ExitError)(nil); err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}
	return scriptRun{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// The generated script behaves the same in every shell it meets, except
// where the shell itself differs (pipefail), and bash-only syntax works
// when bash runs it.
func TestStepScriptInRealShells(t *testing.T) {
	tests := []struct {
		name   string
		opts   StepOptions
		script []string
		env    []string
		check  func(t *testing.T, sh string, bash, pipefail bool, r scriptRun)
	}{
		{"commands are echoed and run", StepOptions{JobStatus: JobStatusRunning}, []string{"echo hello"}, nil,
			func(t *testing.T, _ string, _, _ bool, r scriptRun) {
				assert.Equal(t, 0, r.code)
				assert.Equal(t, "\x1b[32;1m$ echo hello\x1b[0;m\nhello\n", r.stdout)
			}},
		{"the first failing command ends the step with its status", StepOptions{}, []string{"echo before", "(exit 3)", "echo after"}, nil,
			func(t *testing.T, _ string, _, _ bool, r scriptRun) {
				assert.Equal(t, 3, r.code)
				assert.Contains(t, r.stdout, "before")
				assert.NotContains(t, r.stdout, "after\n")
			}},
		{"a failure inside a pipeline fails the step where the shell has pipefail", StepOptions{}, []string{"false | cat", "echo after"}, nil,
			func(t *testing.T, _ string, _, pipefail bool, r scriptRun) {
				if pipefail {
					assert.Equal(t, 1, r.code)
				} else {
					assert.Equal(t, 0, r.code)
				}
			}},
		{"the first step says which shell runs it", StepOptions{AnnounceShell: true}, []string{"true"}, []string{"BASH_VERSION=not-really"},
			func(t *testing.T, sh string, bash, _ bool, r scriptRun) {
				if bash {
					assert.Regexp(t, `^Running the script with bash 5\.[0-9.]+\([0-9]+\)-release\n`, r.stdout)
				} else {
					// dash and busybox keep an inherited BASH_VERSION;
					// StepShell unsets it, which the next test shows.
					assert.Contains(t, r.stdout, "Running the script with")
				}
			}},
		{"CI_JOB_STATUS is the step's", StepOptions{JobStatus: JobStatusFailed}, []string{`echo "status=$CI_JOB_STATUS"`, `sh -c 'echo "child=$CI_JOB_STATUS"'`}, nil,
			func(t *testing.T, _ string, _, _ bool, r scriptRun) {
				assert.Contains(t, r.stdout, "status=failed\n")
				assert.Contains(t, r.stdout, "child=failed\n", "exported")
			}},
		{"a file variable names a file holding its value", StepOptions{Files: common.JobVariables{{Key: "CONF", Value: "x", File: true}}}, []string{`cat "$CONF"`}, []string{"CONF=line one"},
			func(t *testing.T, _ string, _, _ bool, r scriptRun) {
				assert.Equal(t, 0, r.code, r.stderr)
				assert.True(t, strings.HasSuffix(r.stdout, "line one"), r.stdout)
			}},
		{"sourcing a file the script wrote", StepOptions{}, []string{`echo 'V=sourced' > vars.sh`, `. ./vars.sh`, `echo "V=$V"`}, nil,
			func(t *testing.T, _ string, _, _ bool, r scriptRun) {
				assert.Equal(t, 0, r.code, r.stderr)
				assert.Contains(t, r.stdout, "V=sourced\n")
			}},
		{"bash syntax runs in bash", StepOptions{}, []string{`a=(x y)`, `[[ ${a[1]} == y ]]`, `echo "second=${a[1]}"`}, nil,
			func(t *testing.T, _ string, bash, _ bool, r scriptRun) {
				if bash {
					assert.Equal(t, 0, r.code, r.stderr)
					assert.Contains(t, r.stdout, "second=y\n")
				} else {
					assert.NotEqual(t, 0, r.code, "sh has no arrays")
				}
			}},
		{"CI_DEBUG_TRACE traces the commands on stderr", StepOptions{Trace: true}, []string{"echo traced"}, nil,
			func(t *testing.T, _ string, _, _ bool, r scriptRun) {
				assert.Equal(t, 0, r.code)
				assert.Contains(t, r.stderr, "+ echo traced")
				assert.NotContains(t, r.stderr, "mkdir", "the preamble is not traced")
			}},
	}
	for _, sh := range shells {
		for _, tt := range tests {
			t.Run(sh.name+"/"+tt.name, func(t *testing.T) {
				script := StepScript(common.Step{Name: common.StepScript, Script: tt.script}, tt.opts)
				tt.check(t, sh.name, sh.bash, sh.pipefail, runScript(t, sh.argv, script, tt.env...))
			})
		}
	}
}

// StepShell runs the first bash it finds, else sh, and the script's first
// line names the one that runs it, whatever the environment says.
func TestStepShellPicksBashElseSh(t *testing.T) {
	busyboxSh := t.TempDir()
	require.NoError(t, os.Symlink("/bin/busybox", filepath.Join(busyboxSh, "sh")))
	tests := []struct {
		name  string
		paths []string
		path  string // PATH, where sh is found
		want  string
	}{
		{"bash where the image has it", []string{"/nonexistent/bash", "/bin/bash"}, os.Getenv("PATH"), "Running the script with bash 5."},
		{"dash as sh", []string{"/nonexistent/bash"}, "/bin", "Running the script with sh: the image has no bash\n"},
		{"busybox as sh", []string{"/nonexistent/bash"}, busyboxSh, "Running the script with sh: the image has no bash\n"},
	}
	script := StepScript(common.Step{Name: common.StepScript, Script: []string{"exit 4"}}, StepOptions{AnnounceShell: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := shellCommand(tt.paths)
			argv[0] = "/bin/sh"
			r := runScript(t, argv, script, "PATH="+tt.path, "BASH_VERSION=inherited")
			assert.True(t, strings.HasPrefix(r.stdout, tt.want), r.stdout)
			assert.Equal(t, 4, r.code)
		})
	}
}

func TestDebugTrace(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "1": true, "TRUE": true, "false": false, "": false, "yes": false} {
		t.Run(v, func(t *testing.T) {
			assert.Equal(t, want, DebugTrace(common.JobVariables{{Key: "CI_DEBUG_TRACE", Value: v}}))
		})
	}
	assert.False(t, DebugTrace(nil))
}

// The runner's shell chooses what runs the script: bash where the image
// has it (else sh), or sh always.
func TestStepShellRuns(t *testing.T) {
	for _, tt := range []struct{ shell, want string }{{"", "bash"}, {config.ShellBash, "bash"}, {config.ShellSh, "sh"}} {
		t.Run(tt.shell, func(t *testing.T) {
			if _, err := os.Stat("/bin/bash"); err != nil && tt.want == "bash" {
				t.Skip("no bash here")
			}
			argv := StepShell(tt.shell)
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Stdin = strings.NewReader(`if [ -n "${BASH_VERSION:-}" ]; then echo bash; else echo sh; fi` + "\n")
			out, err := cmd.Output()
			require.NoError(t, err)
			assert.Equal(t, tt.want, strings.TrimSpace(string(out)))
		})
	}
}
