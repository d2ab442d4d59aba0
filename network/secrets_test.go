package network

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

// Credentials a test puts in GitLab's URL, and a job token.
const (
	urlUser     = "glpat-user-secret"
	urlPassword = "pass-secret"
	jobToken    = "glcbt-job-secret"
)

// secretsOfTests are what no message may show: the tokens, the URL's
// userinfo, and the userinfo as Go sends it (basic auth).
var secretsOfTests = []string{
	runnerToken, jobToken, urlUser, urlPassword,
	base64.StdEncoding.EncodeToString([]byte(urlUser + ":" + urlPassword)),
}

// assertNoSecret fails if text shows any of secretsOfTests.
func assertNoSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range secretsOfTests {
		assert.NotContains(t, text, s)
	}
}

// withUserinfo is base (http://host:port) with the test's userinfo.
func withUserinfo(base string) string {
	return strings.Replace(base, "://", "://"+urlUser+":"+urlPassword+"@", 1)
}

// A server that echoes what it was sent in a 400 (as an error page or a
// misconfigured proxy may) does not get a token, or the URL's userinfo,
// into an error or the log, whatever the request.
func TestErrorsHideEchoedSecrets(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "auth=%s runner=%s job=%s body=%s", r.Header.Get("Authorization"),
			r.Header.Get("RUNNER-TOKEN"), r.Header.Get("JOB-TOKEN"), body)
	}))
	t.Cleanup(echo.Close)
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, c *Client, tr *Trace) error
	}{
		{"verify", func(t *testing.T, c *Client, _ *Trace) error { return c.Verify(t.Context()) }},
		{"jobs/request", func(t *testing.T, c *Client, _ *Trace) error {
			_, err := c.RequestJob(t.Context())
			return err
		}},
		{"trace", func(t *testing.T, _ *Client, tr *Trace) error {
			fmt.Fprint(tr, "log\n")
			return tr.Flush(t.Context())
		}},
		{"keep-alive", func(t *testing.T, _ *Client, tr *Trace) error { return tr.keepAlive(t.Context()) }},
		{"update", func(t *testing.T, _ *Client, tr *Trace) error {
			fmt.Fprint(tr, "log\n")
			_, err := tr.Finish(t.Context(), Result{State: StateSuccess})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged bytes.Buffer
			log := logrus.New()
			log.SetOutput(&logged)
			c, err := New(Config{URL: withUserinfo(echo.URL), Token: runnerToken, SystemID: testSystem,
				Clock: coordinator.NewAutoClock(clockStart), Logger: log})
			require.NoError(t, err)
			tr := quietTrace(t, c, &common.Job{ID: 7, Token: jobToken}, TraceOptions{})

			err = tc.do(t, c, tr)

			require.Error(t, err)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, se.Body, "[MASKED]", "the echo is there, masked")
			assertNoSecret(t, err.Error())
			assertNoSecret(t, logged.String())
		})
	}
}

// A request that gets no answer names its URL without the userinfo: Go's
// url.Error hides only the password, and the user part can be a token
// (http://glpat-…@host).
func TestTransportErrorsHideUserinfo(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	var logged bytes.Buffer
	log := logrus.New()
	log.SetOutput(&logged)
	c, err := New(Config{URL: withUserinfo(gone.URL), Token: runnerToken, SystemID: testSystem,
		Clock: coordinator.NewAutoClock(clockStart), Logger: log, Retry: RetryPolicy{MaxAttempts: 2}})
	require.NoError(t, err)

	err = c.Verify(t.Context())

	require.Error(t, err)
	host := strings.TrimPrefix(gone.URL, "http://")
	assert.Contains(t, err.Error(), "http://[REDACTED]@"+host+"/api/v4/runners/verify")
	assertNoSecret(t, err.Error())
	assertNoSecret(t, logged.String())
}

// A GitLab URL that New refuses is not quoted with its userinfo.
func TestNewHidesUserinfo(t *testing.T) {
	for _, tc := range []struct{ name, url string }{
		{"not http", "ftp://" + urlUser + ":" + urlPassword + "@gitlab.example.com"},
		{"bad port", "http://" + urlUser + ":" + urlPassword + "@gitlab.example.com:port"},
		{"no scheme", urlUser + ":" + urlPassword + "@gitlab.example.com"},
		{"no host", "http://" + urlUser + ":" + urlPassword + "@"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{URL: tc.url, Token: runnerToken})
			require.Error(t, err)
			assertNoSecret(t, err.Error())
		})
	}
}
