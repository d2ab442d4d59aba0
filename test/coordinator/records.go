package coordinator

import (
	"net/http"
	"slices"
	"time"
)

// Request is one request the server received and the status it answered.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Status int
}

// Patch is one trace PATCH: its Content-Range (End inclusive) and answer.
type Patch struct {
	Start, End int
	Status     int
}

// JobRecord is what the server knows of one job. Jobs returns copies.
type JobRecord struct {
	ID          int64
	Token       string
	RunnerToken string
	// Trace is the trace as the server holds it.
	Trace   []byte
	Patches []Patch
	// KeepAlives counts PUTs with state "running".
	KeepAlives int
	// FinalUpdates counts PUTs with a final state, whatever the answer;
	// Completed counts those answered 200 (it must end at exactly 1).
	FinalUpdates, Completed int
	State                   string
	FailureReason           string
	ExitCode                int
	Checksum                string
	Bytesize                int
	// StartedAt is when the 201 with the job was written, CompletedAt when
	// the final update was answered 200: the job's time as GitLab sees it.
	StartedAt, CompletedAt time.Time
	// ChecksumMismatches counts final updates whose checksum or bytesize
	// did not match Trace (each answered 412).
	ChecksumMismatches int
}

// Job returns the record of job id; ok is false for an unknown job.
func (s *Server) Job(id int64) (rec JobRecord, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[id]
	if j == nil {
		return JobRecord{}, false
	}
	rec = j.JobRecord
	rec.Trace = slices.Clone(j.Trace)
	rec.Patches = slices.Clone(j.Patches)
	return rec, true
}

// Requests lists every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo lists the requests received on path.
func (s *Server) RequestsTo(path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Violations lists protocol violations: trace gaps and overlaps, malformed
// headers, missing tokens, updates to finished jobs.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Running is how many jobs are between their 201 and an accepted final
// update.
func (s *Server) Running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

// MaxRunning is the most jobs that were running at once, over all runners.
func (s *Server) MaxRunning() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxRunning
}

// MaxRunningFor is the most jobs that runner token had running at once.
func (s *Server) MaxRunningFor(token string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runners[token]; r != nil {
		return r.maxRunning
	}
	return 0
}
