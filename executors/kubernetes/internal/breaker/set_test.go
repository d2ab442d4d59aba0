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
		Answers: func(context.Context, string) error {
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
	probe := ProbeOptions{First: time.Hour, Max: time.Hour, Answers: func(context.Context, string) error { return errors.New("down") }}
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
			err := GetV2(t.Context(), strings.TrimPrefix(srv.URL, "http://"))
			assert.Equal(t, tc.answers, err == nil, "%v", err)
		})
	}
	t.Run("nothing listens", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		err = GetV2(t.Context(), addr)
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
