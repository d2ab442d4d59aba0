package coordinator

import (
	"net/http"
	"strconv"
)

// Endpoint names a kind of request that a Fault can answer.
type Endpoint string

const (
	EndpointRequest Endpoint = "request" // POST /jobs/request
	EndpointVerify  Endpoint = "verify"  // POST /runners/verify
	EndpointTrace   Endpoint = "trace"   // PATCH /jobs/:id/trace
	// EndpointKeepAlive is PUT /jobs/:id with state "running".
	EndpointKeepAlive Endpoint = "keepalive"
	// EndpointUpdate is the final PUT /jobs/:id (state success or failed).
	EndpointUpdate Endpoint = "update"
)

// Fault is a scripted answer. The request it answers is recorded but
// otherwise ignored: a trace patch answered by a Fault adds nothing to the
// trace, a final update answered by one does not finish the job.
type Fault struct {
	Status int
	Header map[string]string
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
}
