// Package common holds what every part of kuberunner agrees on and that needs
// no cluster: the config.toml model and its loader, pull-policy values and the
// rules that turn job and runner settings into one ordered list per image, the
// job model filled from a coordinator payload or a .gitlab-ci.yml, BuildError
// with GitLab's failure reasons, and the build-log writer.
//
// It must not import client-go or any executor, so that the rules stay testable
// as plain tables.
package common
