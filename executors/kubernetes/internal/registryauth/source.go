package registryauth

import "fmt"

// Source is where a credential comes from. The constants are in GitLab
// Runner's order of precedence: for each image, the first source that has
// a credential for the image's registry wins, and later sources are not
// consulted for it.
type Source int

const (
	// JobAuthConfig is DOCKER_AUTH_CONFIG among the job's variables.
	JobAuthConfig Source = iota + 1
	// RunnerAuthConfig is DOCKER_AUTH_CONFIG in [[runners]] environment.
	RunnerAuthConfig
	// JobPayload is the job payload's credentials of type registry: GitLab's
	// job token for $CI_REGISTRY.
	JobPayload
)

// sources is the precedence order, first wins.
var sources = []Source{JobAuthConfig, RunnerAuthConfig, JobPayload}

func (s Source) String() string {
	switch s {
	case JobAuthConfig:
		return "DOCKER_AUTH_CONFIG (job variable)"
	case RunnerAuthConfig:
		return "DOCKER_AUTH_CONFIG (runner environment)"
	case JobPayload:
		return "the job payload"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}
