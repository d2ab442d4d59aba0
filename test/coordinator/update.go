package coordinator

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"time"
)

// handleUpdate takes PUT /jobs/:id: a keep-alive with state "running", or
// the final update, which must carry the checksum and size of the trace
// the server holds (412 otherwise).
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token         string `json:"token"`
		State         string `json:"state"`
		FailureReason string `json:"failure_reason"`
		ExitCode      int    `json:"exit_code"`
		Output        struct {
			Checksum string `json:"checksum"`
			Bytesize int    `json:"bytesize"`
		} `json:"output"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobFor(w, r)
	if j == nil {
		return
	}
	if body.Token != j.Token {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if body.State == "running" {
		s.keepAlive(w, j)
		return
	}
	j.FinalUpdates++
	if j.finished {
		s.violate(fmt.Sprintf("job %d: final update after the job was completed", j.ID))
		w.Header().Set("Job-Status", j.State)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if f := s.takeFault(EndpointUpdate, j.ID); f != nil {
		if f.Status == http.StatusPreconditionFailed {
			j.resetAllowed = true
		}
		writeFault(w, f)
		return
	}
	if body.State != "success" && body.State != "failed" {
		s.violate(fmt.Sprintf("job %d: final state %q", j.ID, body.State))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	want := fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE(j.Trace))
	if body.Output.Checksum != want || body.Output.Bytesize != len(j.Trace) {
		j.ChecksumMismatches++
		j.resetAllowed = true
		w.WriteHeader(http.StatusPreconditionFailed)
		return
	}
	j.finished = true
	j.Completed++
	j.CompletedAt = time.Now()
	j.State, j.FailureReason, j.ExitCode = body.State, body.FailureReason, body.ExitCode
	j.Checksum, j.Bytesize = body.Output.Checksum, body.Output.Bytesize
	s.running--
	if rs := s.runners[j.RunnerToken]; rs != nil {
		rs.running--
	}
	w.WriteHeader(http.StatusOK)
}

// keepAlive answers a PUT with state "running"; s.mu must be held.
func (s *Server) keepAlive(w http.ResponseWriter, j *jobState) {
	j.KeepAlives++
	if f := s.takeFault(EndpointKeepAlive, j.ID); f != nil {
		writeFault(w, f)
		return
	}
	w.Header().Set("Job-Status", j.jobStatus())
	if j.finished {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	s.intervalHeader(w.Header())
	w.WriteHeader(http.StatusOK)
}
