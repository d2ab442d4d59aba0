package registryauth

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Plan is the pull secrets side of a job's pod.
type Plan struct {
	// JobSecret says whether to create the job's own Secret (named as
	// given to PlanPullSecrets, data from DockerConfigJSON).
	JobSecret bool
	// PullSecrets is the pod's imagePullSecrets, for every container.
	PullSecrets []corev1.LocalObjectReference
	// Log are the build log's lines: each credential, the configured
	// secrets, and the warnings of the Resolution.
	Log []string
}

// PlanPullSecrets follows GitLab Runner: the pod names the Secrets of
// [runners.kubernetes] image_pull_secrets first, then the job's own Secret
// (jobSecret) when the job has credentials; the kubelet then offers every
// credential that covers an image, in that order. With
// use_service_account_image_pull_secrets the pod names none, so that the
// kubelet uses the service account's, and the job gets no Secret.
func PlanPullSecrets(r Resolution, configured []string, useServiceAccount bool, jobSecret string) Plan {
	p := Plan{Log: append([]string(nil), r.Warnings...)}
	if useServiceAccount {
		p.Log = append(p.Log, "use_service_account_image_pull_secrets: the pod names no pull secrets, the service account's apply")
		if len(r.Credentials) > 0 {
			p.Log = append(p.Log, "not used for that: "+r.String())
		}
		return p
	}
	names := dedupe(configured)
	for _, n := range names {
		p.PullSecrets = append(p.PullSecrets, corev1.LocalObjectReference{Name: n})
	}
	if len(names) > 0 {
		p.Log = append(p.Log, fmt.Sprintf("image pull secrets from image_pull_secrets: %s", strings.Join(names, ", ")))
	}
	if len(r.Credentials) > 0 && jobSecret != "" {
		p.JobSecret = true
		p.PullSecrets = append(p.PullSecrets, corev1.LocalObjectReference{Name: jobSecret})
		p.Log = append(p.Log, r.Descriptions()...)
	}
	return p
}

// dedupe drops empty and repeated names, keeping the first occurrence.
func dedupe(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
