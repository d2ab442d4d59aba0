package kubernetes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/artifacts"
)

func artifactJob() *common.Job {
	return &common.Job{ID: 7, Token: "job-token-7",
		Artifacts: []common.JobArtifact{
			{Name: "$CI_JOB_NAME-out", Paths: []string{"dist/$OUT"}, Exclude: []string{"dist/*.log"}, ExpireIn: "1 week"},
			{Name: "junit", Paths: []string{"report.xml"}, When: "always", ArtifactType: "junit", ArtifactFormat: "gzip"},
		},
		Dependencies: []common.JobDependency{
			{ID: 5, Name: "build", Token: "job-token-7", ArtifactsFile: &common.DependencyArtifactsFile{Filename: "artifacts.zip", Size: 10}},
			{ID: 6, Name: "lint", Token: "job-token-7"},
		},
	}
}

func TestNewArtifactPlan(t *testing.T) {
	runner := &config.RunnerConfig{URL: "https://gitlab.example"}
	p, err := newArtifactPlan(artifactJob(), runner, vars("CI_JOB_NAME", "build", "OUT", "bin"), "/builds/g/p")
	require.NoError(t, err)
	require.Len(t, p.downloads, 1, "a dependency without an archive is skipped")
	assert.Equal(t, artifacts.DownloadRequest{Target: artifacts.Target{URL: "https://gitlab.example", JobID: 5, Token: "job-token-7"}, Name: "build", Dir: "/builds/g/p"}, p.downloads[0])
	require.Len(t, p.uploads, 2)
	assert.Equal(t, artifactUpload{when: "on_success", req: artifacts.UploadRequest{
		Target: artifacts.Target{URL: "https://gitlab.example", JobID: 7, Token: "job-token-7"}, Dir: "/builds/g/p",
		Name: "build-out", Type: "archive", Format: "zip", ExpireIn: "1 week", Paths: []string{"dist/bin"}, Exclude: []string{"dist/*.log"},
	}}, p.uploads[0])
	assert.Equal(t, "always", p.uploads[1].when)
	assert.Equal(t, artifacts.FormatGzip, p.uploads[1].req.Format)
}

