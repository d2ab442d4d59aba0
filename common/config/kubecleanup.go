package config

import (
	"fmt"
	"time"
)

// KubernetesCleanup is how a job's objects go away, GitLab Runner's keys.
type KubernetesCleanup struct {
	// CleanupGracePeriodSeconds is the grace period of the pods' delete
	// when the job ends; nil is the executor's (0, or the pod's own
	// pod_termination_grace_period_seconds when that is set).
	CleanupGracePeriodSeconds *int `toml:"cleanup_grace_period_seconds"`
	// CleanupResourcesTimeout bounds the whole cleanup, a Go duration
	// ("5m", "300s"); "" is the executor's default.
	CleanupResourcesTimeout string `toml:"cleanup_resources_timeout"`
}

// The bounds of cleanup_resources_timeout: long enough for one request,
// short enough that a runner does not hold a finished job's slot for long.
const (
	MinCleanupTimeout = time.Second
	MaxCleanupTimeout = time.Hour
)

// MaxGracePeriod bounds the grace-period keys, in seconds: a pod that does
// not stop within an hour of SIGTERM is not stopping.
const MaxGracePeriod = 3600

// CleanupTimeout is cleanup_resources_timeout, 0 when unset. The loader
// has checked it; a config that did not come through it gets 0 for a bad
// value, so the default applies.
func (c KubernetesCleanup) CleanupTimeout() time.Duration {
	d, err := time.ParseDuration(c.CleanupResourcesTimeout)
	if err != nil || d < MinCleanupTimeout || d > MaxCleanupTimeout {
		return 0
	}
	return d
}

func (d *decoder) cleanup(p keyPath, c KubernetesCleanup) {
	if c.CleanupResourcesTimeout == "" {
		return
	}
	t, err := time.ParseDuration(c.CleanupResourcesTimeout)
	if err != nil || t < MinCleanupTimeout || t > MaxCleanupTimeout {
		d.fail(p.child("cleanup_resources_timeout"), &Error{Value: c.CleanupResourcesTimeout,
			Msg:     fmt.Sprintf("%q is not a duration from %s to %s", c.CleanupResourcesTimeout, MinCleanupTimeout, MaxCleanupTimeout),
			Allowed: `a Go duration such as "5m", "300s" or "1h", from 1s to 1h`})
	}
}
