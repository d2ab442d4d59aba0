package common

import "fmt"

// Where a pull-policy list came from, for PullPolicyError.
const (
	FromJob                 = "job"
	FromRunnerConfig        = "runner config"
	FromAllowedPullPolicies = "runner config allowed_pull_policies"
	FromPullPolicyAsAllowed = "runner config pull_policy (allowed_pull_policies is not set)"
)

// PullPolicyError says that none of the requested policies is allowed for an
// image. It is a configuration error: retrying cannot help.
type PullPolicyError struct {
	Image         string
	Requested     PullPolicies
	RequestedFrom string // FromJob or FromRunnerConfig
	Allowed       PullPolicies
	AllowedFrom   string
}

func (e *PullPolicyError) Error() string {
	return fmt.Sprintf("image %q: none of the pull policies %s from %s is allowed by %s from %s",
		e.Image, e.Requested, e.RequestedFrom, e.Allowed, e.AllowedFrom)
}

// PullPolicyRule is what config.toml says about one image: the list to try
// when the job names none, and the bound a job's own list is filtered by.
// NewPullPolicyRule is the one place the defaults between the two keys live.
type PullPolicyRule struct {
	Requested     PullPolicies
	RequestedFrom string
	Allowed       PullPolicies
	AllowedFrom   string
}

// NewPullPolicyRule is the rule of a runner with pull_policy runner and
// allowed_pull_policies allowed; allowed defaults to the runner's list.
func NewPullPolicyRule(runner, allowed PullPolicies) PullPolicyRule {
	r := PullPolicyRule{Requested: runner, RequestedFrom: FromRunnerConfig, Allowed: allowed, AllowedFrom: FromAllowedPullPolicies}
	if len(allowed) == 0 {
		r.Allowed, r.AllowedFrom = runner, FromPullPolicyAsAllowed
	}
	return r
}

// WithRequested replaces the requested list when list is set: a configured
// service's own pull_policy stands in for the runner's, but the runner's
// bound stays, so a service entry is no way around the operator's limit.
func (r PullPolicyRule) WithRequested(list PullPolicies) PullPolicyRule {
	if len(list) > 0 {
		r.Requested = list
	}
	return r
}

// EffectivePullPolicies is the ordered list of policies to try for one image.
//
//  1. A non-empty job list (image:pull_policy, services:pull_policy) replaces
//     the runner's pull_policy.
//  2. The requested list is filtered by allowed (allowed_pull_policies, which
//     defaults to the runner's pull_policy), keeping the requested order and
//     repeats, because a repeat is a retry.
//  3. When neither the job nor the runner names a policy, the list is allowed
//     if set, else one attempt with the cluster default. GitLab Runner fails
//     here (gitlab#479766); an operator who configured nothing has asked for
//     nothing special, so we don't.
//
// If both the requested and the allowed list are empty after defaulting, no
// restriction applies. An empty intersection is a *PullPolicyError. On
// success the result is never empty and never shares memory with the inputs.
func EffectivePullPolicies(image string, job, runner, allowed PullPolicies) (PullPolicies, error) {
	return NewPullPolicyRule(runner, allowed).Effective(image, job)
}

// Effective applies the rule to one image and the job's own list (may be
// empty); see EffectivePullPolicies.
func (r PullPolicyRule) Effective(image string, job PullPolicies) (PullPolicies, error) {
	requested, requestedFrom := r.Requested, r.RequestedFrom
	if len(job) > 0 {
		requested, requestedFrom = job, FromJob
	}
	allowed := r.Allowed
	if len(requested) == 0 {
		if len(allowed) > 0 {
			return append(PullPolicies(nil), allowed...), nil
		}
		return PullPolicies{PullPolicyDefault}, nil
	}
	if len(allowed) == 0 {
		return append(PullPolicies(nil), requested...), nil
	}
	var out PullPolicies
	for _, p := range requested {
		if allowed.Contains(p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, &PullPolicyError{
			Image:         image,
			Requested:     append(PullPolicies(nil), requested...),
			RequestedFrom: requestedFrom,
			Allowed:       append(PullPolicies(nil), allowed...),
			AllowedFrom:   r.AllowedFrom,
		}
	}
	return out, nil
}
