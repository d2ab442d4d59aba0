// Command kuberunner is a GitLab-compatible CI runner that runs each job in
// a Kubernetes pod. See docs/configuration.md for config.toml.
package main

import (
	"os"

	"kuberunner/commands"
)

func main() { os.Exit(commands.Main(os.Args[1:], os.Stdout, os.Stderr)) }
