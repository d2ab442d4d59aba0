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
	requested, requestedFrom := runner, FromRunnerConfig
	if len(job) > 0 {
		requested, requestedFrom = job, FromJob
	}
	allowedList, allowedFrom := allowed, FromAllowedPullPolicies
	if len(allowedList) == 0 {
		allowedList, allowedFrom = runner, FromPullPolicyAsAllowed
	}
	return intersectPullPolicies(image, requested, requestedFrom, allowedList, allowedFrom)
}

func intersectPullPolicies(image string, requested PullPolicies, requestedFrom string, allowed PullPolicies, allowedFrom string) (PullPolicies, error) {
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
			AllowedFrom:   allowedFrom,
		}
	}
	return out, nil
}

// ImagePullPolicies is EffectivePullPolicies for the job image under this
// runner's settings. job is the job's own image:pull_policy (may be empty).
func (k *KubernetesConfig) ImagePullPolicies(image string, job PullPolicies) (PullPolicies, error) {
	if k == nil {
		return EffectivePullPolicies(image, job, nil, nil)
	}
	return EffectivePullPolicies(image, job, k.PullPolicy, k.AllowedPullPolicies)
}

// ServicePullPolicies is the effective list for the configured service i
// (k.Services[i]). Its own pull_policy stands in for the runner's, but
// allowed_pull_policies (or, when unset, the runner's pull_policy) still
// bounds it: a service entry must not be a way around the operator's limit.
// job is the job's services:pull_policy for that service, if any.
func (k *KubernetesConfig) ServicePullPolicies(i int, job PullPolicies) (PullPolicies, error) {
	if k == nil || i < 0 || i >= len(k.Services) {
		return nil, fmt.Errorf("no configured service %d", i)
	}
	svc := k.Services[i]
	if len(svc.PullPolicy) == 0 {
		return k.ImagePullPolicies(svc.Name, job)
	}
	requested, requestedFrom := svc.PullPolicy, FromRunnerConfig
	if len(job) > 0 {
		requested, requestedFrom = job, FromJob
	}
	allowed, allowedFrom := k.AllowedPullPolicies, FromAllowedPullPolicies
	if len(allowed) == 0 {
		allowed, allowedFrom = k.PullPolicy, FromPullPolicyAsAllowed
	}
	return intersectPullPolicies(svc.Name, requested, requestedFrom, allowed, allowedFrom)
}
