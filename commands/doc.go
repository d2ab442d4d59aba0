// Package commands is the CLI wiring of kuberunner: a small registry of
// subcommands, each parsing its own flags with the standard flag package and
// calling into common and the executors. Logic that a test should reach
// lives in those packages, not here.
package commands
