package runner

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
)

// The gauges GitLab Runner computes when scraped: they follow the
// configuration in force, so a reload shows at once.
var (
	concurrentDesc = prometheus.NewDesc("gitlab_runner_concurrent", "concurrent as in force.", nil, nil)
	limitDesc      = prometheus.NewDesc("gitlab_runner_limit", "Each runner's limit as in force (0: no limit).", runnerLabels, nil)
	jobsDesc       = prometheus.NewDesc("gitlab_runner_jobs", "Jobs running now, by runner, state, build stage and executor stage; an idle series of 0 per runner keeps each runner visible.",
		append(runnerLabels[:3:3], "state", "stage", "executor_stage"), nil)
)

// stateCollector reads the gauges from the daemon.
type stateCollector struct{ d *Daemon }

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- concurrentDesc
	ch <- limitDesc
	ch <- jobsDesc
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	d, m := c.d, c.d.metrics
	cfg := d.config()
	ch <- prometheus.MustNewConstMetric(concurrentDesc, prometheus.GaugeValue, float64(cfg.Concurrent))
	for _, rc := range cfg.Runners {
		ch <- prometheus.MustNewConstMetric(limitDesc, prometheus.GaugeValue, float64(rc.Limit), m.ids(rc)...)
	}
	counts := d.running.byStage()
	for _, rc := range cfg.Runners {
		ids := m.ids(rc)
		counts[jobStage{runner: ids[0], name: ids[1], state: "idle", stage: "idle", executorStage: "idle"}] += 0
	}
	for s, n := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), s.runner, s.name, m.systemID, s.state, s.stage, s.executorStage)
	}
}

// errorLevels are the levels gitlab_runner_errors_total counts.
var errorLevels = []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}

// errorHook counts the daemon's log lines at errorLevels.
type errorHook struct{ errors *prometheus.CounterVec }

func (m *gitlabMetrics) errorHook() logrus.Hook { return errorHook{m.errors} }

func (h errorHook) Levels() []logrus.Level { return errorLevels }

func (h errorHook) Fire(e *logrus.Entry) error {
	h.errors.WithLabelValues(e.Level.String()).Inc()
	return nil
}
