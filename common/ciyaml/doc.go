// Package ciyaml reads one job from a .gitlab-ci.yml into the job model
// (common.Job), the same value the coordinator's job payload fills, so that
// `kuberunner exec` runs a job through the executor path GitLab jobs take.
//
// It understands the part of the file that decides what a single job runs:
// top-level variables and default:, the job's image, services, variables,
// before_script, script and after_script, YAML anchors and merge keys,
// extends and !reference. Every other keyword is reported as a Warning with
// its line rather than silently dropped, because a job that runs differently
// here than on GitLab should say so. Problems that make the job impossible to
// read are errors carrying the file and line (see Error, SyntaxError and
// UnknownJobError).
//
// A file is untrusted input, so reading it costs time and memory roughly in
// proportion to its size, which is capped at 8 MiB (ErrFileTooLarge): long
// lines are read once, an anchor is built once however often it is used,
// and what aliases, merge keys and extends expand to is bounded
// (ErrTooLarge).
package ciyaml
