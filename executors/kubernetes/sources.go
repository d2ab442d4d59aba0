package kubernetes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/gitsource"
)

// Defaults of the GIT_* variables when neither the job nor the runner sets
// them: a job pod starts empty, so "fetch" clones, exactly as GitLab
// Runner's default does on a fresh build directory.
const defaultGitStrategy = gitsource.Strategy("fetch")

// GET_SOURCES_ATTEMPTS' range, GitLab Runner's: one attempt by default.
const (
	minSourcesAttempts = 1
	maxSourcesAttempts = 10
)

// sourcePlan is how a GitLab job gets its sources: the helper's request,
// the hooks around it, and how many times to try.
type sourcePlan struct {
	git       gitsource.Request
	pre, post []string // pre_get_sources_script, post_get_sources_script
	attempts  int      // GET_SOURCES_ATTEMPTS
	warnings  []string // for the build log: hooks this runner does not know
}

// newSourcePlan reads the payload, the runner's scripts and the job's
// variables. It is pure, and every bad value is an error that names its
// variable. The runner's pre script runs before the job's hook, its post
// script after the job's, as on GitLab Runner.
func newSourcePlan(job *common.Job, runner *config.RunnerConfig, vars common.JobVariables, dir string) (*sourcePlan, error) {
	req, err := gitRequest(job, vars, dir)
	if err != nil {
		return nil, err
	}
	req.RepoURL = cloneURL(runner.CloneURL, vars, req.RepoURL)
	scripts := runner.Scripts()
	p := &sourcePlan{git: req,
		pre:  around(scripts.PreGetSources, job.HookScript(common.HookPreGetSources), ""),
		post: around("", job.HookScript(common.HookPostGetSources), scripts.PostGetSources)}
	if p.attempts, err = sourcesAttempts(vars); err != nil {
		return nil, err
	}
	for _, h := range job.Hooks {
		if h.Name != common.HookPreGetSources && h.Name != common.HookPostGetSources {
			p.warnings = append(p.warnings, fmt.Sprintf("The job's hook %q is not run: this runner knows %s and %s", h.Name, common.HookPreGetSources, common.HookPostGetSources))
		}
	}
	return p, nil
}

// cloneURL is the repository's URL under the runner's clone_url: its
// scheme, host and path, then the project's path (CI_PROJECT_PATH) and
// .git, as on GitLab Runner. Without clone_url, or without the project's
// path, it is the payload's. The job token authenticates either way.
func cloneURL(base string, vars common.JobVariables, repoURL string) string {
	project, _ := podspec.Lookup(vars, "CI_PROJECT_PATH")
	if base == "" || project == "" {
		return repoURL
	}
	return strings.TrimRight(base, "/") + "/" + strings.Trim(project, "/") + ".git"
}

// around is lines with the runner's script before and after them, each
// one command when set.
func around(before string, lines []string, after string) []string {
	var out []string
	if before != "" {
		out = append(out, before)
	}
	out = append(out, lines...)
	if after != "" {
		out = append(out, after)
	}
	return out
}

// runsHooks is GitLab Runner's rule: the get_sources hooks run only with a
// strategy that fetches.
func (p *sourcePlan) runsHooks() bool {
	return p.git.Strategy == gitsource.StrategyClone || p.git.Strategy == gitsource.StrategyFetch
}

// gitRequest is the helper's `clone` request for the job: git_info from
// the payload, the GIT_* variables, the job token as the credential. It is
// pure; the request travels on the exec's stdin, so the token is never in
// an argv or a pod spec.
func gitRequest(job *common.Job, vars common.JobVariables, dir string) (gitsource.Request, error) {
	g := job.GitInfo
	req := gitsource.Request{
		Dir: dir, RepoURL: g.RepoURL, Ref: g.Ref, SHA: g.Sha, BeforeSHA: g.BeforeSha,
		RefType: gitsource.RefType(g.RefType), RefSpecs: g.Refspecs, Depth: g.Depth,
		Strategy: defaultGitStrategy, Checkout: true, SubmoduleStrategy: "none", Token: job.Token,
		FetchFlags: gitsource.DefaultFetchFlags,
	}
	if v, ok := podspec.Lookup(vars, "GIT_STRATEGY"); ok && v != "" {
		req.Strategy = gitsource.Strategy(v)
	}
	if v, ok := podspec.Lookup(vars, "GIT_SUBMODULE_STRATEGY"); ok && v != "" {
		req.SubmoduleStrategy = gitsource.SubmoduleStrategy(v)
	}
	for _, read := range []func(*gitsource.Request, common.JobVariables) error{
		readDepths, readCheckout, readSubmodulePaths, readFetchFlags, readLFSSkipSmudge,
	} {
		if err := read(&req, vars); err != nil {
			return req, err
		}
	}
	return req, namedVariable(req.Validate())
}

