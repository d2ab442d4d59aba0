package config

// CustomBuildDirConfig is [runners.custom_build_dir]: whether a job may
// choose its project directory under the builds directory with
// GIT_CLONE_PATH.
type CustomBuildDirConfig struct {
	Enabled *bool `toml:"enabled"`
}

// CloneDirAllowed is [runners.custom_build_dir] enabled with GitLab
// Runner's default for the Kubernetes executor, true: a job pod's
// builds directory is its own, so a path in it reaches no other job.
func (r *RunnerConfig) CloneDirAllowed() bool {
	return r.CustomBuildDir == nil || r.CustomBuildDir.Enabled == nil || *r.CustomBuildDir.Enabled
}
