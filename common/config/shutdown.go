package config

import "time"

// ShutdownWait is how long `kuberunner run` waits for its jobs when it
// stops. drain bounds a SIGQUIT: the running jobs finish, and those still
// running after it are aborted; 0 is no bound, GitLab Runner's graceful
// stop. abort bounds the wait for aborted jobs (SIGTERM, SIGINT, or a
// drain that ran out) to clean up and report before the process exits:
// shutdown_timeout, or GitLab Runner's 30 seconds when it is unset.
func (c *Config) ShutdownWait() (drain, abort time.Duration) {
	drain = time.Duration(c.ShutdownTimeout) * time.Second
	abort = drain
	if abort <= 0 {
		abort = DefaultShutdownTimeout * time.Second
	}
	return drain, abort
}
