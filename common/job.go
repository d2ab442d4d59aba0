package common

import (
	"encoding/json"
	"strings"
	"time"
)

// Job is one CI job as the executor sees it. Its JSON shape follows the
// coordinator's job payload (POST /api/v4/jobs/request), so a job from GitLab
// and a job read from .gitlab-ci.yml by `kuberunner exec` are the same value.
type Job struct {
	ID        int64        `json:"id"`
	Token     string       `json:"token"`
	JobInfo   JobInfo      `json:"job_info"`
	Variables JobVariables `json:"variables"`
	Steps     []Step       `json:"steps"`
	Image     Image        `json:"image"`
	Services  []Image      `json:"services"`
	// Credentials are the payload's registry logins (GitLab sends one for
	// $CI_REGISTRY with the job token); they never print a password.
	Credentials []Credentials `json:"credentials,omitempty"`
	// Timeout bounds the whole job; zero means no limit beyond the executor's.
	// A coordinator job sets it from RunnerInfo (see ApplyRunnerInfo).
	Timeout time.Duration `json:"-"`

	GitInfo    GitInfo       `json:"git_info"`
	RunnerInfo JobRunnerInfo `json:"runner_info"`
	Features   JobFeatures   `json:"features"`
	// Artifacts are uploaded after the steps (executors/kubernetes,
	// artifacts.go).
	Artifacts []JobArtifact `json:"artifacts,omitempty"`
	// Cache is the job's `cache:` entries (cache.go).
	Cache         []JobCache `json:"cache,omitempty"`
	AllowGitFetch bool       `json:"allow_git_fetch"`
	// Hooks are the job's `hooks:`, scripts run around getting the
	// sources (see HookScript).
	Hooks []Hook `json:"hooks,omitempty"`
	// Dependencies are the jobs whose artifacts this job downloads into
	// its project directory before the script.
	Dependencies []JobDependency `json:"dependencies,omitempty"`

	// Run is the job's `run:` (CI steps), which GitLab sends outside
	// Steps. It is kept only so that such a job fails (Runnable) rather
	// than succeeds having run nothing.
	Run json.RawMessage `json:"run,omitempty"`
}

// HookName names a hook of the payload's "hooks".
type HookName string

// The hooks GitLab sends: pre_get_sources_script from `hooks:`, and
// post_get_sources_script where GitLab has it.
const (
	HookPreGetSources  HookName = "pre_get_sources_script"
	HookPostGetSources HookName = "post_get_sources_script"
)

// Hook is one entry of the payload's "hooks": a name and its script lines.
type Hook struct {
	Name   HookName `json:"name"`
	Script []string `json:"script"`
}

// HookScript is the script of the hook name, nil when the job has none.
func (j *Job) HookScript(name HookName) []string {
	for _, h := range j.Hooks {
		if h.Name == name {
			return h.Script
		}
	}
	return nil
}

// RefType is what GitInfo.Ref names.
type RefType string

const (
	RefTypeBranch RefType = "branch"
	RefTypeTag    RefType = "tag"
)

// GitInfo is where the job's sources come from.
type GitInfo struct {
	RepoURL   string   `json:"repo_url"`
	Ref       string   `json:"ref"`
	Sha       string   `json:"sha"`
	BeforeSha string   `json:"before_sha"`
	RefType   RefType  `json:"ref_type"`
	Refspecs  []string `json:"refspecs"`
	// Depth is the shallow-clone depth; zero means a full clone.
	Depth int `json:"depth"`
	// Protected says whether the ref is protected; GitLab 18.3 and later
	// send it. nil: not sent.
	Protected *bool `json:"protected,omitempty"`
}

// JobRunnerInfo is what the coordinator tells the runner about running the
// job (the payload's "runner_info").
type JobRunnerInfo struct {
	// Timeout is the job's timeout in seconds; zero means none was sent.
	Timeout int `json:"timeout"`
}

// JobFeatures is what the coordinator supports for this job (the payload's
// "features").
type JobFeatures struct {
	// FailureReasons lists the failure_reason values GitLab understands;
	// empty means an older GitLab that does not say.
	FailureReasons []string `json:"failure_reasons"`
	// TokenMaskPrefixes: a token starting with one of these is hidden in the
	// build log (see MaskRules).
	TokenMaskPrefixes []string `json:"token_mask_prefixes"`
	TraceSections     bool     `json:"trace_sections"`
	// ArtifactsMetadata asks for GitLab's metadata file of each zip
	// archive as the upload's "metadata" part. GitLab does not send it:
	// its Workhorse makes that file from the zip. A GitLab without
	// Workhorse in front (the test coordinator) sets it.
	ArtifactsMetadata bool `json:"artifacts_metadata,omitempty"`
}

// JobArtifact is one artifacts entry of the payload: the job's
// `artifacts:` (type archive, format zip) or one of its `artifacts:reports`
// (type junit, format gzip, ...).
type JobArtifact struct {
	Name      string   `json:"name"`
	Untracked bool     `json:"untracked"`
	Paths     []string `json:"paths"`
	Exclude   []string `json:"exclude,omitempty"`
	// When is on_success (also when empty), on_failure or always.
	When           string `json:"when"`
	ExpireIn       string `json:"expire_in,omitempty"`
	ArtifactType   string `json:"artifact_type"`
	ArtifactFormat string `json:"artifact_format"`
}

// JobDependency is one entry of the payload's "dependencies": an earlier
// job whose artifacts this one downloads, with the token to do it.
type JobDependency struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
	// ArtifactsFile is nil when the job left no artifacts archive.
	ArtifactsFile *DependencyArtifactsFile `json:"artifacts_file,omitempty"`
}

