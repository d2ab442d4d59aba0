package coordinator

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// API paths, as GitLab serves them.
const (
	PathJobsRequest  = "/api/v4/jobs/request"
	PathRunnerVerify = "/api/v4/runners/verify"
)

// Server is the fake coordinator. Its zero value is not usable; call New.
type Server struct {
	// URL is the base URL to give a client, e.g. http://127.0.0.1:1234.
	URL string
	srv *httptest.Server

	mu         sync.Mutex
	runners    map[string]*runnerState
	queue      []*jobState
	jobs       map[int64]*jobState
	nextID     int64
	faults     map[Endpoint][]*Fault
	requests   []Request
	violations []string
	// lastUpdate is the X-GitLab-Last-Update value of a 204; it changes
	// whenever a job is queued.
	lastUpdate int
	// traceInterval is sent as X-GitLab-Trace-Update-Interval; 0 omits it.
	traceInterval int
	running       int
	maxRunning    int
	// artifacts is where uploads are stored and what downloads serve
	// (artifacts.go).
	artifacts artifactStore
}

type runnerState struct {
	running, maxRunning int
}

// New starts a fake coordinator that knows the given runner tokens and stops
// it when the test ends.
func New(t testing.TB, runnerTokens ...string) *Server {
	return start(t, nil, "", runnerTokens)
}

// NewOn is New listening on host (an IP address) instead of 127.0.0.1:
// the address a job pod can reach (clustertest.PodReachableAddress), for
// the helper's artifact transfers.
func NewOn(t testing.TB, host string, runnerTokens ...string) *Server {
	return start(t, nil, host, runnerTokens)
}

// NewTLS is New serving https with cert, a certificate that must hold
// 127.0.0.1: GitLab behind a CA of the test's own. Client trusts only cert.
func NewTLS(t testing.TB, cert tls.Certificate, runnerTokens ...string) *Server {
	return start(t, &cert, "", runnerTokens)
}

// start serves http, or https with cert when it is not nil.
func start(t testing.TB, cert *tls.Certificate, host string, runnerTokens []string) *Server {
	s := &Server{
		runners:    map[string]*runnerState{},
		jobs:       map[int64]*jobState{},
		faults:     map[Endpoint][]*Fault{},
		nextID:     1000,
		lastUpdate: 1,
		artifacts:  artifactStore{dir: t.TempDir()},
	}
	for _, tok := range runnerTokens {
		s.runners[tok] = &runnerState{}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathJobsRequest, s.handleRequest)
	mux.HandleFunc("POST "+PathRunnerVerify, s.handleVerify)
	mux.HandleFunc("DELETE "+PathRunners, s.handleUnregister)
	mux.HandleFunc("PATCH /api/v4/jobs/{id}/trace", s.handleTrace)
	mux.HandleFunc("PUT /api/v4/jobs/{id}", s.handleUpdate)
	mux.HandleFunc("POST /api/v4/jobs/{id}/artifacts", s.handleArtifactsUpload)
	mux.HandleFunc("GET /api/v4/jobs/{id}/artifacts", s.handleArtifactsDownload)
	s.srv = httptest.NewUnstartedServer(s.record(mux))
	if host != "" {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatalf("coordinator: listen on %s: %v", host, err)
		}
		s.srv.Listener.Close()
		s.srv.Listener = l
	}
	if cert != nil {
		s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server; New registers it with the test already.
func (s *Server) Close() { s.srv.Close() }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AddRunner makes token a valid runner token.
func (s *Server) AddRunner(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runners[token] == nil {
		s.runners[token] = &runnerState{}
	}
}

// SetTraceInterval makes every trace and update answer carry
// X-GitLab-Trace-Update-Interval: seconds; 0 leaves the header out.
func (s *Server) SetTraceInterval(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.traceInterval = seconds
}

// record keeps every request with the status it got, and its body but
// for artifact transfers, which the handlers stream to disk.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if !strings.HasSuffix(r.URL.Path, "/artifacts") {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Status: sw.status,
		})
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// violate records a protocol violation; s.mu must be held.
func (s *Server) violate(msg string) { s.violations = append(s.violations, msg) }

// intervalHeader adds X-GitLab-Trace-Update-Interval if set; s.mu must be held.
func (s *Server) intervalHeader(h http.Header) {
	if s.traceInterval > 0 {
		h.Set("X-GitLab-Trace-Update-Interval", strconv.Itoa(s.traceInterval))
	}
}
