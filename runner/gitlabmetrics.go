package runner

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/network"
)

// GitLab Runner's metrics, with its names, types, labels and buckets, so
// that an operator's dashboards and alerts keep working
// (docs/observability.md maps each to kuberunner's own). `runner` is the
// runner token's short form (common.ShortToken), `runner_name` the
// entry's name, `system_id` the process's. They live in the daemon's own
// registry; Handler serves them beside the default registry, where
// kuberunner's own metrics are.
type gitlabMetrics struct {
	systemID      string
	jobsTotal     *prometheus.CounterVec
	failedJobs    *prometheus.CounterVec
	jobDuration   *prometheus.HistogramVec
	queueDuration *prometheus.HistogramVec
	apiStatuses   *prometheus.CounterVec
	errors        *prometheus.CounterVec
	version       *prometheus.GaugeVec
}

// runnerLabels are the labels that name a runner, in this order.
var runnerLabels = []string{"runner", "runner_name", "system_id"}

func newGitLabMetrics(systemID, version, revision string) *gitlabMetrics {
	m := &gitlabMetrics{
		systemID: systemID,
		jobsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitlab_runner_jobs_total", Help: "Jobs received, by runner.",
		}, runnerLabels),
		failedJobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitlab_runner_failed_jobs_total", Help: "Jobs that failed, by runner and the failure reason sent to GitLab.",
		}, []string{"runner", "runner_name", "failure_reason"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gitlab_runner_job_duration_seconds", Help: "From a job's arrival to its final report, by runner.",
			Buckets: []float64{30, 60, 300, 600, 1800, 3600, 7200, 10800, 18000, 36000},
		}, runnerLabels),
		queueDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gitlab_runner_job_queue_duration_seconds", Help: "How long jobs waited in GitLab's queue (job_info.time_in_queue_seconds), by runner and GitLab's bucket of the project's jobs running on instance runners.",
			Buckets: []float64{1, 3, 10, 30, 60, 120, 300, 900, 1800, 3600},
		}, append(runnerLabels[:3:3], "project_jobs_running")),
		apiStatuses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitlab_runner_api_request_statuses_total", Help: "Answers from GitLab's runner API, by runner, system_id, endpoint (request_job, update_job, patch_trace), status and method.",
		}, []string{"runner", "system_id", "endpoint", "status", "method"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitlab_runner_errors_total", Help: "Lines of the runner's own log at level warning or worse, by level.",
		}, []string{"level"}),
		version: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitlab_runner_version_info", Help: "1, labelled with the build of kuberunner.",
		}, []string{"name", "version", "revision", "branch", "go_version", "built_at", "os", "architecture"}),
	}
	m.version.WithLabelValues("kuberunner", version, revision, "unknown", runtime.Version(), "unknown", runtime.GOOS, runtime.GOARCH).Set(1)
	for _, level := range errorLevels {
		m.errors.WithLabelValues(level.String()).Add(0)
	}
	return m
}

// registry holds m and the gauges read from d when scraped.
func (m *gitlabMetrics) registry(d *Daemon) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.jobsTotal, m.failedJobs, m.jobDuration, m.queueDuration, m.apiStatuses, m.errors, m.version, stateCollector{d})
	return reg
}

// ids are the runnerLabels values of rc.
func (m *gitlabMetrics) ids(rc *config.RunnerConfig) []string {
	return []string{common.ShortToken(rc.Token), rc.Name, m.systemID}
}

// received counts a job as it arrives, with how long it was queued.
func (m *gitlabMetrics) received(rc *config.RunnerConfig, job *common.Job) {
	ids := m.ids(rc)
	m.jobsTotal.WithLabelValues(ids...).Inc()
	m.queueDuration.WithLabelValues(append(ids, string(job.JobInfo.ProjectJobsRunning))...).Observe(float64(job.JobInfo.TimeInQueueSeconds))
}

// finished counts a job as it is reported.
func (m *gitlabMetrics) finished(rc *config.RunnerConfig, report network.Report, seconds float64) {
	m.jobDuration.WithLabelValues(m.ids(rc)...).Observe(seconds)
	if report.State == network.StateFailed {
		m.failedJobs.WithLabelValues(common.ShortToken(rc.Token), rc.Name, string(report.FailureReason)).Inc()
	}
}
