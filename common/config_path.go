package common

import (
	"os"
	"path/filepath"
)

// ConfigEnvVar names the environment variable that overrides the default
// config path; the --config flag overrides both.
const ConfigEnvVar = "KUBERUNNER_CONFIG"

// SystemConfigPath is where root's kuberunner looks, like GitLab Runner's
// /etc/gitlab-runner/config.toml.
const SystemConfigPath = "/etc/kuberunner/config.toml"

// DefaultConfigPath is $KUBERUNNER_CONFIG when set, else SystemConfigPath for
// root, else ~/.kuberunner/config.toml.
func DefaultConfigPath() string {
	return defaultConfigPath(os.Getenv(ConfigEnvVar), os.Geteuid(), os.UserHomeDir)
}

// defaultConfigPath takes its inputs as arguments so each rule is testable
// without being root or changing the environment.
func defaultConfigPath(env string, euid int, home func() (string, error)) string {
	if env != "" {
		return env
	}
	if euid == 0 {
		return SystemConfigPath
	}
	dir, err := home()
	if err != nil || dir == "" {
		// No home (a bare container user): the working directory is the
		// only place left that the user controls.
		return filepath.Join(".kuberunner", "config.toml")
	}
	return filepath.Join(dir, ".kuberunner", "config.toml")
}