func TestNewArtifactPlanRefuses(t *testing.T) {
	runner := &config.RunnerConfig{URL: "https://gitlab.example"}
	tests := []struct {
		name string
		edit func(*common.Job)
		vars common.JobVariables
		want string
	}{
		{"when", func(j *common.Job) { j.Artifacts[0].When = "sometimes" }, nil, `when "sometimes" is not on_success, on_failure or always`},
		{"format", func(j *common.Job) { j.Artifacts[1].ArtifactFormat = "tar" }, nil, `artifact_format "tar"`},
		{"compression", nil, vars("ARTIFACT_COMPRESSION_LEVEL", "max"), `ARTIFACT_COMPRESSION_LEVEL "max"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := artifactJob()
			if tt.edit != nil {
				tt.edit(job)
			}
			_, err := newArtifactPlan(job, runner, tt.vars, "/builds/g/p")
			var ce *podspec.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNewArtifactPlanWithoutGitLab(t *testing.T) {
	p, err := newArtifactPlan(artifactJob(), &config.RunnerConfig{}, nil, "/builds/g/p")
	require.NoError(t, err)
	assert.Empty(t, p.uploads)
	assert.Len(t, p.warnings, 1)
}

// helperCalls records the helper's commands and answers each with the
// exit status its subcommand is given (0 when absent).
type helperCalls struct {
	calls []string
	exits map[string]int // "artifacts-upload junit" → status
}

func (h *helperCalls) run(_ context.Context, cmd []string, stdin io.Reader, _ func(string, []string) []string) error {
	body, _ := io.ReadAll(stdin)
	var req struct{ Name string }
	_ = json.Unmarshal(body, &req)
	key := cmd[0] + " " + req.Name
	h.calls = append(h.calls, key)
	if code := h.exits[key]; code != 0 {
		return &ExecExitError{Container: "helper", Code: code}
	}
	return nil
}

// artifactLogRecorder records sections and error lines.
type artifactLogRecorder struct{ lines []string }

func (l *artifactLogRecorder) Errorln(args ...any) {
	l.lines = append(l.lines, "ERROR "+fmt.Sprint(args...))
}
func (l *artifactLogRecorder) SectionStart(n, h string) { l.lines = append(l.lines, "section "+h) }
func (l *artifactLogRecorder) SectionEnd(string)        {}

func testPlan(t *testing.T) *artifactPlan {
	p, err := newArtifactPlan(artifactJob(), &config.RunnerConfig{URL: "https://gitlab.example"}, vars("CI_JOB_NAME", "build"), "/builds/g/p")
	require.NoError(t, err)
	p.uploads = append(p.uploads, artifactUpload{when: "on_failure", req: artifacts.UploadRequest{Name: "debug", Type: "archive", Format: "zip"}})
	return p
}

func TestUploadArtifactsWhen(t *testing.T) {
	scriptFailed := &common.BuildError{FailureReason: common.ScriptFailure, ExitCode: 1}
	tests := []struct {
		name   string
		result error
		want   []string
	}{
		{"success", nil, []string{"artifacts-upload build-out", "artifacts-upload junit"}},
		{"failure", scriptFailed, []string{"artifacts-upload junit", "artifacts-upload debug"}},
		{"canceled", &common.BuildError{Inner: executors.ErrCanceled, FailureReason: common.ScriptFailure}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &helperCalls{}
			err := testPlan(t).uploadArtifacts(t.Context(), h.run, &artifactLogRecorder{}, tt.result)
			assert.Equal(t, tt.result, err, "the steps' result stands when every upload works")
			assert.Equal(t, tt.want, h.calls)
		})
	}
}

func TestUploadArtifactsFailures(t *testing.T) {
	tests := []struct {
		name   string
		exit   int
		result error
		reason common.FailureReason
	}{
		{"too large after success", artifacts.ExitJobFault, nil, common.ScriptFailure},
		{"network after success", 1, nil, common.RunnerSystemFailure},
		{"after a failure the script's failure stands", 1, &common.BuildError{FailureReason: common.ScriptFailure, ExitCode: 2}, common.ScriptFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &helperCalls{exits: map[string]int{"artifacts-upload junit": tt.exit}}
			log := &artifactLogRecorder{}
			err := testPlan(t).uploadArtifacts(t.Context(), h.run, log, tt.result)
			var be *common.BuildError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tt.reason, be.FailureReason)
			if tt.result != nil {
				assert.Equal(t, tt.result, err)
				assert.Contains(t, strings.Join(log.lines, "\n"), `ERROR Uploading artifacts "junit" failed`)
			}
			assert.Contains(t, h.calls, "artifacts-upload junit", "every upload is tried")
		})
	}
}

func TestDownloadArtifacts(t *testing.T) {
	tests := []struct {
		exit   int
		reason common.FailureReason
	}{
		{0, ""},
		{artifacts.ExitMissing, common.MissingDependencyFailure},
		{artifacts.ExitJobFault, common.ScriptFailure},
		{1, common.RunnerSystemFailure},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.exit), func(t *testing.T) {
			h := &helperCalls{exits: map[string]int{"artifacts-download build": tt.exit}}
			log := &artifactLogRecorder{}
			err := testPlan(t).downloadArtifacts(t.Context(), h.run, log)
			assert.Equal(t, []string{"artifacts-download build"}, h.calls)
			assert.Equal(t, []string{"section Downloading artifacts"}, log.lines)
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			var be *common.BuildError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tt.reason, be.FailureReason)
			assert.True(t, errors.Is(err, &common.BuildError{FailureReason: tt.reason}))
		})
	}
}
