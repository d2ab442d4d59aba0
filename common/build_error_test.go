package common

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// innerErr stands in for a typed cause such as pull.ImagePullError, which
// common cannot import.
type innerErr struct{ image string }

func (e *innerErr) Error() string { return "cannot pull " + e.image }

func TestBuildErrorWrapping(t *testing.T) {
	inner := &innerErr{image: "alpine"}
	be := &BuildError{Inner: fmt.Errorf("pod attempt 2: %w", inner), FailureReason: ImagePullFailure}
	wrapped := fmt.Errorf("job 42: %w", fmt.Errorf("executor: %w", be)) // two levels of %w

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"errors.As finds the BuildError", func(t *testing.T) {
			var got *BuildError
			require.ErrorAs(t, wrapped, &got)
			assert.Equal(t, ImagePullFailure, got.FailureReason)
		}},
		{"errors.As reaches the inner error through the BuildError", func(t *testing.T) {
			var got *innerErr
			require.ErrorAs(t, wrapped, &got)
			assert.Same(t, inner, got)
		}},
		{"errors.Is matches the same reason", func(t *testing.T) {
			assert.ErrorIs(t, wrapped, &BuildError{FailureReason: ImagePullFailure})
		}},
		{"errors.Is ignores exit code and cause", func(t *testing.T) {
			assert.ErrorIs(t, wrapped, &BuildError{FailureReason: ImagePullFailure, ExitCode: 7, Inner: errors.New("x")})
		}},
		{"errors.Is rejects another reason", func(t *testing.T) {
			assert.NotErrorIs(t, wrapped, &BuildError{FailureReason: ScriptFailure})
		}},
		{"errors.Is reaches the inner error", func(t *testing.T) {
			assert.ErrorIs(t, wrapped, inner)
		}},
		{"a nil target is not a match", func(t *testing.T) {
			var nilBE *BuildError
			assert.False(t, be.Is(nilBE))
			assert.False(t, be.Is(errors.New("image_pull_failure")))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

func TestBuildErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *BuildError
		want string
	}{
		{"reason and cause", &BuildError{FailureReason: ScriptFailure, ExitCode: 2, Inner: errors.New("command terminated")}, "script_failure (exit code 2): command terminated"},
		{"no exit code", &BuildError{FailureReason: RunnerSystemFailure, Inner: errors.New("pod deleted")}, "runner_system_failure: pod deleted"},
		{"no reason", &BuildError{}, "unknown_failure"},
		{"configuration", NewConfigurationError(errors.New("bad")), "configuration_error: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, tt.err, tt.want)
		})
	}
}

func TestConfigurationErrorKeepsCause(t *testing.T) {
	_, cause := EffectivePullPolicies("alpine", PullPolicies{never}, nil, PullPolicies{always})
	err := fmt.Errorf("prepare: %w", fmt.Errorf("pull policies: %w", NewConfigurationError(cause)))
	assert.ErrorIs(t, err, &BuildError{FailureReason: ConfigurationFailure})
	var ppe *PullPolicyError
	require.ErrorAs(t, err, &ppe)
	assert.Equal(t, "alpine", ppe.Image)
}

func TestFailureReasonFallback(t *testing.T) {
	tests := []struct{ in, want FailureReason }{
		{ConfigurationFailure, ScriptFailure},
		{ImagePullFailure, RunnerSystemFailure},
		{MissingDependencyFailure, ScriptFailure},
		{ScriptFailure, ScriptFailure},
		{JobExecutionTimeout, JobExecutionTimeout},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.Fallback())
		})
	}
}
