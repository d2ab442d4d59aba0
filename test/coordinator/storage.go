package coordinator

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Storage stands in for object storage behind GitLab's downloads: it
// serves what the Server redirects to it, on a host of its own, and
// counts every JOB-TOKEN header it receives (a job token must never
// reach it).
type Storage struct {
	URL string
	srv *httptest.Server

	mu        sync.Mutex
	objects   map[string]string // key → file
	requests  int
	jobTokens int
}

// NewStorage starts a Storage on host (an IP address; "" is 127.0.0.1),
// stopped when the test ends.
func NewStorage(t testing.TB, host string) *Storage {
	st := &Storage{objects: map[string]string{}}
	st.srv = httptest.NewUnstartedServer(http.HandlerFunc(st.serve))
	if host != "" {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatalf("storage: listen on %s: %v", host, err)
		}
		st.srv.Listener.Close()
		st.srv.Listener = l
	}
	st.srv.Start()
	st.URL = st.srv.URL
	t.Cleanup(st.srv.Close)
	return st
}

// Requests is how many requests it received.
func (st *Storage) Requests() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.requests
}

// JobTokens is how many of them carried a JOB-TOKEN header.
func (st *Storage) JobTokens() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.jobTokens
}

// put makes the file at path an object and returns its URL, signed the
// way object storage URLs are (the signature is not checked).
func (st *Storage) put(path string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := "obj-" + strconv.Itoa(len(st.objects)+1)
	st.objects[key] = path
	return st.URL + "/objects/" + key + "?X-Amz-Signature=test"
}

func (st *Storage) serve(w http.ResponseWriter, r *http.Request) {
	st.mu.Lock()
	st.requests++
	if r.Header.Get("JOB-TOKEN") != "" {
		st.jobTokens++
	}
	path, ok := st.objects[strings.TrimPrefix(r.URL.Path, "/objects/")]
	st.mu.Unlock()
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	serveFile(w, path)
}
