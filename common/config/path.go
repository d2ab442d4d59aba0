package config

import (
	"os"
	"path/filepath"
)

// EnvVar names the environment variable that overrides the default
// config path; the --config flag overrides both.
const EnvVar = "KUBERUNNER_CONFIG"

// SystemPath is where root's kuberunner looks, like GitLab Runner's
// /etc/gitlab-runner/config.toml.
const SystemPath = "/etc/kuberunner/config.toml"

// DefaultPath is $KUBERUNNER_CONFIG when set, else SystemPath for
// root, else ~/.kuberunner/config.toml.
func DefaultPath() string {
	return defaultPath(os.Getenv(EnvVar), os.Geteuid(), os.UserHomeDir)
}

// defaultPath takes its inputs as arguments so each rule is testable
// without being root or changing the environment.
func defaultPath(env string, euid int, home func() (string, error)) string {
	if env != "" {
		return env
	}
	if euid == 0 {
		return SystemPath
	}
	dir, err := home()
	if err != nil || dir == "" {
		// No home (a bare container user): the working directory is the
		// only place left that the user controls.
		return filepath.Join(".kuberunner", "config.toml")
	}
	return filepath.Join(dir, ".kuberunner", "config.toml")
}
