package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"kuberunner/common"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/exitmark"
)

// sourcesRetryBackoff spaces GET_SOURCES_ATTEMPTS: 1-1.5 s, 2-3 s, 4-6 s,
// then 8-12 s (wait.Backoff's jitter adds up to half of each step), so
// that a git server that is briefly down gets a moment, and nine retries
// wait 90 s at most (TestSourcesRetryBackoff).
var sourcesRetryBackoff = wait.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.5, Cap: 8 * time.Second, Steps: maxSourcesAttempts}

// helperRun runs cmd in the helper container, stdin fed to it, its output
// in the build log; mark makes it report its exit status (exitmark).
type helperRun func(ctx context.Context, cmd []string, stdin io.Reader, mark func(string, []string) []string) error

// fetchSources gets the job's sources in the helper container, which
// shares the builds volume with the build container: the pre hook, the
// clone, the post hook, the whole tried up to GET_SOURCES_ATTEMPTS times.
// Its output is the build log's, masked like the script's.
func (e *Executor) fetchSources(ctx context.Context) error {
	log := e.opts.Log
	log.SectionStart("get_sources", "Getting source from Git repository")
	defer log.SectionEnd("get_sources")
	once := func(ctx context.Context) error { return e.sources.getSources(ctx, e.helperExec, e.vars, log.Println) }
	return retrySources(ctx, e.sources.attempts, sourcesRetryBackoff, waitFor, log.Warningln, once)
}

// retrySources runs once up to attempts times, waiting the backoff's next
// step between two, until it succeeds or ctx ends. Each retry is a
// warning line with the reason.
func retrySources(ctx context.Context, attempts int, b wait.Backoff, wait func(context.Context, time.Duration) error,
	warn func(...any), once func(context.Context) error) error {
	for n := 1; ; n++ {
		err := once(ctx)
		if err == nil || n >= attempts || ctx.Err() != nil {
			return err
		}
		d := b.Step().Round(100 * time.Millisecond)
		warn(fmt.Sprintf("Getting the sources failed (attempt %d of %d, GET_SOURCES_ATTEMPTS): %v; trying again in %v", n, attempts, err, d))
		if wait(ctx, d) != nil {
			return err
		}
	}
}

// getSources is one attempt: pre hook, clone, post hook. The hooks run
// only with a strategy that fetches, as on GitLab Runner.
func (p *sourcePlan) getSources(ctx context.Context, run helperRun, vars common.JobVariables, say func(...any)) error {
	if !p.runsHooks() {
		if len(p.pre)+len(p.post) > 0 {
			say(fmt.Sprintf("Skipping the get_sources hooks: GIT_STRATEGY is %s", p.git.Strategy))
		}
		return p.clone(ctx, run)
	}
	if err := runHook(ctx, run, common.HookPreGetSources, p.pre, vars); err != nil {
		return err
	}
	if err := p.clone(ctx, run); err != nil {
		return err
	}
	return runHook(ctx, run, common.HookPostGetSources, p.post, vars)
}

// clone runs `kuberunner helper clone` with the request on stdin.
func (p *sourcePlan) clone(ctx context.Context, run helperRun) error {
	body, err := json.Marshal(p.git)
	if err != nil {
		return systemFailure(err)
	}
	if err := run(ctx, []string{"clone"}, bytes.NewReader(body), podspec.HelperCommand); err != nil {
		return systemFailure(fmt.Errorf("get sources into %s: %w", p.git.Dir, err))
	}
	return nil
}

// runHook runs a hook's script with sh in the helper container (the
// helper image carries busybox for it). A script that exits non-zero
// fails the job as a script failure with its exit code, as on GitLab
// Runner.
func runHook(ctx context.Context, run helperRun, name common.HookName, lines []string, vars common.JobVariables) error {
	if len(lines) == 0 {
		return nil
	}
	err := run(ctx, []string{"sh"}, strings.NewReader(podspec.HookScript(lines, vars)), exitmark.Shell)
	var exit *ExecExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		return &common.BuildError{Inner: fmt.Errorf("%s failed: %w", name, err), FailureReason: common.ScriptFailure, ExitCode: exit.Code}
	}
	return systemFailure(fmt.Errorf("%s (the helper image needs sh for hooks): %w", name, err))
}

// helperExec is the executor's helperRun: an exec in the job pod's helper
// container, stdout and stderr a build-log stream each.
func (e *Executor) helperExec(ctx context.Context, cmd []string, stdin io.Reader, mark func(string, []string) []string) error {
	stdout, stderr := e.opts.Log.Stream(), e.opts.Log.Stream()
	defer closeStream(stderr)
	defer closeStream(stdout)
	return execInPod(ctx, e.api, execRequest{
		Namespace: e.pod.Namespace, Pod: e.pod.Name, Container: podspec.HelperContainer,
		Command: cmd, Stdin: stdin, Stdout: stdout, Stderr: stderr, Mark: mark,
	})
}
