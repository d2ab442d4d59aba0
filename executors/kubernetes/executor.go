package kubernetes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/breaker"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/placement"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
)

func init() {
	executors.Register("kubernetes", func() executors.Executor { return New(nil) })
}

// Executor runs one job on Kubernetes; see executors.Executor for its
// lifecycle. Its fields are the job's state; the fallback loop's own state
// and measurements live in attemptLoop.
type Executor struct {
	base *rest.Config // nil: find the cluster from the environment
	// headerTimeout bounds the wait for each API answer's headers.
	headerTimeout time.Duration

	opts       executors.Options
	cfg        *config.KubernetesConfig
	api        kubeapi.Client
	spec       *podspec.JobSpec // frozen after Prepare
	vars       common.JobVariables
	projectDir string
	sources    *sourcePlan // the sources of a GitLab job; nil for none
	auth       *pullAuth   // the registry credentials of the job's pods
	cache      *cachePlan  // the job's cache; nil for none
	artifacts  *artifactPlan
	watch      *podwatch.Watch
	pod        *corev1.Pod // the attempt that started
	stats      attemptStats
	created    created

	// registries are the registry breakers; nil is the process's.
	registries *breaker.Set

	cleanupOnce sync.Once
	cleanupErr  error

	trace bool // CI_DEBUG_TRACE, unless the runner disables it
}

// New returns an executor that talks to the cluster rc describes; nil means
// in-cluster credentials or the kubeconfig of $KUBECONFIG / ~/.kube/config.
func New(rc *rest.Config) *Executor {
	return &Executor{base: rc, headerTimeout: kubeapi.DefaultHeaderTimeout}
}

// Prepare resolves the job's images and pull-policy lists and connects to
// the cluster. It creates nothing, so a configuration error costs no
// API request.
func (e *Executor) Prepare(ctx context.Context, opts executors.Options) error {
	e.opts = opts
	if opts.Job == nil || opts.Runner == nil || opts.Log == nil {
		return &common.BuildError{Inner: errors.New("kubernetes executor: Prepare needs a job, a runner and a build log"), FailureReason: common.RunnerSystemFailure}
	}
	e.cfg = opts.Runner.Kubernetes
	if e.cfg == nil {
		e.cfg = &config.KubernetesConfig{}
	}
	log := opts.Log
	log.SectionStart("prepare_executor", `Preparing the "kubernetes" executor`)
	defer log.SectionEnd("prepare_executor")

	key, err := jobKey(opts.Job.ID)
	if err != nil {
		return systemFailure(err)
	}
	if e.projectDir, e.vars, err = jobVariables(opts); err != nil {
		return configFailure(err)
	}
	if e.spec, err = podspec.NewJobSpec(opts.Job, opts.Runner, e.cfg, key, e.vars); err != nil {
		return configFailure(err)
	}
	e.spec.Expires = podspec.Expiry(time.Now(), opts.Job.Timeout)
	if e.auth, err = newPullAuth(opts.Job, opts.Runner, e.cfg, e.spec, e.vars); err != nil {
		return configFailure(err)
	}
	if opts.SourceDir == "" && opts.Job.GitInfo.RepoURL != "" {
		if e.sources, err = newSourcePlan(opts.Job, opts.Runner, e.vars, e.projectDir); err != nil {
			return configFailure(err)
		}
		e.sources.git.TLS = helperTLS(opts.Runner)
	}
	e.cache = newCachePlan(opts.Job, opts.Runner, e.vars)
	if e.artifacts, err = newArtifactPlan(opts.Job, opts.Runner, e.vars, e.projectDir); err != nil {
		return configFailure(err)
	}
	// The image name may itself use job variables, so CI_JOB_IMAGE can only
	// be known once the spec has expanded it.
	e.vars = append(e.vars, common.JobVariable{Key: "CI_JOB_IMAGE", Value: e.spec.Containers[0].Image, Public: true})

	rc := e.base
	if rc == nil {
		if rc, err = kubeapi.RestConfig(connection(e.cfg)); err != nil {
			return systemFailure(err)
		}
	}
	if e.api, err = kubeapi.NewClient(rc, e.headerTimeout); err != nil {
		return systemFailure(err)
	}
	built := e.spec.Containers[0].Image
	log.Println(fmt.Sprintf("Using Kubernetes executor with image %s (pull policies %s)", built, e.spec.Policies[built]))
	log.Println(fmt.Sprintf("Using Kubernetes namespace: %s", e.spec.Namespace))
	e.auth.logLines(log)
	for _, note := range e.spec.Notes {
		log.Println(note)
	}
	for _, w := range podspec.MaskedInImages(e.spec, e.vars) {
		log.Warningln(w)
	}
	if e.sources != nil {
		for _, w := range e.sources.warnings {
			log.Warningln(w)
		}
	}
	if e.cache != nil {
		for _, w := range e.cache.warnings {
			log.Warningln(w)
		}
	}
	for _, w := range e.artifacts.warnings {
		log.Warningln(w)
	}
	e.logSecurity()
	return nil
}

