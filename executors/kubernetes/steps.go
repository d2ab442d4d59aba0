package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/exitmark"
	"kuberunner/helpers/tarstream"
)

// copySources streams SourceDir into $CI_PROJECT_DIR through the helper
// container, which shares the builds volume with the build container.
func (e *Executor) copySources(ctx context.Context) error {
	e.opts.Log.SectionStart("get_sources", "Getting source from "+e.opts.SourceDir)
	defer e.opts.Log.SectionEnd("get_sources")
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarstream.Write(pw, e.opts.SourceDir)) }()
	var stderr strings.Builder
	err := execInPod(ctx, e.api, execRequest{
		Namespace: e.pod.Namespace, Pod: e.pod.Name, Container: podspec.HelperContainer,
		Command: []string{"receive", "--dir", e.projectDir},
		Stdin:   pr, Stdout: io.Discard, Stderr: &stderr,
		Mark: podspec.HelperCommand,
	})
	pr.Close()
	if err != nil {
		return systemFailure(fmt.Errorf("copy sources to %s: %w: %s", e.projectDir, err, strings.TrimSpace(stderr.String())))
	}
	e.opts.Log.Println(fmt.Sprintf("Copied %s to %s", e.opts.SourceDir, e.projectDir))
	return nil
}

// runSteps runs the script step, then after_script whatever happened, with
// GitLab's semantics: after_script's own failure is only a warning, and the
// job's result is the script's.
func (e *Executor) runSteps(ctx context.Context) error {
	var result error
	run := &stepRun{trace: e.trace, files: podspec.FileVariables(e.vars), scripts: e.opts.Runner.Scripts()}
	for _, step := range e.opts.Job.Steps {
		if step.When != common.WhenAlways && result != nil {
			continue
		}
		name := "step_" + string(step.Name)
		header := fmt.Sprintf("Executing %q stage of the job script", name)
		if step.Name == common.StepAfterScript {
			name, header = "after_script", "Running after_script"
		}
		e.opts.Log.SectionStart(name, header)
		err := e.runStep(ctx, step, run.script(step))
		e.opts.Log.SectionEnd(name)
		run.record(step, err)
		if errors.Is(err, executors.ErrCanceled) {
			e.opts.Log.Warningln("The job was canceled: the script was stopped")
			if result == nil {
				result = &common.BuildError{Inner: err, FailureReason: common.ScriptFailure}
			}
			continue
		}
		var exit *ExecExitError
		switch {
		case err == nil:
		case step.Name == common.StepAfterScript && errors.As(err, &exit):
			e.opts.Log.Warningln(fmt.Sprintf("after_script failed with exit code %d", exit.Code))
		case errors.As(err, &exit):
			if result == nil && !step.AllowFailure {
				result = &common.BuildError{Inner: err, FailureReason: common.ScriptFailure, ExitCode: exit.Code}
			}
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if result == nil {
				result = systemFailure(err)
			}
		}
	}
	return result
}

// stepRun is what the steps of one job share: the first step that runs
// says which shell runs the script, and after_script's CI_JOB_STATUS is
// the result of the steps before it.
type stepRun struct {
	trace            bool
	files            common.JobVariables
	scripts          config.RunnerScripts
	announced        bool
	failed, canceled bool
}

// script is step's program, and marks the shell as announced. The
// script step runs the runner's pre_build_script first and its
// post_build_script last, in its shell, as on GitLab Runner.
func (r *stepRun) script(step common.Step) string {
	opts := podspec.StepOptions{Files: r.files, JobStatus: r.status(step), AnnounceShell: !r.announced, Trace: r.trace}
	r.announced = true
	if step.Name == common.StepScript {
		step.Script = around(r.scripts.PreBuild, step.Script, r.scripts.PostBuild)
	}
	return podspec.StepScript(step, opts)
}

// status is CI_JOB_STATUS for step: running in the script, then the
// job's result so far. A step whose failure is allowed still failed.
func (r *stepRun) status(step common.Step) string {
	switch {
	case step.Name != common.StepAfterScript:
		return podspec.JobStatusRunning
	case r.canceled:
		return podspec.JobStatusCanceled
	case r.failed:
		return podspec.JobStatusFailed
	}
	return podspec.JobStatusSuccess
}

func (r *stepRun) record(step common.Step, err error) {
	switch {
	case err == nil || step.Name == common.StepAfterScript:
	case errors.Is(err, executors.ErrCanceled):
		r.canceled = true
	default:
		r.failed = true
	}
}

// runStep gives stdout and stderr a stream each, so that a masked value
// split across writes of one is never interrupted by bytes of the other,
// and closes them when the step ends, so that what a masker held back is
// written before the next line of the log.
func (e *Executor) runStep(ctx context.Context, step common.Step, script string) error {
	stdout, stderr := e.opts.Log.Stream(), e.opts.Log.Stream()
	defer closeStream(stderr)
	defer closeStream(stdout)
	if step.When != common.WhenAlways {
		var stop context.CancelCauseFunc
		ctx, stop = context.WithCancelCause(ctx)
		defer stop(nil)
		go func() {
			select {
			case <-e.opts.Canceling:
				stop(executors.ErrCanceled)
			case <-ctx.Done():
			}
		}()
		err := e.exec(ctx, script, stdout, stderr)
		if cause := context.Cause(ctx); err != nil && errors.Is(cause, executors.ErrCanceled) {
			return cause
		}
		return err
	}
	return e.exec(ctx, script, stdout, stderr)
}

// exec runs one step's script in the build container, in the runner's
// shell (podspec.StepShell).
func (e *Executor) exec(ctx context.Context, script string, stdout, stderr io.Writer) error {
	return execInPod(ctx, e.api, execRequest{
		Namespace: e.pod.Namespace, Pod: e.pod.Name, Container: podspec.BuildContainer,
		Command: podspec.StepShell(e.opts.Runner.Shell),
		Stdin:   strings.NewReader(script),
		Stdout:  stdout, Stderr: stderr,
		Mark: exitmark.Shell,
	})
}

func closeStream(w io.Writer) {
	if c, ok := w.(io.Closer); ok {
		_ = c.Close()
	}
}
