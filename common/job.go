package common

import (
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
	// Timeout bounds the whole job; zero means no limit beyond the executor's.
	Timeout time.Duration `json:"-"`
}

// JobInfo names the job for logs and predefined variables.
type JobInfo struct {
	Name        string `json:"name"`
	Stage       string `json:"stage"`
	ProjectID   int64  `json:"project_id"`
	ProjectName string `json:"project_name"`
}

// Image is the job image or one service. PullPolicies is the job's own list
// (image:pull_policy); empty means "not set by the job".
type Image struct {
	Name         string       `json:"name"`
	Alias        string       `json:"alias,omitempty"`
	Entrypoint   []string     `json:"entrypoint,omitempty"`
	Command      []string     `json:"command,omitempty"`
	PullPolicies PullPolicies `json:"pull_policy,omitempty"`
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