// logSecurity says in the build log what the job may do beyond its
// script: the security profile and what loosens or tightens it, and shell
// tracing, which prints the variables the script uses.
func (e *Executor) logSecurity() {
	log := e.opts.Log
	for _, line := range podspec.SecurityLines(e.spec) {
		log.Println(line)
	}
	if names := podspec.PrivilegedContainers(e.spec); len(names) > 0 {
		log.Warningln(fmt.Sprintf("Privileged containers: %s run privileged, with every capability of the node (config.toml privileged = true)", strings.Join(names, ", ")))
	}
	e.trace = podspec.DebugTrace(e.vars)
	switch {
	case e.trace && e.opts.Runner.DebugTraceDisabled:
		e.trace = false
		log.Warningln("CI_DEBUG_TRACE is disabled on this runner (debug_trace_disabled = true): the script is not traced")
	case e.trace:
		log.Warningln("CI_DEBUG_TRACE is on: the shell writes every command it runs into this log with its variables expanded; masked values are still hidden, other secrets the script uses are not")
	}
}

// Run creates the job's secret and pod, falling back through pull policies
// until the pod starts, then copies the sources and runs the steps.
func (e *Executor) Run(ctx context.Context) error {
	if e.spec == nil {
		return systemFailure(errors.New("kubernetes executor: Run before a successful Prepare"))
	}
	if e.opts.Job.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.opts.Job.Timeout)
		defer cancel()
	}
	err := e.run(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && e.opts.Job.Timeout > 0 {
		return &common.BuildError{Inner: fmt.Errorf("job exceeded its timeout of %s: %w", e.opts.Job.Timeout, err), FailureReason: common.JobExecutionTimeout}
	}
	return err
}

func (e *Executor) run(ctx context.Context) error {
	e.opts.Log.SectionStart("prepare_script", "Preparing environment")
	pod, err := e.startPod(ctx)
	e.opts.Log.SectionEnd("prepare_script")
	if err != nil {
		return err
	}
	e.pod = pod
	// While the job uses the pod, the same watch looks out for the pod
	// going away; if it does, the running exec is cancelled with that cause,
	// so that a deleted or evicted pod is a system failure and not a script
	// that seemed to exit 137.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The job is over, or the watch ended, when this returns without
		// the pod ending: exec reports its own errors then.
		_ = e.watch.Until(ctx, pod.Name, func(obs podwatch.Observation) (bool, error) {
			if ended := podEnded(obs); ended != nil {
				cancel(ended)
				return true, nil
			}
			return false, nil
		})
	}()
	defer func() { cancel(nil); <-done }()

	err = e.useRunningPod(ctx)
	var ended *PodEndedError
	if cause := context.Cause(ctx); err != nil && errors.As(cause, &ended) {
		return systemFailure(ended)
	}
	return err
}

// useRunningPod gets the sources, from a local directory (exec) or from
// the job's repository (a GitLab job), restores the cache, downloads the
// dependencies' artifacts, runs the steps, then saves the cache and
// uploads the job's artifacts: GitLab Runner's order.
func (e *Executor) useRunningPod(ctx context.Context) error {
	var err error
	switch {
	case e.opts.SourceDir != "":
		err = e.copySources(ctx)
	case e.sources != nil:
		err = e.fetchSources(ctx)
	}
	if err != nil {
		return err
	}
	if err := e.restoreCache(ctx); err != nil {
		return err
	}
	if err := e.artifacts.downloadArtifacts(ctx, e.helperExec, e.opts.Log); err != nil {
		return err
	}
	err = e.runSteps(ctx)
	if cerr := e.archiveCache(ctx, err); err == nil {
		err = cerr
	}
	return e.artifacts.uploadArtifacts(ctx, e.helperExec, e.opts.Log, err)
}

// Cleanup deletes every pod and the secret of the job, with its own
// context, because the job's may be cancelled by now. Calls after the
// first return the first result.
func (e *Executor) Cleanup(ctx context.Context) error {
	e.cleanupOnce.Do(func() {
		e.watch.Stop()
		if e.api.Interface != nil && (e.created.pods || e.created.secret) {
			e.cleanupErr = cleanup(ctx, e.api, e.spec.Namespace, e.spec.Key, e.created, cleanupGrace(e.cfg))
		}
	})
	return e.cleanupErr
}

