package network

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/common"
)

func TestMapFailureReason(t *testing.T) {
	modern := []string{"script_failure", "runner_system_failure", "unknown_failure", "image_pull_failure",
		"job_execution_timeout", "configuration_error"}
	old := []string{"script_failure", "runner_system_failure", "unknown_failure"}
	for _, tc := range []struct {
		name      string
		reason    common.FailureReason
		supported []string
		want      common.FailureReason
	}{
		{"listed", common.ImagePullFailure, modern, common.ImagePullFailure},
		{"listed configuration_error", common.ConfigurationFailure, modern, common.ConfigurationFailure},
		{"image pull falls back", common.ImagePullFailure, old, common.RunnerSystemFailure},
		{"configuration error falls back", common.ConfigurationFailure, old, common.ScriptFailure},
		{"fallback always known though not listed", common.ImagePullFailure, []string{"job_execution_timeout"}, common.RunnerSystemFailure},
		{"no fallback, not listed", common.JobExecutionTimeout, old, common.UnknownFailure},
		{"always known, not listed", common.ScriptFailure, []string{"image_pull_failure"}, common.ScriptFailure},
		{"no list: the fallback", common.ImagePullFailure, nil, common.RunnerSystemFailure},
		{"no list, no fallback: itself", common.JobExecutionTimeout, nil, common.JobExecutionTimeout},
		{"empty reason", "", modern, common.UnknownFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, MapFailureReason(tc.reason, tc.supported))
		})
	}
}

func TestResultFromError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want Result
	}{
		{"success", nil, Result{State: StateSuccess}},
		{"script failure with exit code",
			fmt.Errorf("run: %w", &common.BuildError{FailureReason: common.ScriptFailure, ExitCode: 3}),
			Result{State: StateFailed, FailureReason: common.ScriptFailure, ExitCode: 3}},
		{"build error without reason", &common.BuildError{}, Result{State: StateFailed, FailureReason: common.UnknownFailure}},
		{"any other error", errors.New("boom"), Result{State: StateFailed, FailureReason: common.RunnerSystemFailure}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ResultFromError(tc.err))
		})
	}
}
