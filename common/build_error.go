package common

import "fmt"

// FailureReason is GitLab's failure_reason string, sent to the coordinator
// when a job fails.
type FailureReason string

const (
	ScriptFailure       FailureReason = "script_failure"
	RunnerSystemFailure FailureReason = "runner_system_failure"
	ImagePullFailure    FailureReason = "image_pull_failure"
	JobExecutionTimeout FailureReason = "job_execution_timeout"
	UnknownFailure      FailureReason = "unknown_failure"
	// StuckOrTimeoutFailure is what GitLab itself records for a job no runner
	// finished in time; a runner reports it for a job it gave up waiting on.
	StuckOrTimeoutFailure FailureReason = "stuck_or_timeout_failure"
	// RunnerUnsupported: the job needs a feature this runner does not have.
	RunnerUnsupported FailureReason = "runner_unsupported"
	// MissingDependencyFailure: a dependency's artifacts could not be
	// found (GitLab answered 404 to their download).
	MissingDependencyFailure FailureReason = "missing_dependency_failure"

	// ConfigurationFailure is a job the runner cannot run as configured:
	// an invalid image name, an empty pull-policy intersection, a bad job.
	// GitLab Runner sends "configuration_error" for these
	// (JobFailureReason ConfigurationError in its common/network.go) and,
	// because GitLab does not know that value yet, falls back to
	// script_failure: the user's configuration is at fault, not the runner.
	// We use the same string and the same fallback (see Fallback).
	ConfigurationFailure FailureReason = "configuration_error"
)

// Fallback is the older, wider reason to send to a GitLab that does not list
// r among the failure reasons it supports, or r itself when there is none.
// The mapping follows GitLab Runner's compatibility map.
func (r FailureReason) Fallback() FailureReason {
	switch r {
	case ImagePullFailure:
		return RunnerSystemFailure
	case ConfigurationFailure, MissingDependencyFailure:
		return ScriptFailure
	}
	return r
}

// BuildError is how a job fails. Inner carries the cause so that callers can
// reach typed errors (for example pull.ImagePullError) with errors.As.
type BuildError struct {
	Inner         error
	FailureReason FailureReason
	ExitCode      int
}

// NewConfigurationError marks err as the job's (or the operator's)
// configuration error: the job fails with ConfigurationFailure and is not
// retried by the executor.
func NewConfigurationError(err error) *BuildError {
	return &BuildError{Inner: err, FailureReason: ConfigurationFailure}
}

func (e *BuildError) Error() string {
	reason := e.FailureReason
	if reason == "" {
		reason = UnknownFailure
	}
	msg := string(reason)
	if e.ExitCode != 0 {
		msg += fmt.Sprintf(" (exit code %d)", e.ExitCode)
	}
	if e.Inner != nil {
		msg += ": " + e.Inner.Error()
	}
	return msg
}

// Unwrap exposes Inner, so errors.As finds a typed cause however deeply the
// BuildError itself was wrapped.
func (e *BuildError) Unwrap() error { return e.Inner }

// Is makes errors.Is(err, &BuildError{FailureReason: ImagePullFailure}) ask
// "did this fail with that reason?" regardless of the cause or exit code.
func (e *BuildError) Is(target error) bool {
	t, ok := target.(*BuildError)
	return ok && t != nil && t.FailureReason == e.FailureReason
}
