package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/logbuf"
)

// GitLab echoing what it was sent (an error page, a proxy) does not get
// the runner token, the job token or the userinfo of the runner's URL into
// the daemon's log, in "Asking … for a job failed" or in "Reporting the
// job to GitLab failed": not when it echoes them in an answer's body, and
// not when it echoes the job token where the client quotes a header (a
// 416's Range, during the resend a 412 asks for).
func TestDaemonLogHidesEchoedSecrets(t *testing.T) {
	const (
		runnerToken = "glrt-runner-secret"
		jobToken    = "glcbt-job-secret"
		user, pass  = "glpat-user-secret", "pass-secret"
	)
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "runner=%s job=%s auth=%s body=%s", r.Header.Get("RUNNER-TOKEN"), r.Header.Get("JOB-TOKEN"), r.Header.Get("Authorization"), body)
	}
	for _, tc := range []struct {
		name string
		// after the job: the job request, the trace and the update.
		request, trace, update http.HandlerFunc
		want                   []string
	}{
		{name: "in the body", request: echo, update: echo,
			trace: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) },
			want:  []string{"Asking", "Reporting the job to GitLab failed"}},
		{name: "in a 416's Range",
			request: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) },
			trace: func() http.HandlerFunc {
				var patches atomic.Int32
				return func(w http.ResponseWriter, r *http.Request) {
					if patches.Add(1) == 1 {
						w.WriteHeader(http.StatusAccepted)
						return
					}
					w.Header().Set("Range", "0-"+r.Header.Get("JOB-TOKEN"))
					w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				}
			}(),
			update: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusPreconditionFailed) },
			want:   []string{"Reporting the job to GitLab failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := job("true")
			j.ID, j.Token = 99, jobToken
			payload, err := json.Marshal(j)
			require.NoError(t, err)
			var asked atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("POST /api/v4/jobs/request", func(w http.ResponseWriter, r *http.Request) {
				if asked.Add(1) > 1 {
					tc.request(w, r)
					return
				}
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write(payload)
			})
			mux.HandleFunc("PATCH /api/v4/jobs/{id}/trace", tc.trace)
			mux.HandleFunc("PUT /api/v4/jobs/{id}", tc.update)
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)

			cfg, path := testConfig(t, strings.Replace(srv.URL, "://", "://"+user+":"+pass+"@", 1), 1, runnerToken)
			cfg.Runners[0].Name = "runner-a"
			releaseFakeJobs()
			out := &logbuf.Buffer{}
			d, err := New(cfg, Options{ConfigPath: path, Log: textLogger(out), HTTPClient: srv.Client()})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan error)
			go func() { done <- d.Run(ctx, nil) }()
			require.Eventually(t, func() bool {
				log := out.String()
				for _, w := range tc.want {
					if !strings.Contains(log, w) {
						return false
					}
				}
				return true
			}, 30*time.Second, 10*time.Millisecond, out.String())
			cancel()
			require.NoError(t, <-done)

			log := out.String()
			assert.Contains(t, log, "[MASKED]", "the echo is logged, masked")
			for _, secret := range []string{runnerToken, jobToken, user, pass} {
				assert.NotContains(t, log, secret)
			}
		})
	}
}
