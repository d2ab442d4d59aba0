package network

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"kuberunner/common"
)

var (
	// ErrForbidden is a 403: the runner token (or the job token) is not
	// valid, or the job is no longer the runner's.
	ErrForbidden = errors.New("forbidden (403): token invalid or job no longer running")
	// ErrUnauthorized is a 401: GitLab did not accept the token.
	ErrUnauthorized = errors.New("unauthorized (401): token rejected")
	// ErrConflict is a 409 on a job request: GitLab was busy assigning a
	// job to this runner elsewhere; asking again is fine.
	ErrConflict = errors.New("conflict (409): ask again")
	// ErrNotFound is a 404: what was asked for (a job's artifacts) is not
	// there.
	ErrNotFound = errors.New("not found (404)")
	// ErrTooLarge is a 413: GitLab refuses an upload over its size limit.
	ErrTooLarge = errors.New("too large (413)")
	// ErrTraceFinished is returned by Write after Finish, and by a second
	// Finish.
	ErrTraceFinished = errors.New("trace already finished")
)

// StatusError is an answer with a status the operation does not expect.
// errors.Is(err, ErrForbidden) holds for a 403, errors.Is(err,
// ErrUnauthorized) for a 401, errors.Is(err, ErrConflict) for a 409,
// ErrNotFound for a 404 and ErrTooLarge for a 413.
type StatusError struct {
	Op     string
	Status int
	// Body is the start of the answer's body, for the message.
	Body string
	// RetryAfter is the server's hint (Retry-After, RateLimit-ResetTime);
	// zero when it gave none.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Is maps 401, 403 and 409 to their sentinels.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrTooLarge:
		return e.Status == http.StatusRequestEntityTooLarge
	}
	return false
}

// Retryable is whether trying again later may succeed: 408, 429 and 5xx.
func (e *StatusError) Retryable() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// GiveUpError is an operation that failed every try it was allowed.
type GiveUpError struct {
	Op       string
	Attempts int
	// Err is the last try's error.
	Err error
}

func (e *GiveUpError) Error() string {
	return fmt.Sprintf("%s: gave up after %d attempts: %v", e.Op, e.Attempts, e.Err)
}

func (e *GiveUpError) Unwrap() error { return e.Err }

// transportError is a request that got no answer (connection refused,
// reset, timed out); it is worth retrying while the caller's context lives.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// PayloadError is a job GitLab assigned (201) whose payload could not be
// read. JobID and Token are filled when they could be read, so that the
// caller can still fail the job instead of leaving it stuck.
type PayloadError struct {
	JobID int64
	Token string
	// Job is what could be read of the payload, never nil: at least JobID
	// and Token, and for a payload that is JSON everything that decoded
	// (the failure reasons GitLab knows, the name, the project), so that
	// the job is failed as GitLab understands and the log names it.
	Job *common.Job
	// Reason is the failure to report: configuration_error for a payload
	// with a value this runner cannot take, runner_system_failure for one
	// that did not arrive whole or is not JSON.
	Reason common.FailureReason
	Err    error
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("job %d: unreadable payload: %v", e.JobID, e.Err)
}

func (e *PayloadError) Unwrap() error { return e.Err }

// JobStatusError is why a job was aborted: GitLab answered with Job-Status
// canceled or failed.
type JobStatusError struct{ Status string }

func (e *JobStatusError) Error() string { return "GitLab says the job is " + e.Status }
