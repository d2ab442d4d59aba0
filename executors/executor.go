// Package executors defines what an executor is and keeps the registry of
// executors by name. It knows nothing of Kubernetes: executors register
// themselves from their own packages, and callers pick one by the
// `executor` key of a [[runners]] entry.
package executors

import (
	"context"
	"errors"
	"io"

	"kuberunner/common"
	"kuberunner/common/config"
)

// BuildLog is the part of the job's build log an executor writes to.
// buildlog.Log implements it; tests may record lines instead.
type BuildLog interface {
	Println(args ...any)
	Infoln(args ...any)
	Warningln(args ...any)
	Errorln(args ...any)
	SectionStart(name, header string)
	SectionEnd(name string)
	// Stream receives the script's output as it comes.
	Stream() io.Writer
}

// Options is everything an executor needs to run one job.
type Options struct {
	Job    *common.Job
	Runner *config.RunnerConfig
	Log    BuildLog
	// SourceDir, when set, is a local directory whose contents become the
	// job's working directory ($CI_PROJECT_DIR) before the script runs.
	SourceDir string
	// Canceling, when it closes, stops the running script step the way
	// GitLab's "canceling" asks: after_script still runs, and the job
	// fails with ErrCanceled. Aborting at once is the context's job.
	Canceling <-chan struct{}
	// Version and Revision name the kuberunner build that runs the job:
	// CI_RUNNER_VERSION and CI_RUNNER_REVISION.
	Version, Revision string
	// Slot numbers the job among those its runner runs at the same time.
	Slot Slot
}

// Slot is where a job stands among the jobs one runner runs at the same
// time, as GitLab Runner numbers them: CI_CONCURRENT_ID is the lowest
// index, from 0, that no other running job of the runner holds, and
// CI_CONCURRENT_PROJECT_ID the lowest that no other running job of the
// runner for the same project holds. A job run alone has 0 and 0.
type Slot struct {
	ID, ProjectID int
}

// ErrCanceled is the cause of a job whose script was stopped because GitLab
// asked to cancel it gracefully.
var ErrCanceled = errors.New("the job was canceled")

// Executor runs one job.
//
// Lifecycle: Prepare once, then Run at most once, then Cleanup exactly once,
// whatever happened before it: after a failed Prepare, a failed Run or a
// cancelled context too, so that nothing the job created outlives it. Cleanup
// may be called again; later calls do nothing. Prepare and Run return a
// *common.BuildError for job failures, so callers can report the failure
// reason. An Executor serves one job and is not safe for concurrent use;
// separate Executors are independent and may run concurrently.
type Executor interface {
	Prepare(ctx context.Context, opts Options) error
	Run(ctx context.Context) error
	// Cleanup takes its own context: the job's may already be cancelled.
	Cleanup(ctx context.Context) error
}
