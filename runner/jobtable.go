package runner

import (
	"context"
	"sync"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
)

// Where a running job is, in GitLab Runner's label values for
// gitlab_runner_jobs: the build stage, and the executor's stage. The
// executor runs sources, script and after_script in one Run, so the build
// stage is step_script for all of them (docs/observability.md).
const (
	stagePrepare = "prepare_executor"
	stageScript  = "step_script"

	executorCreated = "created"
	executorPrepare = "prepare"
	executorRun     = "run"
	executorCleanup = "cleanup"
	executorFinish  = "finish"
)

// jobTable is the jobs running now, for gitlab_runner_jobs and the counts
// in the stop messages.
type jobTable struct {
	mu   sync.Mutex
	jobs map[*runningJob]struct{}
}

// runningJob is one running job's labels.
type runningJob struct {
	runner, name         string
	stage, executorStage string
}

// jobStage is the labels of one gitlab_runner_jobs series but the system ID.
type jobStage struct {
	runner, name, state, stage, executorStage string
}

func (t *jobTable) add(rc *config.RunnerConfig) *runningJob {
	j := &runningJob{runner: common.ShortToken(rc.Token), name: rc.Name, stage: stagePrepare, executorStage: executorCreated}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.jobs == nil {
		t.jobs = map[*runningJob]struct{}{}
	}
	t.jobs[j] = struct{}{}
	return j
}

func (t *jobTable) remove(j *runningJob) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.jobs, j)
}

// set moves j to a stage; "" keeps the build stage.
func (t *jobTable) set(j *runningJob, stage, executorStage string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if stage != "" {
		j.stage = stage
	}
	j.executorStage = executorStage
}

func (t *jobTable) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.jobs)
}

// byStage counts the jobs per series.
func (t *jobTable) byStage() map[jobStage]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[jobStage]int{}
	for j := range t.jobs {
		out[jobStage{runner: j.runner, name: j.name, state: "running", stage: j.stage, executorStage: j.executorStage}]++
	}
	return out
}

// stagedExecutor records in the table where its job is.
type stagedExecutor struct {
	executors.Executor
	table *jobTable
	job   *runningJob
}

func (s stagedExecutor) Prepare(ctx context.Context, opts executors.Options) error {
	s.table.set(s.job, stagePrepare, executorPrepare)
	return s.Executor.Prepare(ctx, opts)
}

func (s stagedExecutor) Run(ctx context.Context) error {
	s.table.set(s.job, stageScript, executorRun)
	return s.Executor.Run(ctx)
}

func (s stagedExecutor) Cleanup(ctx context.Context) error {
	s.table.set(s.job, "", executorCleanup)
	return s.Executor.Cleanup(ctx)
}
