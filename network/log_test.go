package network

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

// A retry's warning names the request, the status (or, with no answer, the
// cause) and the wait; it never shows the token or the URL's credentials,
// even from a server that echoes what it was sent.
func TestRetryWarning(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int // 0: no answer
		header map[string]string
		want   logrus.Fields
	}{
		{name: "502", status: 502, want: logrus.Fields{"status": 502, "wait": time.Second}},
		{name: "429 with Retry-After", status: 429, header: coordinator.RetryAfter(7), want: logrus.Fields{"status": 429, "wait": 7 * time.Second}},
		{name: "no answer", want: logrus.Fields{"wait": time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := echoOnce(t, tc.status, tc.header)
			base, err := url.Parse(srv.URL)
			require.NoError(t, err)
			base.User = url.UserPassword("user", "url-secret")
			base.Path = "/gitlab"
			log, hook := logtest.NewNullLogger()
			c, err := New(Config{
				URL: base.String(), Token: runnerToken, SystemID: testSystem, HTTPClient: srv.Client(),
				Clock: coordinator.NewAutoClock(clockStart), Retry: RetryPolicy{Backoff: noJitter, MaxAttempts: 2}, Logger: log,
			})
			require.NoError(t, err)
			if tc.status == 0 {
				srv.Close()
			}

			_, _ = c.RequestJob(t.Context())

			require.Len(t, hook.AllEntries(), 1)
			e := hook.LastEntry()
			assert.Equal(t, logrus.WarnLevel, e.Level)
			assert.Equal(t, "POST /gitlab/api/v4/jobs/request", e.Data["endpoint"])
			assert.Equal(t, 1, e.Data["attempt"])
			for k, v := range tc.want {
				assert.Equal(t, v, e.Data[k], k)
			}
			if tc.status == 0 {
				assert.Contains(t, e.Data, logrus.ErrorKey)
			}
			line, err := e.String()
			require.NoError(t, err)
			for _, secret := range []string{runnerToken, "url-secret", "user:"} {
				assert.NotContains(t, line, secret)
			}
		})
	}
}

// echoOnce is a GitLab that answers its first request with status and
// header, echoing the request's token header and body, and 204 after.
func echoOnce(t *testing.T, status int, header map[string]string) *httptest.Server {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if hits.Add(1) > 1 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.Copy(w, strings.NewReader(r.Header.Get("RUNNER-TOKEN")+" "+string(body)))
	}))
	t.Cleanup(srv.Close)
	return srv
}
