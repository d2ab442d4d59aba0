package podspec

import (
	"path"
	"strconv"

	"kuberunner/common"
	"kuberunner/common/config"
)

// predefined are the variables the runner itself sets, before the
// runner's environment and the job's own. GitLab sends most predefined
// variables (CI_PROJECT_PATH, CI_COMMIT_SHA, ...) in the job's; these are
// the ones only the runner knows. CI_RUNNER_EXECUTABLE_ARCH is not here:
// it is the node's, known only in the pod (see archExport).
func predefined(job *common.Job, runner *config.RunnerConfig, run RunInfo) common.JobVariables {
	v := common.JobVariables{
		public("CI", "true"),
		public("GITLAB_CI", "true"),
		public("CI_SERVER", "yes"),
		public("CI_DISPOSABLE_ENVIRONMENT", "true"),
		public("CI_JOB_ID", strconv.FormatInt(job.ID, 10)),
		public("CI_JOB_NAME", job.JobInfo.Name),
		public("CI_JOB_STAGE", job.JobInfo.Stage),
		public("CI_PROJECT_NAME", path.Base(run.ProjectDir)),
		public("CI_PROJECT_DIR", run.ProjectDir),
		public("CI_BUILDS_DIR", BuildsDir),
		public("CI_CONCURRENT_ID", strconv.Itoa(run.ConcurrentID)),
		public("CI_CONCURRENT_PROJECT_ID", strconv.Itoa(run.ConcurrentProjectID)),
		public("CI_RUNNER_DESCRIPTION", runner.Name),
		public("CI_RUNNER_SHORT_TOKEN", common.ShortToken(runner.Token)),
		public("CI_RUNNER_VERSION", run.Version),
		public("CI_RUNNER_REVISION", run.Revision),
	}
	if job.Timeout > 0 {
		// A job without a timeout (none sent) has no value to give.
		v = append(v, public("CI_JOB_TIMEOUT", strconv.FormatInt(int64(job.Timeout.Seconds()), 10)))
	}
	return append(v, run.Extra...)
}

func public(key, value string) common.JobVariable {
	return common.JobVariable{Key: key, Value: value, Public: true}
}
