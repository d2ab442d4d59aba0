package common

// FailureReason is GitLab's failure_reason string, sent to the coordinator
// when a job fails.
type FailureReason string

const (
	ScriptFailure       FailureReason = "script_failure"
	RunnerSystemFailure FailureReason = "runner_system_failure"
	ImagePullFailure    FailureReason = "image_pull_failure"
	JobExecutionTimeout FailureReason = "job_execution_timeout"
	UnknownFailure      FailureReason = "unknown_failure"
)

// BuildError is how a job fails. Inner carries the cause so that callers can
// reach typed errors (for example pull.ImagePullError) with errors.As.
type BuildError struct {
	Inner         error
	FailureReason FailureReason
	ExitCode      int
}
