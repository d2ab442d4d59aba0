package network

// features is what this runner tells GitLab it supports, in the "info"
// of every job request. This is the one place that list lives.
type features struct {
	Variables        bool `json:"variables"`
	Image            bool `json:"image"`
	Services         bool `json:"services"`
	Masking          bool `json:"masking"`
	RawVariables     bool `json:"raw_variables"`
	Cancelable       bool `json:"cancelable"`
	CancelGracefully bool `json:"cancel_gracefully"`
	TraceReset       bool `json:"trace_reset"`
	TraceChecksum    bool `json:"trace_checksum"`
	TraceSize        bool `json:"trace_size"`
	ReturnExitCode   bool `json:"return_exit_code"`
	Refspecs         bool `json:"refspecs"`
	MultiBuildSteps  bool `json:"multi_build_steps"`
	// ServiceVariables: a service's own variables reach its container.
	ServiceVariables bool `json:"service_variables"`
	// ImageExecutorOpts and ServiceExecutorOpts: executor_opts user
	// (image:kubernetes:user, image:docker:user) sets the user the build
	// and service containers run as.
	ImageExecutorOpts   bool `json:"image_executor_opts"`
	ServiceExecutorOpts bool `json:"service_executor_opts"`

	// Artifacts: the helper uploads each entry of the payload's artifacts
	// and downloads the dependencies' (executors/kubernetes artifacts.go).
	Artifacts bool `json:"artifacts"`
	// Cache: the distributed cache of [runners.cache] (cache/,
	// executors/kubernetes/cache.go); a runner without one says so in the
	// job's log.
	Cache bool `json:"cache"`
	// FallbackCacheKeys: cache:fallback_keys are tried in order after the
	// key. GitLab drops a job that has them unless this is claimed.
	FallbackCacheKeys bool `json:"fallback_cache_keys"`
	// UploadMultipleArtifacts: artifacts:reports, each its own upload
	// (gzip); UploadRawArtifacts: artifact_format raw, one file as is;
	// ArtifactsExclude: artifacts:exclude (helpers/pathglob).
	UploadMultipleArtifacts bool `json:"upload_multiple_artifacts"`
	UploadRawArtifacts      bool `json:"upload_raw_artifacts"`
	ArtifactsExclude        bool `json:"artifacts_exclude"`
	// Shared: builds are not shared between jobs on one machine; each job
	// gets its own pod.
	Shared bool `json:"shared"`
	// Session, Terminal, Proxy: no session server, so no interactive web
	// terminal and no proxying to services.
	Session  bool `json:"session"`
	Terminal bool `json:"terminal"`
	Proxy    bool `json:"proxy"`
	// NativeStepsIntegration: `run:` (CI steps) is not run; such a job
	// fails as runner_unsupported (common.Job.Runnable), so GitLab is told.
	NativeStepsIntegration bool `json:"native_steps_integration"`
}

// supportedFeatures is the value sent: what is implemented is true.
var supportedFeatures = features{
	Variables:        true,
	Image:            true,
	Services:         true,
	Masking:          true,
	RawVariables:     true,
	Cancelable:       true,
	CancelGracefully: true,
	TraceReset:       true,
	TraceChecksum:    true,
	TraceSize:        true,
	ReturnExitCode:   true,
	Refspecs:         true,
	MultiBuildSteps:  true,

	Artifacts:               true,
	UploadMultipleArtifacts: true,
	UploadRawArtifacts:      true,
	ArtifactsExclude:        true,

	ServiceVariables:    true,
	ImageExecutorOpts:   true,
	ServiceExecutorOpts: true,

	Cache:             true,
	FallbackCacheKeys: true,
}
