// Package config is config.toml: its types, the loader that reports every
// problem with its file, line and key, the checks that run at load, and the
// effective pull-policy lists it computes once for every job of a runner.
// Key names follow GitLab Runner's, so an operator's file loads here too.
package config
