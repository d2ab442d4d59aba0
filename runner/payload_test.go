package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// A job GitLab assigned is reported, however its payload breaks: one that
// did not arrive whole as runner_system_failure, one with a value of the
// wrong type as configuration_error with the failure reasons, name and
// project it did send. Either way the daemon's log says so, and the next
// job is not lost.
func TestBrokenPayloadIsReported(t *testing.T) {
	const start = `{"id": 4242, "token": "job-token-4242", "job_info": {"name": "build", "project_id": 42}, ` +
		`"features": {"failure_reasons": ["script_failure", "configuration_error"]}, `
	const steps = `"steps": [{"name": "script", "script": ["true"], "when": "on_success"}]`
	cut := &coordinator.PayloadFault{Cut: len(start)}
	for _, tc := range []struct {
		name    string
		payload string
		fault   *coordinator.PayloadFault
		// reason is what GitLab gets; "" when the job cannot be reported.
		reason string
		logs   []string
	}{
		{name: "cut short", payload: start + steps + "}", fault: cut, reason: "runner_system_failure",
			logs: []string{`msg="GitLab assigned a job whose payload cannot be read: failing it"`, "job=4242", "unexpected EOF"}},
		{name: "cut before the id", payload: start + steps + "}", fault: &coordinator.PayloadFault{Cut: 3},
			logs: []string{`level=error msg="GitLab assigned a job whose payload cannot be read, nor its id and token: it cannot be reported"`}},
		{name: "variables as an object", payload: start + steps + `, "variables": {"A": "1"}}`, reason: "configuration_error",
			logs: []string{`msg="Job received: build"`, "project=42", "failing it"}},
		{name: "a string timeout", payload: start + steps + `, "runner_info": {"timeout": "3600"}}`, reason: "configuration_error",
			logs: []string{`msg="Job received: build"`, "project=42"}},
		{name: "an unknown pull_policy", payload: start + steps + `, "image": {"name": "alpine", "pull_policy": "sometimes"}}`,
			reason: "configuration_error", logs: []string{`msg="Job received: build"`, "project=42"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, "tok")
			cfg, path := testConfig(t, srv.URL, 1, "tok")
			releaseFakeJobs()
			srv.EnqueueRaw(4242, "job-token-4242", []byte(tc.payload))
			if tc.fault != nil {
				srv.BreakPayload(4242, *tc.fault)
			}
			next := srv.Enqueue(job("true"))
			out := &logbuf.Buffer{}
			graceful, done := startDaemonWith(t, srv, cfg, path, textLogger(out))
			require.Eventually(t, func() bool { rec, _ := srv.Job(next); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
			if tc.reason != "" {
				require.Eventually(t, func() bool { rec, _ := srv.Job(4242); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
			}
			close(graceful)
			require.NoError(t, <-done)

			rec, _ := srv.Job(4242)
			if tc.reason == "" {
				assert.Zero(t, rec.FinalUpdates, "nothing to report it by")
			} else {
				assert.Equal(t, 1, rec.FinalUpdates)
				assert.Equal(t, "failed", rec.State)
				assert.Equal(t, tc.reason, rec.FailureReason)
				assert.Contains(t, string(rec.Trace), "the job payload cannot be read")
			}
			rec, _ = srv.Job(next)
			assert.Equal(t, "success", rec.State, "the next job runs")
			log := out.String()
			for _, want := range tc.logs {
				assert.Contains(t, log, want)
			}
			assert.NotContains(t, log, "job-token-4242")
			assert.Empty(t, srv.Violations())
		})
	}
}