// startPod creates the job's Secrets (its variables, and its registry
// credentials when it has any) and its one watch, then hands over to the
// fallback loop.
func (e *Executor) startPod(ctx context.Context) (*corev1.Pod, error) {
	secret, err := e.api.CoreV1().Secrets(e.spec.Namespace).Create(ctx, podspec.BuildSecret(e.spec, e.vars), metav1.CreateOptions{})
	e.created.secret = mayExist(err)
	if err != nil {
		return nil, systemFailure(fmt.Errorf("create the job's variables secret: %w", kubeapi.Forbidden(err, "create", "secrets", e.spec.Namespace)))
	}
	pullSecrets, err := e.auth.pullSecrets(ctx, e.api, e.spec, func() { e.created.secret = true }, e.opts.Log)
	if err != nil {
		return nil, err
	}
	if e.watch, err = podwatch.Start(ctx, e.api, e.spec.Namespace, e.spec.Key); err != nil {
		return nil, systemFailure(err)
	}
	pulls := pull.NewManager(e.spec.Policies, e.opts.Log)
	placer := placement.ForClient(e.api, e.cfg, pulls, e.opts.Log)
	// Nodes are read only while pods are created.
	defer placer.Close()
	pulls.SetRules(pullRules(e.cfg))
	e.startPastOpenRegistries(pulls)
	loop := &attemptLoop{
		client: e.api, spec: e.spec, watch: e.watch, log: e.opts.Log,
		secrets:  podspec.PodSecrets{Variables: secret.Name, Pull: pullSecrets},
		sent:     e.auth.sentFor,
		pulls:    pulls,
		timeout:  pollTimeout(e.cfg),
		created:  func() { e.created.pods = true },
		place:    placer.Place,
		retry:    newPullRetry(),
		sawPulls: func(f pullFailures) { e.sawPulls(f, pulls) },
		started:  func() { e.sawStart(pulls) },
	}
	pod, err := loop.run(ctx)
	e.stats = loop.stats
	return pod, err
}

// jobVariables are the job's variables and its project directory: the
// default one, or the one GIT_CLONE_PATH asks for, which the variables
// themselves give; then a second pass puts CI_PROJECT_DIR there.
func jobVariables(opts executors.Options) (string, common.JobVariables, error) {
	dir := podspec.ProjectDir(opts.Job, opts.SourceDir)
	vars, err := podspec.Variables(opts.Job, opts.Runner, runInfo(opts, dir))
	if err != nil {
		return "", nil, err
	}
	clone, err := podspec.CloneDir(vars, opts.Runner.CloneDirAllowed())
	if err != nil || clone == "" {
		return dir, vars, err
	}
	vars, err = podspec.Variables(opts.Job, opts.Runner, runInfo(opts, clone))
	return clone, vars, err
}

// runInfo is what the job's variables take from the run rather than
// from the job.
func runInfo(opts executors.Options, projectDir string) podspec.RunInfo {
	return podspec.RunInfo{
		ProjectDir: projectDir, Version: opts.Version, Revision: opts.Revision,
		ConcurrentID: opts.Slot.ID, ConcurrentProjectID: opts.Slot.ProjectID,
		Extra: podspec.TLSVariables(opts.Runner),
	}
}

// connection is config.toml's way to the API server.
func connection(cfg *config.KubernetesConfig) kubeapi.Connection {
	return kubeapi.Connection{
		Host: cfg.Host, BearerToken: string(cfg.BearerToken), CAFile: cfg.CAFile,
		CertFile: cfg.CertFile, KeyFile: cfg.KeyFile, Context: cfg.Context,
	}
}

// CleanupTimeout is cleanup_resources_timeout; 0 leaves executors.Run's
// default. It is read after Prepare, which set the config.
func (e *Executor) CleanupTimeout() time.Duration {
	if e.cfg == nil {
		return 0
	}
	return e.cfg.CleanupTimeout()
}

// pollTimeout is poll_timeout, with the loader's default for a config that
// did not come through it.
func pollTimeout(cfg *config.KubernetesConfig) time.Duration {
	if cfg.PollTimeout > 0 {
		return time.Duration(cfg.PollTimeout) * time.Second
	}
	return config.DefaultPollTimeout * time.Second
}

// jobKey is unique per executor run, so that concurrent runs of the same
// job id (two `kuberunner exec` in parallel) never share pods.
func jobKey(id int64) (string, error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d-%s", id, hex.EncodeToString(b)), nil
}

func systemFailure(err error) error {
	return &common.BuildError{Inner: err, FailureReason: common.RunnerSystemFailure}
}

func configFailure(err error) error { return common.NewConfigurationError(err) }
