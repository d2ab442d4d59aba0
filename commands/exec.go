package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/ciyaml"
	"kuberunner/common/config"
	"kuberunner/executors"
	_ "kuberunner/executors/kubernetes" // registers the "kubernetes" executor
)

func init() {
	Register("exec", "run one job of a .gitlab-ci.yml on the cluster, without GitLab", execCommand)
}

// listFlag collects a repeated flag such as --env.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

type execFlags struct {
	file, config, runner, kubeconfig, sources, logFormat string
	env, masked                                          listFlag
	timeout                                              time.Duration
}

func parseExecFlags(args []string, stderr io.Writer) (job string, f execFlags, err error) {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kuberunner exec JOB [--file .gitlab-ci.yml] [--config config.toml] [--runner NAME] [--kubeconfig PATH] [--env KEY=VALUE ...] [--masked-env KEY=VALUE ...] [--log-format terminal|gitlab]")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.file, "file", ".gitlab-ci.yml", "the pipeline file to read the job from")
	fs.StringVar(&f.config, "config", "", "config.toml (default: $KUBERUNNER_CONFIG, then "+config.DefaultPath()+"; built-in defaults when absent)")
	fs.StringVar(&f.runner, "runner", "", "the [[runners]] entry to use, by name, when config.toml has several")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
	fs.StringVar(&f.sources, "sources", "", "directory copied into $CI_PROJECT_DIR (default: the pipeline file's directory)")
	fs.StringVar(&f.logFormat, "log-format", "terminal", "build log format: terminal, or gitlab for GitLab's section markers")
	fs.Var(&f.env, "env", "a job variable KEY=VALUE (repeatable)")
	fs.Var(&f.masked, "masked-env", "a masked job variable KEY=VALUE, shown as [MASKED] in the log (repeatable)")
	fs.DurationVar(&f.timeout, "timeout", time.Hour, "the job's timeout")
	// The job name may come before or after the flags.
	if err := fs.Parse(args); err != nil {
		return "", f, err
	}
	rest := fs.Args()
	if len(rest) > 0 {
		job, rest = rest[0], rest[1:]
		if err := fs.Parse(rest); err != nil {
			return "", f, err
		}
		if fs.NArg() > 0 {
			return "", f, fmt.Errorf("exec takes one JOB, got also %q", fs.Args())
		}
	}
	if job == "" {
		fs.Usage()
		return "", f, errors.New("exec needs the name of a job")
	}
	return job, f, nil
}

func execCommand(args []string, stdout, stderr io.Writer) int {
	jobName, f, err := parseExecFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "ERROR:", err)
		}
		return 2
	}
	job, runner, err := loadExecJob(jobName, f, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "ERROR:", err)
		return 1
	}
	format, err := buildlog.ParseFormat(f.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "ERROR:", err)
		return 2
	}
	if f.kubeconfig != "" {
		// client-go's loading rules read $KUBECONFIG; setting it here keeps
		// the executor free of CLI concerns.
		os.Setenv("KUBECONFIG", f.kubeconfig)
	}
	var masked []string
	for _, v := range job.Variables {
		if v.Masked {
			masked = append(masked, v.Value)
		}
	}
	log := buildlog.New(stdout, format, masked)
	defer log.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sources := f.sources
	if sources == "" {
		sources = filepath.Dir(f.file)
	}
	if sources, err = filepath.Abs(sources); err != nil {
		fmt.Fprintln(stderr, "ERROR:", err)
		return 1
	}
	job.JobInfo.ProjectName = filepath.Base(sources)
	job.Timeout = f.timeout
	return runJob(ctx, log, job, runner, sources)
}

// runJob prints GitLab's job-log frame around one executor run and turns
// the result into the exit status: 0 on success, 1 on failure, with the
// failure reason as the last line.
func runJob(ctx context.Context, log *buildlog.Log, job *common.Job, runner *config.RunnerConfig, sources string) int {
	log.Println(fmt.Sprintf("Running with kuberunner %s", Version))
	log.Println(fmt.Sprintf("  on %s (executor %s)", runner.Name, runner.Executor))
	e, err := executors.New(runner.Executor)
	if err == nil {
		err = executors.Run(ctx, e, executors.Options{Job: job, Runner: runner, Log: log, SourceDir: sources})
	}
	if err == nil {
		log.Infoln("Job succeeded")
		return 0
	}
	reason := common.UnknownFailure
	var be *common.BuildError
	if errors.As(err, &be) {
		reason = be.FailureReason
	}
	if errors.Is(err, context.Canceled) {
		log.Errorln("Job failed: canceled")
	} else {
		log.Errorln(fmt.Sprintf("Job failed: %v", err))
	}
	log.Println(fmt.Sprintf("failure_reason: %s", reason))
	return 1
}

// loadExecJob reads the job and picks the runner. Warnings go to stderr
// with their file and line, so they never mix with the build log.
func loadExecJob(jobName string, f execFlags, stderr io.Writer) (*common.Job, *config.RunnerConfig, error) {
	job, warnings, err := ciyaml.Load(f.file, jobName)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "WARNING:", w.String())
	}
	if err != nil {
		return nil, nil, err
	}
	for _, kv := range f.env {
		v, err := parseVar(kv, false)
		if err != nil {
			return nil, nil, err
		}
		job.Variables = append(job.Variables, v)
	}
	for _, kv := range f.masked {
		v, err := parseVar(kv, true)
		if err != nil {
			return nil, nil, err
		}
		job.Variables = append(job.Variables, v)
	}
	runner, err := pickRunner(f.config, f.runner, stderr)
	if err != nil {
		return nil, nil, err
	}
	return job, runner, nil
}

func parseVar(kv string, masked bool) (common.JobVariable, error) {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		flagName := "--env"
		if masked {
			flagName = "--masked-env"
		}
		return common.JobVariable{}, fmt.Errorf("%s %q: expected KEY=VALUE", flagName, kv)
	}
	return common.JobVariable{Key: k, Value: v, Masked: masked, Public: !masked}, nil
}

// pickRunner loads config.toml and selects the runner. Without a file (none
// given and none at the default path), exec uses a kubernetes runner with
// the defaults, as a first run on a laptop expects.
func pickRunner(path, name string, stderr io.Writer) (*config.RunnerConfig, error) {
	explicit := path != ""
	if !explicit {
		path = config.DefaultPath()
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return &config.RunnerConfig{Name: "exec", Executor: "kubernetes", Kubernetes: &config.KubernetesConfig{Namespace: "default", PollTimeout: 180}}, nil
		}
	}
	cfg, warnings, err := config.Load(path)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "WARNING:", w.String())
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range cfg.Runners {
		names = append(names, fmt.Sprintf("%q", r.Name))
		if name == "" && len(cfg.Runners) == 1 || r.Name == name {
			if r.Executor == "" {
				r.Executor = "kubernetes"
			}
			return r, nil
		}
	}
	switch {
	case len(cfg.Runners) == 0:
		return nil, fmt.Errorf("%s has no [[runners]] entry", path)
	case name == "":
		return nil, fmt.Errorf("%s has %d runners (%s): pick one with --runner NAME", path, len(cfg.Runners), strings.Join(names, ", "))
	default:
		return nil, fmt.Errorf("%s has no runner named %q; it has %s", path, name, strings.Join(names, ", "))
	}
}
