package config

import (
	"time"

	"kuberunner/common"
	"kuberunner/helpers/clienttls"
)

// Config is config.toml. Field names and TOML keys follow GitLab Runner's, so
// an operator's existing file loads; keys kuberunner does not implement are
// reported as warnings by the loader, not errors.
type Config struct {
	Concurrent    int             `toml:"concurrent"`
	CheckInterval int             `toml:"check_interval"`
	LogLevel      string          `toml:"log_level"`
	LogFormat     string          `toml:"log_format"`
	ListenAddress string          `toml:"listen_address"`
	Runners       []*RunnerConfig `toml:"runners"`

	// ShutdownTimeout bounds how long `run` waits for its jobs when it
	// stops, in seconds; see ShutdownWait.
	ShutdownTimeout int `toml:"shutdown_timeout"`
}

// RunnerConfig is one [[runners]] entry.
type RunnerConfig struct {
	Name     string `toml:"name"`
	URL      string `toml:"url"`
	Token    string `toml:"token"`
	Executor string `toml:"executor"`
	// ID, TokenObtainedAt and TokenExpiresAt are what GitLab said of the
	// runner and its token when it was registered (tokenexpiry.go).
	ID              int       `toml:"id"`
	TokenObtainedAt time.Time `toml:"token_obtained_at"`
	TokenExpiresAt  time.Time `toml:"token_expires_at"`
	Limit           int       `toml:"limit"`
	// RequestConcurrency caps this runner's job requests in flight.
	RequestConcurrency int `toml:"request_concurrency"`
	// OutputLimit is the most build log sent to GitLab, in KiB.
	OutputLimit int               `toml:"output_limit"`
	Environment []string          `toml:"environment"`
	Kubernetes  *KubernetesConfig `toml:"kubernetes"`
	// Cache is [runners.cache], the distributed cache (cache.go).
	Cache *CacheConfig `toml:"cache"`

	// Shell runs the job's script: ShellBash (bash, else sh, the default)
	// or ShellSh (sh always).
	Shell string `toml:"shell"`

	// CustomBuildDir is [runners.custom_build_dir] (custombuilddir.go).
	CustomBuildDir *CustomBuildDirConfig `toml:"custom_build_dir"`

	// CloneURL replaces the scheme, host and any path prefix of the URL
	// jobs fetch their repository from, when GitLab's own URL is not the
	// one job pods reach it by: http(s), without credentials.
	CloneURL string `toml:"clone_url"`

	// The runner's own scripts around the job's (scripts.go): before and
	// after getting the sources, in the helper container, and before and
	// after the job's script, in the build container. pre_clone_script
	// and post_clone_script are GitLab Runner's old names of the first
	// two; read them with Scripts.
	PreGetSourcesScript  string `toml:"pre_get_sources_script"`
	PostGetSourcesScript string `toml:"post_get_sources_script"`
	PreCloneScript       string `toml:"pre_clone_script"`
	PostCloneScript      string `toml:"post_clone_script"`
	PreBuildScript       string `toml:"pre_build_script"`
	PostBuildScript      string `toml:"post_build_script"`

	// DebugTraceDisabled turns CI_DEBUG_TRACE off for this runner's jobs,
	// as on GitLab Runner: tracing prints every variable a script uses.
	DebugTraceDisabled bool `toml:"debug_trace_disabled"`

	// TLS towards GitLab, GitLab Runner's keys (tls.go): PEM files read
	// and checked at load; their content is TLS().
	TLSCAFile   string `toml:"tls-ca-file"`
	TLSCertFile string `toml:"tls-cert-file"`
	TLSKeyFile  string `toml:"tls-key-file"`

	// TokenFile names a file that holds the token instead of token
	// (tokenfile.go): a mounted Secret in a pod, so that config.toml
	// itself holds no secret. The loader reads it into Token.
	TokenFile string `toml:"token_file"`

	// tls is filled by the loader. A pointer, so that printing a
	// RunnerConfig with %+v shows an address, not the key.
	tls *clienttls.Material
}

