package common

import (
	"bytes"
	"errors"
	"slices"
	"strings"
)

// Runnable returns a *BuildError (runner_unsupported) when the job gives
// this runner nothing it can run: a job that succeeded without running
// what it was given would tell its user the work was done. GitLab sends
// a job that uses `run:` (CI steps) with its steps outside the script
// steps, and kuberunner does not run those yet.
func (j *Job) Runnable() error {
	switch {
	case usesRun(j.Run):
		return unsupported("this job uses `run:` (CI steps), which kuberunner does not run yet: nothing was run")
	case !hasScript(j.Steps):
		return unsupported("the job has no script to run (a job that uses `run:` comes so, and kuberunner does not run `run:` yet): nothing was run")
	}
	return nil
}

func unsupported(msg string) error {
	return &BuildError{Inner: errors.New(msg), FailureReason: RunnerUnsupported}
}

// usesRun is whether the payload's run is set: anything but absent or
// null, as an empty list beside a script is still a job written for
// steps.
func usesRun(run []byte) bool {
	v := bytes.TrimSpace(run)
	return len(v) > 0 && !bytes.Equal(v, []byte("null"))
}

// hasScript is whether a step other than after_script has a command:
// after_script alone cleans up after the job's work, it is not the work.
func hasScript(steps []Step) bool {
	return slices.ContainsFunc(steps, func(s Step) bool {
		return s.Name != StepAfterScript && slices.ContainsFunc(s.Script, isCommand)
	})
}

func isCommand(line string) bool { return strings.TrimSpace(line) != "" }
