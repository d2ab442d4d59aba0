package coordinator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"kuberunner/common"
)

// jobState is a job from Enqueue to its final update.
type jobState struct {
	JobRecord
	payload  []byte
	started  bool
	finished bool
	// status is sent as Job-Status once the trace holds statusAt bytes.
	status   string
	statusAt int
	// resetAllowed: after a 412 the client resends from 0, replacing the
	// trace.
	resetAllowed bool
	// serverCaused: TruncateTrace moved the server's end, so the client's
	// next patch is expected not to fit.
	serverCaused bool
	// payloadFault breaks the 201 that carries payload (BreakPayload).
	payloadFault *PayloadFault
}

var systemIDPattern = regexp.MustCompile(`^s_[0-9a-f]{12}$`)

// Enqueue queues job for the next runner that asks. A zero ID gets a fresh
// one, an empty Token gets "job-token-<id>", and a Timeout becomes
// runner_info.timeout when that is unset. It returns the job ID.
func (s *Server) Enqueue(job common.Job) int64 {
	s.mu.Lock()
	if job.ID == 0 {
		s.nextID++
		job.ID = s.nextID
	}
	s.mu.Unlock()
	if job.Token == "" {
		job.Token = fmt.Sprintf("job-token-%d", job.ID)
	}
	if job.RunnerInfo.Timeout == 0 && job.Timeout > 0 {
		job.RunnerInfo.Timeout = int(job.Timeout / time.Second)
	}
	payload, err := json.Marshal(job)
	if err != nil {
		panic(fmt.Sprintf("coordinator: job %d does not marshal: %v", job.ID, err))
	}
	s.EnqueueRaw(job.ID, job.Token, payload)
	return job.ID
}

// EnqueueRaw queues a payload exactly as given (for malformed payloads);
// id and token are what the server expects on later requests for it.
func (s *Server) EnqueueRaw(id int64, token string, payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := &jobState{JobRecord: JobRecord{ID: id, Token: token}, payload: payload}
	s.jobs[id] = j
	s.queue = append(s.queue, j)
	s.lastUpdate++
}

// SetJobStatus makes trace and keep-alive answers for job id carry
// Job-Status: status once the server holds at least fromBytes of its trace
// (0: from now on), as GitLab does for a job canceled in the UI
// ("canceling", then "canceled").
func (s *Server) SetJobStatus(id int64, status string, fromBytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.jobs[id]; j != nil {
		j.status, j.statusAt = status, fromBytes
	}
}

// TruncateTrace makes the server forget all but the first n bytes of job
// id's trace, as if it lost them; the client's next patch will be answered
// 416 with Range 0-n, which is not counted as the client's violation.
func (s *Server) TruncateTrace(id int64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.jobs[id]; j != nil && n < len(j.Trace) {
		j.Trace = j.Trace[:n]
		j.serverCaused = true
	}
}

// jobStatus is the Job-Status to send for j; s.mu must be held.
func (j *jobState) jobStatus() string {
	if j.finished {
		return j.State
	}
	if j.status != "" && len(j.Trace) >= j.statusAt {
		return j.status
	}
	return "running"
}

// jobFor finds the job of a /jobs/{id} path; it answers 404 itself.
// s.mu must be held.
func (s *Server) jobFor(w http.ResponseWriter, r *http.Request) *jobState {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	j := s.jobs[id]
	if err != nil || j == nil || !j.started {
		http.NotFound(w, r)
		return nil
	}
	return j
}

// jobRequest is the body of POST /jobs/request.
type jobRequest struct {
	Token      string          `json:"token"`
	SystemID   string          `json:"system_id"`
	LastUpdate string          `json:"last_update"`
	Info       json.RawMessage `json:"info"`
}

func (s *Server) handleRequest(w http.ResponseWriter, r *http.Request) {
	var body jobRequest
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if j := s.assign(w, r, body); j != nil {
		// Outside the lock: a payload that stalls must not stall the
		// server's other requests.
		writePayload(w, r, j.payload, j.payloadFault)
	}
}

// assign answers a job request that gets no job, or takes the next job
// off the queue for the runner and returns it; s.mu must not be held.
func (s *Server) assign(w http.ResponseWriter, r *http.Request, body jobRequest) *jobState {
	s.mu.Lock()
	defer s.mu.Unlock()
	runner := s.runners[body.Token]
	if runner == nil {
		w.WriteHeader(http.StatusForbidden)
		return nil
	}
	if h := r.Header.Get("RUNNER-TOKEN"); h != body.Token {
		s.violate(fmt.Sprintf("jobs/request: RUNNER-TOKEN header %q differs from the body's token", h))
	}
	if !systemIDPattern.MatchString(body.SystemID) {
		s.violate(fmt.Sprintf("jobs/request: system_id %q is not s_ and 12 hex digits", body.SystemID))
	}
	if len(body.Info) == 0 {
		s.violate("jobs/request: no info")
	}
	if f := s.takeFault(EndpointRequest, 0); f != nil {
		writeFault(w, f)
		return nil
	}
	if len(s.queue) == 0 {
		w.Header().Set("X-GitLab-Last-Update", strconv.Itoa(s.lastUpdate))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	j := s.queue[0]
	s.queue = s.queue[1:]
	j.started, j.RunnerToken = true, body.Token
	j.StartedAt = time.Now()
	runner.running++
	runner.maxRunning = max(runner.maxRunning, runner.running)
	s.running++
	s.maxRunning = max(s.maxRunning, s.running)
	return j
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token    string `json:"token"`
		SystemID string `json:"system_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runners[body.Token] == nil {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if !systemIDPattern.MatchString(body.SystemID) {
		s.violate(fmt.Sprintf("runners/verify: system_id %q is not s_ and 12 hex digits", body.SystemID))
	}
	if f := s.takeFault(EndpointVerify, 0); f != nil {
		writeFault(w, f)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": 1, "token": body.Token})
}
