package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/exitmark"
)

// A step as the build container runs it, but on this machine: the exit
// marker's wrapper around the shell, the script on stdin, both streams
// into one masked build log. In every shell, a masked value that
// CI_DEBUG_TRACE's tracing prints is masked, and the marker carries the
// script's status and stays out of the log.
func TestTracedStepIsMaskedInEveryShell(t *testing.T) {
	const secret = "s3cr3t-Value-42"
	shells := []struct {
		name string
		argv []string
	}{
		{"StepShell (bash here)", podspec.StepShell(config.ShellBash)},
		{"StepShell sh", podspec.StepShell(config.ShellSh)},
		{"bash", []string{"/bin/bash"}},
		{"dash", []string{"/bin/dash"}},
		{"busybox", []string{"/bin/busybox", "sh"}},
	}
	step := common.Step{Name: common.StepScript, Script: []string{`echo "token is $SECRET" >/dev/null`, `test "$SECRET" = nope`}}
	script := podspec.StepScript(step, podspec.StepOptions{JobStatus: podspec.JobStatusRunning, AnnounceShell: true, Trace: true})
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := exec.LookPath(sh.argv[0]); err != nil {
				t.Skipf("%s is not installed", sh.argv[0])
			}
			var out bytes.Buffer
			log := buildlog.New(&out, buildlog.LogFormatTerminal, []string{secret})
			stdout, stderr := log.Stream(), log.Stream()
			nonce := exitmark.NewNonce()
			marks := exitmark.NewFilter(stderr, nonce)
			argv := exitmark.Shell(nonce, sh.argv)
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SECRET=" + secret, "CI_BUILDS_DIR=" + t.TempDir(), "CI_PROJECT_DIR=" + t.TempDir()}
			cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(script), stdout, marks
			err := cmd.Run()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "%v", err)
			require.NoError(t, marks.Flush())
			closeStream(stdout)
			closeStream(stderr)
			require.NoError(t, log.Close())

			text := out.String()
			assert.NotContains(t, text, secret)
			assert.Contains(t, text, "token is [MASKED]", "the trace shows the command, masked")
			assert.NotContains(t, text, "kuberunner-exit", "the marker is not in the log")
			code, seen := marks.Exit()
			assert.True(t, seen)
			assert.Equal(t, 1, code)
			assert.Equal(t, 1, exit.ExitCode())
		})
	}
}

// after_script's CI_JOB_STATUS is the result of the steps before it, and
// only the first step that runs says which shell runs the script.
func TestStepRunStatus(t *testing.T) {
	script := common.Step{Name: common.StepScript, Script: []string{"true"}}
	after := common.Step{Name: common.StepAfterScript, Script: []string{"true"}, When: common.WhenAlways}
	exitErr := &ExecExitError{Container: "build", Code: 1}
	tests := []struct {
		name  string
		err   error // the script step's
		allow bool
		want  string
	}{
		{"success", nil, false, podspec.JobStatusSuccess},
		{"failed", exitErr, false, podspec.JobStatusFailed},
		{"allowed failure is still failed", exitErr, true, podspec.JobStatusFailed},
		{"canceled", executors.ErrCanceled, false, podspec.JobStatusCanceled},
		{"system failure", errors.New("stream lost"), false, podspec.JobStatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := script
			script.AllowFailure = tt.allow
			r := &stepRun{}
			first := r.script(script)
			assert.Contains(t, first, "export CI_JOB_STATUS='running'")
			assert.Contains(t, first, "Running the script with")
			r.record(script, tt.err)
			second := r.script(after)
			assert.Contains(t, second, "export CI_JOB_STATUS='"+tt.want+"'")
			assert.NotContains(t, second, "Running the script with")
		})
	}
}

// The runner's build scripts run in the script step's shell, around
// before_script and script; after_script runs without them.
func TestStepRunRunnerScripts(t *testing.T) {
	r := &stepRun{scripts: config.RunnerScripts{PreBuild: "export FROM_RUNNER=1", PostBuild: "echo post-build"}}
	script := r.script(common.Step{Name: common.StepScript, Script: []string{"echo before", "echo script"}})
	at := func(s string) int { return strings.Index(script, s+"\n") }
	assert.True(t, 0 < at("export FROM_RUNNER=1") && at("export FROM_RUNNER=1") < at("echo before") &&
		at("echo before") < at("echo script") && at("echo script") < at("echo post-build"), script)
	after := r.script(common.Step{Name: common.StepAfterScript, Script: []string{"echo after"}})
	assert.NotContains(t, after, "FROM_RUNNER")
	assert.NotContains(t, after, "post-build")
}

// Prepare names the security profile and says when the script will be
// traced, or that the runner refuses to trace it; it sends no request, so
// an unreachable API server does not matter.
func TestPrepareLogsProfileAndTrace(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		disabled bool
		trace    bool
		want     string
	}{
		{"no trace", "false", false, false, ""},
		{"trace", "true", false, true, "WARNING: CI_DEBUG_TRACE is on"},
		{"trace disabled by the runner", "1", true, false, "WARNING: CI_DEBUG_TRACE is disabled on this runner (debug_trace_disabled = true)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := buildlog.New(&buf, buildlog.LogFormatTerminal, nil)
			e := New(&rest.Config{Host: "http://127.0.0.1:1"})
			job := &common.Job{ID: 1, Variables: common.JobVariables{{Key: "CI_DEBUG_TRACE", Value: tt.value}}}
			runner := &config.RunnerConfig{Name: "r", DebugTraceDisabled: tt.disabled, Kubernetes: &config.KubernetesConfig{Image: "busybox"}}
			require.NoError(t, e.Prepare(context.Background(), executors.Options{Job: job, Runner: runner, Log: log}))
			require.NoError(t, log.Close())
			assert.Equal(t, tt.trace, e.trace)
			assert.Contains(t, buf.String(), `Security profile "baseline"`)
			if tt.want != "" {
				assert.Contains(t, buf.String(), tt.want)
			} else {
				assert.NotContains(t, buf.String(), "CI_DEBUG_TRACE")
			}
		})
	}
}
