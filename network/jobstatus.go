package network

import (
	"net/http"
	"sync"
)

// Job-Status values that change what the job does.
const (
	jobStatusCanceling = "canceling"
	jobStatusCanceled  = "canceled"
	jobStatusFailed    = "failed"
)

// signals turns the Job-Status header of trace and keep-alive answers into
// two channels that close once: canceling (stop the script, run
// after_script, report failed) and aborted (stop at once).
type signals struct {
	canceling, aborted         chan struct{}
	cancelingOnce, abortedOnce sync.Once

	mu     sync.Mutex
	status string
	reason error
}

func newSignals() *signals {
	return &signals{canceling: make(chan struct{}), aborted: make(chan struct{})}
}

// observe reads Job-Status from an answer. "running" and values this
// runner does not act on change nothing.
func (s *signals) observe(h http.Header) {
	st := h.Get("Job-Status")
	if st == "" {
		return
	}
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
	switch st {
	case jobStatusCanceling:
		s.cancelingOnce.Do(func() { close(s.canceling) })
	case jobStatusCanceled, jobStatusFailed:
		s.abort(&JobStatusError{Status: st})
	}
}

// abort closes aborted, keeping the first reason.
func (s *signals) abort(reason error) {
	s.abortedOnce.Do(func() {
		s.mu.Lock()
		s.reason = reason
		s.mu.Unlock()
		close(s.aborted)
	})
}

// Canceling is closed when GitLab says the job is being canceled
// (Job-Status: canceling): stop the script, run after_script, then Finish
// with a failed result.
func (t *Trace) Canceling() <-chan struct{} { return t.signals.canceling }

// Aborted is closed when GitLab says the job is over (Job-Status canceled
// or failed) or refuses its token (403): stop at once. AbortReason says
// which.
func (t *Trace) Aborted() <-chan struct{} { return t.signals.aborted }

// AbortReason is why Aborted closed: a *JobStatusError, or an error that
// errors.Is ErrForbidden. Nil while not aborted.
func (t *Trace) AbortReason() error {
	t.signals.mu.Lock()
	defer t.signals.mu.Unlock()
	return t.signals.reason
}

// JobStatus is the last Job-Status GitLab sent, "" before any.
func (t *Trace) JobStatus() string {
	t.signals.mu.Lock()
	defer t.signals.mu.Unlock()
	return t.signals.status
}