// DependencyArtifactsFile names a dependency's archive.
type DependencyArtifactsFile struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// MaxJobTimeout bounds the timeout a coordinator may set. GitLab's own
// maximum for a job (and a runner's maximum_timeout) is one month, 2629746
// s, so every timeout GitLab can send passes unchanged; a larger number is
// a broken or hostile payload, and past 9223372036 s it no longer fits in
// a time.Duration: it wrapped to a negative (no timeout at all) or, with
// the expiry grace added, to an expiry annotation in the past that let
// another replica sweep a live job's pod.
const MaxJobTimeout = 31 * 24 * time.Hour

// ApplyRunnerInfo sets Timeout from RunnerInfo.Timeout when the coordinator
// sent one, at most MaxJobTimeout; Timeout has no JSON field of its own.
func (j *Job) ApplyRunnerInfo() {
	if j.RunnerInfo.Timeout > 0 {
		j.Timeout = timeoutSeconds(j.RunnerInfo.Timeout)
	}
}

// timeoutSeconds converts before multiplying only what cannot overflow.
func timeoutSeconds(s int) time.Duration {
	if s >= int(MaxJobTimeout/time.Second) {
		return MaxJobTimeout
	}
	return time.Duration(s) * time.Second
}

// MaskRules is what the build log must hide for one job.
type MaskRules struct {
	// Values are hidden wherever they appear: the values of masked
	// variables and the job token. No empty value, no duplicates.
	Values []string
	// TokenPrefixes are prefix rules, not values: wherever one of them
	// appears followed by token bytes (IsTokenByte), the prefix and the
	// whole run of token bytes after it are one secret.
	TokenPrefixes []string
}

// MaskRules collects the values and token prefixes to hide in the job's log.
func (j *Job) MaskRules() MaskRules {
	var r MaskRules
	seen := map[string]bool{}
	add := func(list *[]string, v string) {
		if v == "" || seen[v] {
			return
		}
		seen[v] = true
		*list = append(*list, v)
	}
	for _, v := range j.Variables {
		if v.Masked {
			add(&r.Values, v.Value)
		}
	}
	add(&r.Values, j.Token)
	// A registry password of the payload is the job token on GitLab; any
	// other is hidden too, if long enough not to hide ordinary words.
	for _, c := range j.Credentials {
		if len(c.Password) >= minCredentialMaskLen {
			add(&r.Values, c.Password)
		}
	}
	for _, d := range j.Dependencies {
		add(&r.Values, d.Token)
	}
	seen = map[string]bool{}
	for _, p := range j.Features.TokenMaskPrefixes {
		add(&r.TokenPrefixes, p)
	}
	return r
}

// minCredentialMaskLen is GitLab's shortest masked value.
const minCredentialMaskLen = 8

// IsTokenByte reports whether b can be part of a token that follows a
// token prefix: ASCII letters, digits, '-', '_' and '.'.
func IsTokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return b == '-' || b == '_' || b == '.'
}

// JobInfo names the job for logs and predefined variables.
type JobInfo struct {
	Name        string `json:"name"`
	Stage       string `json:"stage"`
	ProjectID   int64  `json:"project_id"`
	ProjectName string `json:"project_name"`
	// How long the job waited for a runner, and GitLab's bucket of the
	// project's jobs running on instance runners: they feed the daemon's
	// queue metric only (job_queue.go).
	TimeInQueueSeconds QueueSeconds      `json:"time_in_queue_seconds,omitempty"`
	ProjectJobsRunning JobsRunningBucket `json:"project_jobs_running_on_instance_runners_count,omitempty"`
}

// Image is the job image or one service. PullPolicies is the job's own list
// (image:pull_policy); empty means "not set by the job".
type Image struct {
	Name         string       `json:"name"`
	Alias        string       `json:"alias,omitempty"`
	Entrypoint   []string     `json:"entrypoint,omitempty"`
	Command      []string     `json:"command,omitempty"`
	PullPolicies PullPolicies `json:"pull_policy,omitempty"`
	Ports        []Port       `json:"ports,omitempty"`
	// Variables are a service's own (services only), given to its
	// container alone.
	Variables JobVariables `json:"variables,omitempty"`
	// ExecutorOptions is image:docker: and image:kubernetes: (image_options.go).
	ExecutorOptions ImageExecutorOptions `json:"executor_opts,omitzero"`
}

// Port is a port an image exposes, as the payload lists it.
type Port struct {
	Number   int    `json:"number"`
	Protocol string `json:"protocol,omitempty"`
	Name     string `json:"name,omitempty"`
}

// StepName is a script step of the payload.
type StepName string

const (
	StepScript      StepName = "script"
	StepAfterScript StepName = "after_script"
)

// When says whether a step runs after an earlier failure.
type When string

const (
	WhenOnSuccess When = "on_success"
	WhenAlways    When = "always"
)

// Step is one script step. The coordinator joins before_script and script
// into the "script" step; after_script is its own step that always runs.
type Step struct {
	Name         StepName `json:"name"`
	Script       []string `json:"script"`
	Timeout      int      `json:"timeout"`
	When         When     `json:"when"`
	AllowFailure bool     `json:"allow_failure"`
}

// JobVariable is one CI/CD variable; Masked values are hidden in the build log.
type JobVariable struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Public bool   `json:"public"`
	File   bool   `json:"file"`
	Masked bool   `json:"masked"`
	Raw    bool   `json:"raw"`
}

// JobVariables is ordered: later entries override earlier ones with the same key.
type JobVariables []JobVariable

// SplitAliases is a service's alias field as host names: GitLab allows
// several in one value, separated by commas or spaces.
func SplitAliases(alias string) []string {
	return strings.FieldsFunc(alias, func(r rune) bool { return r == ',' || r == ' ' })
}
