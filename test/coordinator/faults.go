package coordinator

import (
	"io"
	"net/http"
	"strconv"
)

// Endpoint names a kind of request that a Fault can answer.
type Endpoint string

const (
	EndpointRequest Endpoint = "request" // POST /jobs/request
	EndpointVerify  Endpoint = "verify"  // POST /runners/verify
	// EndpointUnregister is DELETE /runners, answered after the token
	// check: a fault leaves the runner known.
	EndpointUnregister Endpoint = "unregister"
	EndpointTrace      Endpoint = "trace" // PATCH /jobs/:id/trace
	// EndpointKeepAlive is PUT /jobs/:id with state "running".
	EndpointKeepAlive Endpoint = "keepalive"
	// EndpointUpdate is the final PUT /jobs/:id (state success or failed).
	EndpointUpdate Endpoint = "update"
	// EndpointArtifactsUpload is POST /jobs/:id/artifacts, answered
	// before the body is read; EndpointArtifactsDownload GET
	// /jobs/:id/artifacts (JobID: the dependency's).
	EndpointArtifactsUpload   Endpoint = "artifacts-upload"
	EndpointArtifactsDownload Endpoint = "artifacts-download"
)

// Fault is a scripted answer. The request it answers is recorded but
// otherwise ignored: a trace patch answered by a Fault adds nothing to the
// trace, a final update answered by one does not finish the job.
type Fault struct {
	Status int
	Header map[string]string
	// Body is the answer's body; empty sends none.
	Body string
	// Times is how many requests it answers; less than 1 means once.
	Times int
	// JobID limits a trace or update Fault to one job; 0 means any.
	JobID int64
}

// Inject queues f for ep. Faults of one endpoint answer in the order
// injected. Some statuses get the headers the API pairs with them unless
// f sets them: a trace 416 gets Range with what the server holds; a 412
// on a final update lets the client resend the trace from 0.
func (s *Server) Inject(ep Endpoint, f Fault) {
	if f.Times < 1 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = append(s.faults[ep], &f)
}

// RetryAfter is a Header for a Fault: Retry-After in seconds.
func RetryAfter(seconds int) map[string]string {
	return map[string]string{"Retry-After": strconv.Itoa(seconds)}
}

// takeFault returns the next fault for ep and job, using one of its Times;
// s.mu must be held.
func (s *Server) takeFault(ep Endpoint, jobID int64) *Fault {
	list := s.faults[ep]
	for i, f := range list {
		if f.JobID != 0 && f.JobID != jobID {
			continue
		}
		f.Times--
		if f.Times == 0 {
			s.faults[ep] = append(list[:i:i], list[i+1:]...)
		}
		return f
	}
	return nil
}

// writeFault answers with f.
func writeFault(w http.ResponseWriter, f *Fault) {
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(f.Status)
	if f.Body != "" {
		_, _ = io.WriteString(w, f.Body)
	}
}

// PayloadFault breaks the 201 that hands out a job: the status and
// headers arrive, with a Content-Length for the whole payload, but only
// its first Cut bytes follow.
type PayloadFault struct {
	Cut int
	// Stall keeps the connection open after Cut bytes until the client
	// gives up; without it the server closes the connection, an answer
	// cut short.
	Stall bool
}

// BreakPayload makes the 201 of queued job id break as f says. The job
// counts as handed out all the same: GitLab has assigned it once the 201
// has left.
func (s *Server) BreakPayload(id int64, f PayloadFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.jobs[id]; j != nil {
		j.payloadFault = &f
	}
}

// writePayload writes the 201 of a job with payload, broken as f says
// (nil: whole).
func writePayload(w http.ResponseWriter, r *http.Request, payload []byte, f *PayloadFault) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(http.StatusCreated)
	if f == nil {
		_, _ = w.Write(payload)
		return
	}
	_, _ = w.Write(payload[:min(f.Cut, len(payload))])
	if f.Stall {
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}
	// Returning with less written than Content-Length makes net/http
	// close the connection: the client reads a body cut short.
}
