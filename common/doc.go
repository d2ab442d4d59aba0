// Package common holds what every part of kuberunner agrees on and that needs
// no cluster: pull-policy values and the rules that turn job and runner
// settings into one ordered list per image, the job model filled from a
// coordinator payload or a .gitlab-ci.yml, and BuildError with GitLab's
// failure reasons. config.toml lives in common/config, the build log in
// common/buildlog.
//
// It must not import client-go or any executor, so that the rules stay testable
// as plain tables.
package common
