package config

import "time"

// tokenExpiry warns about a runner token that expires (token_expires_at,
// which GitLab Runner's register writes; its zero time,
// 0001-01-01T00:00:00Z, is a token that does not). kuberunner does not
// renew a token, so such a runner stops taking jobs at that time unless
// the operator replaces the token first.
func (d *decoder) tokenExpiry(p keyPath, r *RunnerConfig, now time.Time) {
	at := r.TokenExpiresAt
	if at.IsZero() {
		return
	}
	when := at.UTC().Format(time.RFC3339)
	if !at.After(now) {
		d.warn(p.child("token_expires_at"), "the runner's token expired at "+when+": GitLab refuses it; create a new runner token and set it")
		return
	}
	d.warn(p.child("token_expires_at"), "the runner's token expires at "+when+" and kuberunner does not renew runner tokens: replace it before then")
}
