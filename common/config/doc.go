// Package config is config.toml: its types, the loader that reports every
// problem with its file, line and key, the checks that run at load, the
// effective pull-policy lists it computes once for every job of a runner,
// and changing the file under a lock: adding a runner (AppendRunner, for
// `kuberunner register`) and removing runners (RemoveRunners, for
// unregister and verify --delete).
// Key names follow GitLab Runner's, so an operator's file loads here too.
package config
