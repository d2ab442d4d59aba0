package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kuberunner/common"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/artifacts"
)

// artifactLog is the part of the build log the artifacts write to.
type artifactLog interface {
	Errorln(args ...any)
	SectionStart(name, header string)
	SectionEnd(name string)
}

// downloadArtifacts fetches each dependency's archive into the project
// directory through the helper, in the payload's order, and stops at the
// first that fails: the script must not run without its inputs.
func (p *artifactPlan) downloadArtifacts(ctx context.Context, run helperRun, log artifactLog) error {
	if len(p.downloads) == 0 {
		return nil
	}
	log.SectionStart("download_artifacts", "Downloading artifacts")
	defer log.SectionEnd("download_artifacts")
	for _, d := range p.downloads {
		err := runArtifactHelper(ctx, run, "artifacts-download", d)
		if err != nil {
			return artifactFailure(fmt.Errorf("downloading the artifacts of %q (job %d): %w", d.Name, d.JobID, err))
		}
	}
	return nil
}

// uploadArtifacts uploads each artifact whose when matches how the steps
// ended (result), each in a section of its own. An upload that fails
// after steps that succeeded fails the job; after steps that failed, the
// job keeps the steps' failure. Uploads go on after one fails, so that
// reports still arrive.
func (p *artifactPlan) uploadArtifacts(ctx context.Context, run helperRun, log artifactLog, result error) error {
	state := stepsState(result)
	for i, u := range p.uploads {
		if !uploadsNow(u.when, state) || ctx.Err() != nil {
			continue
		}
		name := fmt.Sprintf("upload_artifacts_%d", i+1)
		log.SectionStart(name, fmt.Sprintf("Uploading artifacts %q (%s, %s, when %s)", u.req.Name, u.req.Type, u.req.Format, u.when))
		err := runArtifactHelper(ctx, run, "artifacts-upload", u.req)
		log.SectionEnd(name)
		if err == nil {
			continue
		}
		failure := artifactFailure(fmt.Errorf("uploading artifacts %q (%s): %w", u.req.Name, u.req.Type, err))
		if result == nil {
			result = failure
		} else {
			log.Errorln(fmt.Sprintf("Uploading artifacts %q failed; the job has failed already: %v", u.req.Name, err))
		}
	}
	return result
}

// stepsState is how the steps ended, from their result.
func stepsState(result error) jobState {
	switch {
	case result == nil:
		return jobSucceeded
	case errors.Is(result, executors.ErrCanceled):
		return jobCanceled
	}
	return jobFailed
}

// runArtifactHelper runs the helper subcommand with req on its stdin.
func runArtifactHelper(ctx context.Context, run helperRun, sub string, req any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	return run(ctx, []string{sub}, bytes.NewReader(body), podspec.HelperCommand)
}

// artifactFailure is the job's failure for a helper that failed, by its
// exit status: the job's own fault (script_failure), a dependency GitLab
// has no artifacts for (missing_dependency_failure), anything else the
// runner's (runner_system_failure), as GitLab Runner reports them.
func artifactFailure(err error) error {
	var exit *ExecExitError
	if errors.As(err, &exit) {
		switch exit.Code {
		case artifacts.ExitJobFault:
			return &common.BuildError{Inner: err, FailureReason: common.ScriptFailure}
		case artifacts.ExitMissing:
			return &common.BuildError{Inner: err, FailureReason: common.MissingDependencyFailure}
		}
	}
	return systemFailure(err)
}
