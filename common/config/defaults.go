package config

// Defaults for keys an operator may leave out or set to zero / "". They
// follow GitLab Runner where it has one, so a migrated file behaves the same.
const (
	DefaultConcurrent    = 1
	DefaultCheckInterval = 3 // seconds
	DefaultLogLevel      = "info"
	DefaultExecutor      = "kubernetes"
	DefaultNamespace     = "default"
	DefaultPollTimeout   = 180 // seconds
	DefaultLogFormat     = "text"
	// DefaultShutdownTimeout is GitLab Runner's bound on a forced stop, in
	// seconds: how long aborted jobs get to clean up and report.
	DefaultShutdownTimeout = 30
	// DefaultRequestConcurrency: one job request in flight per runner.
	DefaultRequestConcurrency = 1
	// DefaultOutputLimit is GitLab Runner's output_limit, in KiB.
	DefaultOutputLimit = 4096
	// DefaultPullRetryBudget: a transient pull failure retries its pull
	// policy twice before the next policy.
	DefaultPullRetryBudget = 2
	// MaxPullRetryBudget bounds pull_retry_budget so that the retries'
	// backoff stays under 30 s (executors/kubernetes/retrybudget.go): a
	// registry that stays throttled that long is treated as down.
	MaxPullRetryBudget = 5
	// DefaultPullPolicyNodeAffinity: a fallback pod prefers, and does not
	// require, a node that lists its image, because a node's list is cut
	// at 50 images and a required term would shut out nodes that hold it
	// unlisted.
	DefaultPullPolicyNodeAffinity = NodeAffinityPreferred
)

// Values of pull_policy_node_affinity.
const (
	NodeAffinityPreferred = "preferred"
	NodeAffinityRequired  = "required"
	NodeAffinityOff       = "off"
)

// PullRetries is pull_retry_budget, or its default when unset (nil: the
// key is absent, or the config did not come through the loader).
func (k *KubernetesConfig) PullRetries() int {
	if k == nil || k.PullRetryBudget == nil {
		return DefaultPullRetryBudget
	}
	return *k.PullRetryBudget
}

// applyDefaults fills zero values. A number outside its range was reported
// as it was decoded (ranges.go) and never reaches here: it is a mistake,
// not an omission, and Parse returns no Config for it.
func (c *Config) applyDefaults() {
	if c.Concurrent == 0 {
		c.Concurrent = DefaultConcurrent
	}
	if c.CheckInterval == 0 {
		c.CheckInterval = DefaultCheckInterval
	}
	if c.LogLevel == "" {
		c.LogLevel = DefaultLogLevel
	}
	if c.LogFormat == "" {
		c.LogFormat = DefaultLogFormat
	}
	for _, r := range c.Runners {
		if r == nil {
			continue
		}
		if r.Executor == "" {
			r.Executor = DefaultExecutor
		}
		if r.RequestConcurrency == 0 {
			r.RequestConcurrency = DefaultRequestConcurrency
		}
		if r.OutputLimit == 0 {
			r.OutputLimit = DefaultOutputLimit
		}
		if r.Kubernetes == nil {
			r.Kubernetes = &KubernetesConfig{}
		}
		k := r.Kubernetes
		if k.Namespace == "" {
			k.Namespace = DefaultNamespace
		}
		if k.PollTimeout == 0 {
			k.PollTimeout = DefaultPollTimeout
		}
		if k.PullPolicyNodeAffinity == "" {
			k.PullPolicyNodeAffinity = DefaultPullPolicyNodeAffinity
		}
		if k.SecurityProfile == "" {
			k.SecurityProfile = DefaultSecurityProfile
		}
		if k.PullRetryBudget == nil {
			n := DefaultPullRetryBudget
			k.PullRetryBudget = &n
		}
	}
}
