package config

import (
	"fmt"

	"kuberunner/common"
)

// effectivePolicies are the lists a job that names no pull_policy of its own
// gets. The loader computes them once, reporting an empty intersection at
// its line, and the executor reads them from here for every job.
type effectivePolicies struct {
	resolved bool
	image    common.PullPolicies
	services []common.PullPolicies
}

// rule is this runner's pull_policy / allowed_pull_policies pair.
func (k *KubernetesConfig) rule() common.PullPolicyRule {
	return common.NewPullPolicyRule(k.PullPolicy, k.AllowedPullPolicies)
}

// resolvePullPolicies computes the lists of a job that sets none: the
// job image's and each configured service's. It returns one error per list
// (image first, then each service; nil where the list is fine) and keeps
// the lists only when all of them are fine, because a config with an error
// is never handed out.
func (k *KubernetesConfig) resolvePullPolicies() []error {
	e := effectivePolicies{resolved: true}
	var errs []error
	failed := false
	add := func(list common.PullPolicies, err error) common.PullPolicies {
		errs = append(errs, err)
		failed = failed || err != nil
		return list
	}
	e.image = add(k.rule().Effective(k.Image, nil))
	for _, svc := range k.Services {
		e.services = append(e.services, add(k.rule().WithRequested(svc.PullPolicy).Effective(svc.Name, nil)))
	}
	if !failed {
		k.effective = e
	}
	return errs
}

// ImagePullPolicies is the effective list for the job image; job is the
// job's own image:pull_policy (may be empty). A nil config is a runner that
// configured nothing: one attempt with the cluster default.
func (k *KubernetesConfig) ImagePullPolicies(image string, job common.PullPolicies) (common.PullPolicies, error) {
	if k == nil {
		return common.EffectivePullPolicies(image, job, nil, nil)
	}
	if len(job) == 0 && k.effective.resolved {
		return append(common.PullPolicies(nil), k.effective.image...), nil
	}
	return k.rule().Effective(image, job)
}

// ServicePullPolicies is the effective list for the configured service i
// (k.Services[i]); job is the job's services:pull_policy for it, if any.
func (k *KubernetesConfig) ServicePullPolicies(i int, job common.PullPolicies) (common.PullPolicies, error) {
	if k == nil || i < 0 || i >= len(k.Services) {
		return nil, fmt.Errorf("no configured service %d", i)
	}
	if len(job) == 0 && k.effective.resolved {
		return append(common.PullPolicies(nil), k.effective.services[i]...), nil
	}
	svc := k.Services[i]
	return k.rule().WithRequested(svc.PullPolicy).Effective(svc.Name, job)
}
