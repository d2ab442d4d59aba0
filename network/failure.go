package network

import (
	"errors"
	"slices"

	"kuberunner/common"
)

// alwaysKnown are the reasons every GitLab that lists its failure reasons
// understands.
var alwaysKnown = []common.FailureReason{
	common.ScriptFailure, common.RunnerSystemFailure, common.UnknownFailure,
}

// MapFailureReason is the reason to send for reason to a GitLab that lists
// supported (the job's features.failure_reasons):
//   - listed: reason itself;
//   - not listed: its Fallback if that is listed or always known
//     (script_failure, runner_system_failure, unknown_failure);
//   - otherwise unknown_failure (reason itself if it is always known);
//   - an empty list (a GitLab too old to say): the Fallback, which every
//     GitLab knows.
//
// An empty reason is unknown_failure.
func MapFailureReason(reason common.FailureReason, supported []string) common.FailureReason {
	if reason == "" {
		return common.UnknownFailure
	}
	if len(supported) == 0 {
		return reason.Fallback()
	}
	known := func(r common.FailureReason) bool {
		return slices.Contains(supported, string(r)) || slices.Contains(alwaysKnown, r)
	}
	if slices.Contains(supported, string(reason)) {
		return reason
	}
	if fb := reason.Fallback(); fb != reason && known(fb) {
		return fb
	}
	if known(reason) {
		return reason
	}
	return common.UnknownFailure
}

// ResultFromError is the Result of a job that ended with err: success for
// nil, the reason and exit code of a *common.BuildError, and
// runner_system_failure for any other error.
func ResultFromError(err error) Result {
	if err == nil {
		return Result{State: StateSuccess}
	}
	var be *common.BuildError
	if errors.As(err, &be) {
		reason := be.FailureReason
		if reason == "" {
			reason = common.UnknownFailure
		}
		return Result{State: StateFailed, FailureReason: reason, ExitCode: be.ExitCode}
	}
	return Result{State: StateFailed, FailureReason: common.RunnerSystemFailure}
}
