// Package runner is the daemon of `kuberunner run`: for every [[runners]]
// entry it asks GitLab for jobs under `concurrent`, `limit` and
// `request_concurrency`, runs each through the same executor path as
// `kuberunner exec`, streams its build log as the job's trace and reports
// the result exactly once. It puts a changed config.toml in force without
// touching the running jobs (SIGHUP, or the file's modification time), and
// serves on listen_address the Prometheus metrics, GitLab Runner's names
// beside kuberunner's own, and the /-/health and /-/ready probes. It builds
// no pods: that is the executor's business.
package runner
