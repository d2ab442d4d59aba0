// Package runner is the daemon of `kuberunner run`: for every [[runners]]
// entry it asks GitLab for jobs under `concurrent`, `limit` and
// `request_concurrency`, runs each through the same executor path as
// `kuberunner exec`, streams its build log as the job's trace and reports
// the result exactly once. It also serves the Prometheus metrics. It builds
// no pods: that is the executor's business.
package runner
