// Package commands is the CLI wiring of kuberunner: urfave/cli commands
// with GitLab Runner's flag names and environment variables, registered
// each from its own file (registerCommand), and calling into common, the
// executors, network and runner. The helper's subcommands keep parsing
// their own argv with the flag package, in the shapes the executor sends.
// Logic that a test should reach lives in those packages, not here.
package commands
