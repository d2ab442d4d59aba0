package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// A runner token GitLab rejects, with 401 as with 403, is tried three
// times, then the runner pauses (ForbiddenPause) instead of asking every
// check_interval for ever; each rejection is an error that says the token
// was rejected, without the token.
func TestRejectedRunnerTokenPauses(t *testing.T) {
	const token = "glrt-rejected-secret"
	for _, status := range []int{401, 403} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := coordinator.New(t, token)
			srv.Inject(coordinator.EndpointRequest, coordinator.Fault{Status: status, Times: 100})
			cfg, path := testConfig(t, srv.URL, 1, token)
			cfg.Runners[0].Name = "runner-a"
			out := &logbuf.Buffer{}
			d, err := New(cfg, Options{ConfigPath: path, Log: textLogger(out), HTTPClient: srv.Client(), ForbiddenPause: time.Hour})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan error)
			go func() { done <- d.Run(ctx, nil) }()

			// check_interval is 1 s: three requests take 2 s.
			require.Eventually(t, func() bool { return strings.Contains(out.String(), "pauses for 1h0m0s") },
				5*time.Second, 10*time.Millisecond, out.String())
			time.Sleep(1500 * time.Millisecond) // longer than check_interval
			cancel()
			require.NoError(t, <-done)

			assert.Len(t, srv.RequestsTo(coordinator.PathJobsRequest), 3)
			log := out.String()
			assert.Len(t, linesWith(log, "level=error", "GitLab rejected the runner token of \\\"runner-a\\\"", fmt.Sprintf("(%d)", status)), 3, log)
			assert.NotContains(t, log, token)
		})
	}
}
