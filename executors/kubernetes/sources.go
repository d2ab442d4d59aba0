package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"kuberunner/common"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/gitsource"
)

// Defaults of the GIT_* variables when neither the job nor the runner sets
// them: a job pod starts empty, so "fetch" clones, exactly as GitLab
// Runner's default does on a fresh build directory.
const defaultGitStrategy = gitsource.Strategy("fetch")

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
	}
	if v, ok := podspec.Lookup(vars, "GIT_STRATEGY"); ok && v != "" {
		req.Strategy = gitsource.Strategy(v)
	}
	if v, ok := podspec.Lookup(vars, "GIT_DEPTH"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return req, &podspec.ConfigError{Msg: fmt.Sprintf("GIT_DEPTH %q is not a number of commits (0 or more)", v)}
		}
		req.Depth = n
	}
	if v, ok := podspec.Lookup(vars, "GIT_CHECKOUT"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return req, &podspec.ConfigError{Msg: fmt.Sprintf("GIT_CHECKOUT %q is not true or false", v)}
		}
		req.Checkout = b
	}
	if v, ok := podspec.Lookup(vars, "GIT_SUBMODULE_STRATEGY"); ok && v != "" {
		req.SubmoduleStrategy = gitsource.SubmoduleStrategy(v)
	}
	return req, req.Validate()
}

// fetchSources runs `kuberunner helper clone` in the helper container,
// which shares the builds volume with the build container. Its output is
// the build log's, masked like the script's.
func (e *Executor) fetchSources(ctx context.Context) error {
	log := e.opts.Log
	log.SectionStart("get_sources", "Getting source from Git repository")
	defer log.SectionEnd("get_sources")
	body, err := json.Marshal(e.git)
	if err != nil {
		return systemFailure(err)
	}
	stdout, stderr := log.Stream(), log.Stream()
	defer closeStream(stderr)
	defer closeStream(stdout)
	err = execInPod(ctx, e.api, execRequest{
		Namespace: e.pod.Namespace, Pod: e.pod.Name, Container: podspec.HelperContainer,
		Command: []string{"clone"},
		Stdin:   bytes.NewReader(body), Stdout: stdout, Stderr: stderr,
		Mark: podspec.HelperCommand,
	})
	if err != nil {
		return systemFailure(fmt.Errorf("get sources into %s: %w", e.projectDir, err))
	}
	return nil
}