// KubernetesConfig is [runners.kubernetes].
type KubernetesConfig struct {
	Host                string              `toml:"host"`
	Namespace           string              `toml:"namespace"`
	Image               string              `toml:"image"`
	HelperImage         string              `toml:"helper_image"`
	PullPolicy          common.PullPolicies `toml:"pull_policy"`
	AllowedPullPolicies common.PullPolicies `toml:"allowed_pull_policies"`
	// PollTimeout is in seconds, how long a pod may take to start.
	PollTimeout int `toml:"poll_timeout"`
	// PullRetryBudget is how many times a transient pull failure (429, 5xx,
	// a timeout) retries the same pull policy before the next one; nil is
	// DefaultPullRetryBudget, and 0 falls back at once. Read it with
	// PullRetries.
	PullRetryBudget *int              `toml:"pull_retry_budget"`
	Privileged      *bool             `toml:"privileged"`
	ServiceAccount  string            `toml:"service_account"`
	NodeSelector    map[string]string `toml:"node_selector"`
	// NodeTolerations: "key=value" or "key" → effect ("" for every
	// effect), GitLab Runner's shape; see nodetolerations.go.
	NodeTolerations map[string]string `toml:"node_tolerations"`
	// PullPolicyNodeAffinity steers a fallback pod to nodes that hold its
	// image: NodeAffinityPreferred, NodeAffinityRequired or NodeAffinityOff.
	PullPolicyNodeAffinity string `toml:"pull_policy_node_affinity"`
	// PullPolicyBreaker and PullPolicyBreakerMaxOpen: the per-registry
	// breaker (breaker.go): BreakerOn (the default) or BreakerOff, and how
	// long a job trusts an open breaker without a new sign of the outage.
	PullPolicyBreaker        string `toml:"pull_policy_breaker"`
	PullPolicyBreakerMaxOpen string `toml:"pull_policy_breaker_max_open"`

	CPURequest    string `toml:"cpu_request"`
	CPULimit      string `toml:"cpu_limit"`
	MemoryRequest string `toml:"memory_request"`
	MemoryLimit   string `toml:"memory_limit"`

	HelperCPURequest    string `toml:"helper_cpu_request"`
	HelperCPULimit      string `toml:"helper_cpu_limit"`
	HelperMemoryRequest string `toml:"helper_memory_request"`
	HelperMemoryLimit   string `toml:"helper_memory_limit"`

	ServiceCPURequest    string `toml:"service_cpu_request"`
	ServiceCPULimit      string `toml:"service_cpu_limit"`
	ServiceMemoryRequest string `toml:"service_memory_request"`
	ServiceMemoryLimit   string `toml:"service_memory_limit"`

	Services []KubernetesService `toml:"services"`

	// Security (security.go). SecurityProfile is the starting point
	// (SecurityProfileBaseline when unset); the keys after it apply on top
	// of it. See docs/security.md.
	SecurityProfile                 string                    `toml:"security_profile"`
	AllowPrivilegeEscalation        *bool                     `toml:"allow_privilege_escalation"`
	AutomountServiceAccountToken    *bool                     `toml:"automount_service_account_token"`
	CapAdd                          []string                  `toml:"cap_add"`
	CapDrop                         []string                  `toml:"cap_drop"`
	PodSecurityContext              *PodSecurityContext       `toml:"pod_security_context"`
	BuildContainerSecurityContext   *ContainerSecurityContext `toml:"build_container_security_context"`
	HelperContainerSecurityContext  *ContainerSecurityContext `toml:"helper_container_security_context"`
	ServiceContainerSecurityContext *ContainerSecurityContext `toml:"service_container_security_context"`
	// PullPolicyFallbackOnDenied lets a pull the registry denied (401, 403)
	// fall back to the next policy, which may run a copy the node holds
	// that the job's credentials may not pull. Off by default; see
	// docs/configuration.md.
	PullPolicyFallbackOnDenied bool `toml:"pull_policy_fallback_on_denied"`
	// ImagePullSecrets name existing Secrets of the namespace that every
	// job pod offers the kubelet for its pulls, before the job's own
	// credentials. UseServiceAccountImagePullSecrets leaves the pod
	// without any, so that the service account's apply (GitLab Runner's
	// keys; docs/configuration.md).
	ImagePullSecrets                  []string `toml:"image_pull_secrets"`
	UseServiceAccountImagePullSecrets bool     `toml:"use_service_account_image_pull_secrets"`

	// The rest of GitLab Runner's [runners.kubernetes] keys, with its
	// names and meaning; each group is checked in the file named.
	KubernetesConnection                    // kubeconn.go
	Volumes              KubernetesVolumes  `toml:"volumes"`  // kubevolumes.go
	Affinity             KubernetesAffinity `toml:"affinity"` // kubeaffinity.go
	KubernetesPodKeys                       // kubepod.go
	KubernetesOverwrites                    // overwrites.go
	KubernetesQuantities                    // quantities.go
	KubernetesAllowed                       // allowed.go
	KubernetesCleanup                       // kubecleanup.go

	effective effectivePolicies // filled by the loader; see pull_policy.go
}

// KubernetesService is one [[runners.kubernetes.services]]: a service every
// job of this runner gets, in addition to the job's own.
type KubernetesService struct {
	Name       string              `toml:"name"`
	Alias      string              `toml:"alias"`
	Entrypoint []string            `toml:"entrypoint"`
	Command    []string            `toml:"command"`
	PullPolicy common.PullPolicies `toml:"pull_policy"`
}
