package commands

import (
	"github.com/urfave/cli/v3"

	"kuberunner/common/config"
)

// configFlag is -c/--config, GitLab Runner's name, with its $CONFIG_FILE
// beside kuberunner's own variable. Unset, config.Locate picks the default.
func configFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "config", Aliases: []string{"c"},
		Usage:   "config file (default: /etc/kuberunner/config.toml for root, else ~/.kuberunner/config.toml; when that is missing, GitLab Runner's /etc/gitlab-runner/config.toml or ~/.gitlab-runner/config.toml)",
		Sources: trackedEnvVars(config.EnvVar, "CONFIG_FILE")}
}

// configLocation is the config file cmd's configFlag names, and who named
// it, for messages: the flag, one of its variables, or nobody (the
// default path).
func configLocation(cmd *cli.Command) config.Location {
	path := cmd.String("config")
	if path == "" {
		return config.Locate("")
	}
	if v := envVarOf(cmd, "config"); v != "" {
		return config.Location{Path: path, Source: config.FromEnv, Var: v}
	}
	return config.Location{Path: path, Source: config.FromFlag}
}
