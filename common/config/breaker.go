package config

import (
	"fmt"
	"time"
)

// pull_policy_breaker: whether a job trusts the process's record of
// unreachable registries and starts past `always` for one
// (docs/configuration.md explains why that is safe).
const (
	BreakerOn  = "on"
	BreakerOff = "off"
	// DefaultBreakerMaxOpen is pull_policy_breaker_max_open's default.
	DefaultBreakerMaxOpen = "10m"
	// maxBreakerMaxOpen bounds the key: a day of trusting a node's copy
	// without any sign of the outage is more than any outage warrants.
	maxBreakerMaxOpen = 24 * time.Hour
)

// BreakerEnabled is pull_policy_breaker, on unless set to "off".
func (k *KubernetesConfig) BreakerEnabled() bool {
	return k == nil || k.PullPolicyBreaker != BreakerOff
}

// BreakerMaxOpen is pull_policy_breaker_max_open as a duration; the loader
// has checked it.
func (k *KubernetesConfig) BreakerMaxOpen() time.Duration {
	v := DefaultBreakerMaxOpen
	if k != nil && k.PullPolicyBreakerMaxOpen != "" {
		v = k.PullPolicyBreakerMaxOpen
	}
	d, _ := time.ParseDuration(v)
	return d
}

// validateBreaker checks both keys of a [runners.kubernetes] table.
func (d *decoder) validateBreaker(p keyPath, k *KubernetesConfig) {
	if k.PullPolicyBreaker != "" {
		d.oneOf(p.child("pull_policy_breaker"), k.PullPolicyBreaker, []string{BreakerOn, BreakerOff})
	}
	v := k.PullPolicyBreakerMaxOpen
	if v == "" {
		return
	}
	if dur, err := time.ParseDuration(v); err != nil || dur <= 0 || dur > maxBreakerMaxOpen {
		d.fail(p.child("pull_policy_breaker_max_open"), &Error{
			Value: v, Msg: fmt.Sprintf("%q is not a duration from 1s to 24h", v),
			Allowed: `a Go duration such as "10m", "90s" or "1h", more than zero and at most 24h`,
		})
	}
}
