package breaker

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	clocktesting "k8s.io/utils/clock/testing"
)

// quick probes every few milliseconds, answering as answer says.
func quick(answer *atomic.Bool) ProbeOptions {
	return ProbeOptions{First: time.Millisecond, Max: 5 * time.Millisecond, Timeout: time.Second,
		Answers: func(context.Context, string, Auth) error {
			if answer.Load() {
				return nil
			}
			return errors.New("connection refused")
		}}
}

func TestBreakerOpensAndTheProbeClosesIt(t *testing.T) {
	var answer atomic.Bool
	var opened, closed atomic.Int32
	s := New(t.Context(), Options{Probe: quick(&answer), Observe: Observer{
		Opened: func(string) { opened.Add(1) },
		Closed: func(string, time.Duration) { closed.Add(1) },
	}})
	_, open := s.IsOpen("r.example:5000", 0)
	require.False(t, open)

	s.Unreachable("r.example:5000", 7)
	s.Unreachable("r.example:5000", 8)
	o, open := s.IsOpen("r.example:5000", 0)
	require.True(t, open)
	assert.Equal(t, int64(7), o.SeenBy, "the job that opened it is named, not the one that confirmed it")
	_, other := s.IsOpen("other.example", 0)
	assert.False(t, other, "one breaker per registry")

	answer.Store(true)
	require.Eventually(t, func() bool { _, open := s.IsOpen("r.example:5000", 0); return !open }, 5*time.Second, time.Millisecond)
	assert.Equal(t, int32(1), opened.Load())
	assert.Equal(t, int32(1), closed.Load())
}

func TestAJobThatReachesTheRegistryClosesIt(t *testing.T) {
	var answer atomic.Bool
	s := New(t.Context(), Options{Probe: quick(&answer)})
	s.Unreachable("r", 1)
	s.Reachable("r")
	_, open := s.IsOpen("r", 10*time.Minute)
	assert.False(t, open)
	s.Reachable("never-opened") // no-op
}

func TestAStaleBreakerIsNotTrusted(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Date(2026, 12, 7, 12, 3, 4, 0, time.UTC))
	probe := ProbeOptions{First: time.Hour, Max: time.Hour, Answers: func(context.Context, string, Auth) error { return errors.New("down") }}
	s := New(t.Context(), Options{Clock: clk, Probe: probe})
	s.Unreachable("r", 1)
	clk.SetTime(clk.Now().Add(9 * time.Minute))
	_, open := s.IsOpen("r", 10*time.Minute)
	assert.True(t, open)
	s.Unreachable("r", 2) // a later job confirms it
	clk.SetTime(clk.Now().Add(9 * time.Minute))
	_, open = s.IsOpen("r", 10*time.Minute)
	assert.True(t, open, "confirmed 9 minutes ago")
	clk.SetTime(clk.Now().Add(2 * time.Minute))
	_, open = s.IsOpen("r", 10*time.Minute)
	assert.False(t, open, "nothing has confirmed the outage for more than max_open")
}

func TestGetV2(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		answers bool
	}{
		{"200", http.StatusOK, true},
		{"401 asks for credentials: it answers", http.StatusUnauthorized, true},
		{"404 is not a registry", http.StatusNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "/v2/", r.URL.Path)
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			err := GetV2(t.Context(), strings.TrimPrefix(srv.URL, "http://"), nil)
			assert.Equal(t, tc.answers, err == nil, "%v", err)
		})
	}
	t.Run("nothing listens", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		err = GetV2(t.Context(), addr, nil)
		var na *NoAnswerError
		require.ErrorAs(t, err, &na)
		assert.Contains(t, na.URL, "https://", "a refused connection is not asked again over http")
	})
}

func TestRegistry(t *testing.T) {
	for _, tc := range []struct{ image, host string }{
		{"busybox", "index.docker.io"},
		{"docker.io/library/busybox:1", "index.docker.io"},
		{"127.0.0.1:5000/x/y:latest", "127.0.0.1:5000"},
		{"registry.example.com/g/p@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "registry.example.com"},
	} {
		t.Run(tc.image, func(t *testing.T) {
			h, ok := Registry(tc.image)
			require.True(t, ok)
			assert.Equal(t, tc.host, h)
		})
	}
	_, ok := Registry("UPPER CASE")
	assert.False(t, ok)
}

type basicAuth struct{ user, pass string }

func (b basicAuth) Authorize(req *http.Request) { req.SetBasicAuth(b.user, b.pass) }

// The probe of an open breaker sends the credentials a job offered for
// the registry; a closed breaker forgets them.
func TestProbeSendsTheJobsCredentials(t *testing.T) {
	got := make(chan Auth, 10)
	probe := ProbeOptions{First: time.Millisecond, Max: 5 * time.Millisecond, Timeout: time.Second,
		Answers: func(_ context.Context, _ string, auth Auth) error { got <- auth; return errors.New("down") }}
	s := New(t.Context(), Options{Probe: probe})
	s.ProbeWith("r", basicAuth{"u", "p"}) // not open: kept nowhere
	assert.Nil(t, s.authFor("r"))
	s.Unreachable("r", 1)
	s.ProbeWith("r", basicAuth{"u", "p"})
	require.Eventually(t, func() bool { return (<-got) == Auth(basicAuth{"u", "p"}) }, 5*time.Second, time.Millisecond)
	s.Reachable("r")
	assert.Nil(t, s.authFor("r"))
}

// Credentials go over HTTPS to the registry itself: never over plain
// HTTP, and never after a redirect.
func TestGetV2Credentials(t *testing.T) {
	seen := make(chan string, 10)
	record := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			seen <- r.URL.Scheme + r.Host + " " + r.Header.Get("Authorization")
			w.WriteHeader(status)
		}
	}
	t.Run("https", func(t *testing.T) {
		srv := httptest.NewTLSServer(record(http.StatusOK))
		defer srv.Close()
		swapTransport(t, srv.Client().Transport)
		require.NoError(t, GetV2(t.Context(), strings.TrimPrefix(srv.URL, "https://"), basicAuth{"u", "p"}))
		assert.Contains(t, <-seen, "Basic ")
	})
	t.Run("plain http gets none", func(t *testing.T) {
		srv := httptest.NewServer(record(http.StatusUnauthorized))
		defer srv.Close()
		require.NoError(t, GetV2(t.Context(), strings.TrimPrefix(srv.URL, "http://"), basicAuth{"u", "p"}))
		assert.NotContains(t, <-seen, "Basic ")
	})
	t.Run("a redirect is not followed", func(t *testing.T) {
		elsewhere := httptest.NewTLSServer(record(http.StatusOK))
		defer elsewhere.Close()
		srv := httptest.NewTLSServer(http.RedirectHandler(elsewhere.URL+"/v2/", http.StatusTemporaryRedirect))
		defer srv.Close()
		swapTransport(t, srv.Client().Transport)
		var na *NoAnswerError
		require.ErrorAs(t, GetV2(t.Context(), strings.TrimPrefix(srv.URL, "https://"), basicAuth{"u", "p"}), &na)
		assert.Empty(t, seen, "the other server was asked")
	})
}

func swapTransport(t *testing.T, rt http.RoundTripper) {
	old := withCredentials.Transport
	withCredentials.Transport = rt
	t.Cleanup(func() { withCredentials.Transport = old })
}
