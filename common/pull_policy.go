package common

// PullPolicy is one of GitLab Runner's pull-policy names as written in
// config.toml or .gitlab-ci.yml. The empty value means "none given": the
// cluster's own default (an empty imagePullPolicy in the pod spec).
type PullPolicy string

const (
	PullPolicyAlways       PullPolicy = "always"
	PullPolicyIfNotPresent PullPolicy = "if-not-present"
	PullPolicyNever        PullPolicy = "never"
	// PullPolicyDefault leaves the choice to the cluster.
	PullPolicyDefault PullPolicy = ""
)

// PullPolicies is an ordered list of policies to try, one per attempt.
// Repeats are meaningful: ["always", "always"] is one retry.
type PullPolicies []PullPolicy