// requestVariables names the variable behind each field of the request
// that a job sets through one.
var requestVariables = map[string]string{
	"strategy": "GIT_STRATEGY", "submodule_strategy": "GIT_SUBMODULE_STRATEGY",
}

// namedVariable says which variable is at fault when the request's
// checks refuse a field that came from one.
func namedVariable(err error) error {
	var re *gitsource.RequestError
	if errors.As(err, &re) && requestVariables[re.Field] != "" {
		return &podspec.ConfigError{Msg: requestVariables[re.Field] + " " + re.Problem}
	}
	return err
}

// readDepths reads GIT_DEPTH and GIT_SUBMODULE_DEPTH.
func readDepths(req *gitsource.Request, vars common.JobVariables) error {
	if v, ok := podspec.Lookup(vars, "GIT_DEPTH"); ok && v != "" {
		n, err := commits("GIT_DEPTH", v)
		if err != nil {
			return err
		}
		req.Depth = n
	}
	if v, ok := podspec.Lookup(vars, "GIT_SUBMODULE_DEPTH"); ok && v != "" {
		n, err := commits("GIT_SUBMODULE_DEPTH", v)
		if err != nil {
			return err
		}
		req.SubmoduleDepth = &n
	}
	return nil
}

func commits(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &podspec.ConfigError{Msg: fmt.Sprintf("%s %q is not a number of commits (0 or more; 0 fetches the whole history)", key, v)}
	}
	return n, nil
}

func readCheckout(req *gitsource.Request, vars common.JobVariables) error {
	if v, ok := podspec.Lookup(vars, "GIT_CHECKOUT"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &podspec.ConfigError{Msg: fmt.Sprintf("GIT_CHECKOUT %q is not true or false", v)}
		}
		req.Checkout = b
	}
	return nil
}

// readSubmodulePaths reads GIT_SUBMODULE_PATHS: pathspecs apart by white
// space, as GitLab Runner passes them to git.
func readSubmodulePaths(req *gitsource.Request, vars common.JobVariables) error {
	v, _ := podspec.Lookup(vars, "GIT_SUBMODULE_PATHS")
	paths := strings.Fields(v)
	if err := gitsource.ParseSubmodulePaths(paths); err != nil {
		return &podspec.ConfigError{Msg: fmt.Sprintf("GIT_SUBMODULE_PATHS %q: %v", v, err)}
	}
	if len(paths) > 0 {
		req.SubmodulePaths = paths
	}
	return nil
}

// readFetchFlags reads GIT_FETCH_EXTRA_FLAGS: unset or empty keeps GitLab
// Runner's default, "none" sends no flag.
func readFetchFlags(req *gitsource.Request, vars common.JobVariables) error {
	v, _ := podspec.Lookup(vars, "GIT_FETCH_EXTRA_FLAGS")
	switch v = strings.TrimSpace(v); v {
	case "":
		return nil
	case "none":
		req.FetchFlags = nil
		return nil
	}
	flags := strings.Fields(v)
	if _, err := gitsource.ParseFetchFlags(flags); err != nil {
		return &podspec.ConfigError{Msg: fmt.Sprintf("GIT_FETCH_EXTRA_FLAGS %q: %v", v, err)}
	}
	req.FetchFlags = flags
	return nil
}

// readLFSSkipSmudge reads GIT_LFS_SKIP_SMUDGE with git's spellings of a
// boolean, which git-lfs reads.
func readLFSSkipSmudge(req *gitsource.Request, vars common.JobVariables) error {
	v, _ := podspec.Lookup(vars, "GIT_LFS_SKIP_SMUDGE")
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		req.LFSSkipSmudge = false
	case "1", "true", "yes", "on":
		req.LFSSkipSmudge = true
	default:
		return &podspec.ConfigError{Msg: fmt.Sprintf("GIT_LFS_SKIP_SMUDGE %q is not a boolean (1, true, yes or on; 0, false, no or off)", v)}
	}
	return nil
}

// sourcesAttempts reads GET_SOURCES_ATTEMPTS.
func sourcesAttempts(vars common.JobVariables) (int, error) {
	v, ok := podspec.Lookup(vars, "GET_SOURCES_ATTEMPTS")
	if !ok || strings.TrimSpace(v) == "" {
		return minSourcesAttempts, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < minSourcesAttempts || n > maxSourcesAttempts {
		return 0, &podspec.ConfigError{Msg: fmt.Sprintf("GET_SOURCES_ATTEMPTS %q is not a number of attempts from %d to %d", v, minSourcesAttempts, maxSourcesAttempts)}
	}
	return n, nil
}
