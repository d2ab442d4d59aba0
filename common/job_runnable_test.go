package common

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestRunnable(t *testing.T) {
	script := Step{Name: StepScript, Script: []string{"make"}, When: WhenOnSuccess}
	after := Step{Name: StepAfterScript, Script: []string{"cleanup"}, When: WhenAlways}
	release := Step{Name: "release", Script: []string{"release-cli create"}, When: WhenOnSuccess}
	for _, tc := range []struct {
		name string
		job  Job
		ok   bool
	}{
		{"a script", Job{Steps: []Step{script, after}}, true},
		{"a release step alone", Job{Steps: []Step{release}}, true},
		{"run null is no run", Job{Steps: []Step{script}, Run: json.RawMessage(" null ")}, true},
		{"run", Job{Run: json.RawMessage(`"[{\"name\":\"a\"}]"`)}, false},
		{"run beside a script", Job{Steps: []Step{script}, Run: json.RawMessage(`[]`)}, false},
		{"no steps", Job{}, false},
		{"only after_script", Job{Steps: []Step{after}}, false},
		{"blank commands", Job{Steps: []Step{{Name: StepScript, Script: []string{"", "  \n"}}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.job.Runnable()
			if tc.ok {
				if err != nil {
					t.Fatalf("Runnable() = %v, want nil", err)
				}
				return
			}
			var be *BuildError
			if !errors.As(err, &be) || be.FailureReason != RunnerUnsupported {
				t.Fatalf("Runnable() = %v, want a runner_unsupported BuildError", err)
			}
		})
	}
}
