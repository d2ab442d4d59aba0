package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

// A job must never succeed without running what it was given. GitLab
// sends a job that uses `run:` (CI steps) with no script step and its
// steps elsewhere in the payload; kuberunner does not run those yet, so
// the job fails as runner_unsupported and its log names `run:`.
func TestJobThatWouldRunNothingFails(t *testing.T) {
	const script = `{"name": "script", "script": ["true"], "when": "on_success"}`
	const after = `{"name": "after_script", "script": ["true"], "when": "always"}`
	for _, tc := range []struct {
		name, fields, want string
	}{
		{"run: and no script step", `"run": "[{\"name\": \"hello\", \"script\": \"echo hi\"}]", "steps": []`, "uses `run:`"},
		{"run: as a list", `"run": [{"name": "hello", "script": "echo hi"}]`, "uses `run:`"},
		{"run: beside a script step", `"run": "[]", "steps": [` + script + `]`, "uses `run:`"},
		{"no steps at all", `"steps": []`, "no script to run"},
		{"no steps field", `"image": {"name": "alpine"}`, "no script to run"},
		{"only after_script", `"steps": [` + after + `]`, "no script to run"},
		{"a script step without commands", `"steps": [{"name": "script", "script": [], "when": "on_success"}]`, "no script to run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, "tok")
			cfg, path := testConfig(t, srv.URL, 1, "tok")
			releaseFakeJobs()
			srv.EnqueueRaw(4343, "job-token-4343", fmt.Appendf(nil,
				`{"id": 4343, "token": "job-token-4343", "features": {"failure_reasons": ["script_failure", "runner_unsupported"]}, %s}`, tc.fields))
			graceful, done := startDaemon(t, srv, cfg, path)
			require.Eventually(t, func() bool { rec, _ := srv.Job(4343); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
			close(graceful)
			require.NoError(t, <-done)

			rec, _ := srv.Job(4343)
			assert.Equal(t, "failed", rec.State)
			assert.Equal(t, "runner_unsupported", rec.FailureReason)
			assert.Contains(t, string(rec.Trace), tc.want)
			assert.Contains(t, string(rec.Trace), "`run:`", "the message names run: in every case")
			assert.NotContains(t, string(rec.Trace), "job 4343 runs", "the executor never ran")
		})
	}
}
