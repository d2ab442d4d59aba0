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
		Sources: cli.EnvVars(config.EnvVar, "CONFIG_FILE")}
}
