package ciyaml

import "strings"

// topLevelKeywords are the top-level keys that are not jobs. The legacy
// global image/services/before_script/after_script act as default: entries.
var topLevelKeywords = map[string]bool{
	"stages": true, "types": true, "variables": true, "default": true, "include": true,
	"workflow": true, "image": true, "services": true, "before_script": true,
	"after_script": true, "cache": true,
}

// topLevelIgnored are the top-level keywords that change what a job runs and
// that this package does not apply, so each is a warning. stages and types
// only order jobs of a pipeline, which does not matter for running one job.
var topLevelIgnored = map[string]string{
	"include":  "included files are not read; jobs, templates and variables they define are missing",
	"workflow": "workflow rules are not evaluated; the job runs regardless",
	"cache":    "caches are not restored or saved",
}

// defaultKeywords are the default: entries that are applied.
var defaultKeywords = map[string]bool{
	"image": true, "services": true, "before_script": true, "after_script": true,
}

// jobKeywords are the job keywords that are applied.
var jobKeywords = map[string]bool{
	"image": true, "services": true, "variables": true, "before_script": true,
	"script": true, "after_script": true, "stage": true, "extends": true,
}

// gitlabJobKeywords are the other keywords GitLab knows on a job, so that a
// warning can tell "not supported here" from "not a keyword at all".
var gitlabJobKeywords = map[string]string{
	"rules":               "rules are not evaluated; the job runs regardless",
	"only":                "only is not evaluated; the job runs regardless",
	"except":              "except is not evaluated; the job runs regardless",
	"when":                "when is not applied; the job runs now",
	"needs":               "needs is not applied; no other job runs first and no artifacts are fetched",
	"dependencies":        "dependencies are not fetched",
	"artifacts":           "artifacts are not collected",
	"cache":               "caches are not restored or saved",
	"tags":                "tags do not select a runner here; the --runner from config.toml runs the job",
	"retry":               "the job is not retried",
	"timeout":             "the job timeout is not applied; the runner's limits apply",
	"allow_failure":       "allow_failure is not applied; a failing script fails the run",
	"parallel":            "parallel is not applied; the job runs once",
	"trigger":             "trigger jobs cannot run here",
	"environment":         "environments are not created or tracked",
	"release":             "releases are not created",
	"coverage":            "coverage is not parsed",
	"interruptible":       "interruptible has no effect on a single run",
	"resource_group":      "resource groups are not applied",
	"secrets":             "secrets are not fetched",
	"id_tokens":           "ID tokens are not issued",
	"hooks":               "hooks are not run: exec copies the sources, it does not clone them",
	"inherit":             "inherit is not applied; default: and top-level variables are inherited in full",
	"start_in":            "start_in is not applied; the job runs now",
	"pages":               "pages are not published",
	"publish":             "pages are not published",
	"identity":            "identity federation is not set up",
	"dast_configuration":  "DAST configuration is not applied",
	"manual_confirmation": "manual confirmation is not asked for; the job runs now",
	"run":                 "run steps are not supported",
}

// imageKeywords and serviceKeywords are the applied keys of image: and of a
// services: entry.
var (
	imageKeywords   = map[string]bool{"name": true, "entrypoint": true, "pull_policy": true, "docker": true, "kubernetes": true}
	serviceKeywords = map[string]bool{"name": true, "alias": true, "entrypoint": true, "command": true, "pull_policy": true,
		"docker": true, "kubernetes": true, "variables": true}
)

// ignoredMessage is the warning text for a key of a job, default:, image: or
// a service that is not applied.
func ignoredMessage(key string) string {
	if msg, ok := gitlabJobKeywords[key]; ok {
		return msg
	}
	return "not a keyword kuberunner knows; ignored (GitLab may reject it)"
}

// hidden reports whether a top-level key is a hidden job (a template):
// GitLab never runs those, they exist to be extended or anchored.
func hidden(key string) bool { return strings.HasPrefix(key, ".") }
