package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// GitLab answering 502 twice and then serving costs the job nothing, and
// each retry is a warning in the daemon's own log that names the request,
// the status and the wait, with the runner's name and without a token.
func TestCoordinator502IsRetriedWithAWarning(t *testing.T) {
	const runnerToken = "glrt-secret-runner-token"
	for _, tc := range []struct {
		name     string
		endpoint coordinator.Endpoint
		// route is how the warning names the request; {id} is the job's.
		route string
	}{
		{"job request", coordinator.EndpointRequest, "POST /api/v4/jobs/request"},
		{"rest of the log", coordinator.EndpointTrace, "PATCH /api/v4/jobs/{id}/trace"},
		{"final update", coordinator.EndpointUpdate, "PUT /api/v4/jobs/{id}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			cfg, path := testConfig(t, srv.URL, 1, runnerToken)
			cfg.Runners[0].Name = "runner-a"
			releaseFakeJobs()
			srv.Inject(tc.endpoint, coordinator.Fault{Status: 502, Times: 2})
			id := srv.Enqueue(job("true"))
			out := &logbuf.Buffer{}

			graceful, done := startDaemonWith(t, srv, cfg, path, textLogger(out))
			require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
			close(graceful)
			require.NoError(t, <-done)

			rec, _ := srv.Job(id)
			assert.Equal(t, "success", rec.State)
			assert.Contains(t, string(rec.Trace), fmt.Sprintf("job %d runs", id))
			assert.Empty(t, srv.Violations())
			log := out.String()
			route := strings.ReplaceAll(tc.route, "{id}", fmt.Sprint(id))
			warnings := linesWith(log, "level=warning", fmt.Sprintf("endpoint=%q", route))
			require.Len(t, warnings, 2, log)
			for i, line := range warnings {
				assert.Contains(t, line, "status=502")
				assert.Regexp(t, `wait=[0-9.]+m?s`, line)
				assert.Contains(t, line, fmt.Sprintf("attempt=%d", i+1))
				assert.Contains(t, line, "runner=runner-a")
			}
			assert.NotContains(t, log, runnerToken)
			assert.NotContains(t, log, rec.Token)
		})
	}
}

// textLogger is the daemon's text log into out, without timestamps or
// colours so that lines can be matched.
func textLogger(out *logbuf.Buffer) *logrus.Logger {
	log := logrus.New()
	log.SetOutput(out)
	log.SetFormatter(&logrus.TextFormatter{DisableColors: true, DisableTimestamp: true})
	return log
}

// linesWith are the lines of log that contain every one of parts.
func linesWith(log string, parts ...string) []string {
	var found []string
	for line := range strings.Lines(log) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			found = append(found, line)
		}
	}
	return found
}
