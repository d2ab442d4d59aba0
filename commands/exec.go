package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/urfave/cli/v3"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	_ "kuberunner/executors/kubernetes" // registers the "kubernetes" executor
)

func init() {
	registerCommand("exec", func(stdout, stderr io.Writer) *cli.Command {
		vars := &execVariables{}
		return &cli.Command{
			Name:      "exec",
			Usage:     "run one job of a .gitlab-ci.yml on the cluster, without GitLab",
			ArgsUsage: "JOB",
			Flags:     execFlagList(vars),
			Action: func(_ context.Context, cmd *cli.Command) error {
				f, err := readExecFlags(cmd, vars)
				if err != nil {
					return err
				}
				return statusError(execJob(f, stdout, stderr))
			},
		}
	})
}

// execJob runs the job f names and returns the exit code.
func execJob(f execFlags, stdout, stderr io.Writer) int {
	job, runner, err := loadExec(f, stderr)
	if err != nil {
		return finish(stderr, err)
	}
	sources := f.sources
	if sources == "" {
		sources = filepath.Dir(f.file)
	}
	if sources, err = filepath.Abs(sources); err != nil {
		return finish(stderr, err)
	}
	if f.kubeconfig != "" {
		// client-go's loading rules read $KUBECONFIG; setting it here keeps
		// the executor free of CLI concerns.
		os.Setenv("KUBECONFIG", f.kubeconfig)
	}
	job.JobInfo.ProjectName = filepath.Base(sources)
	job.Timeout = f.timeout

	var masked []string
	for _, v := range job.Variables {
		if v.Masked {
			masked = append(masked, v.Value)
		}
	}
	log := buildlog.New(stdout, f.format, masked)
	defer log.Close()

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	in, stop := watchInterrupts(sigs, cleanupBudget, stderr, os.Exit)
	defer stop()
	return runJob(in, log, job, runner, sources)
}

// runJob prints GitLab's job-log frame around one executor run and turns
// the result into the exit status: 0 on success, 1 on failure, with the
// failure reason as the last line. Names reach the log as they are: the
// build log escapes control characters in every line it writes.
func runJob(in *interrupt, log *buildlog.Log, job *common.Job, runner *config.RunnerConfig, sources string) int {
	log.Println(fmt.Sprintf("Running with kuberunner %s", Version))
	log.Println(fmt.Sprintf("  on %s (executor %s)", runner.Name, runner.Executor))
	e, err := executors.New(runner.Executor)
	if err == nil {
		e = budgetedCleanup{Executor: e, budget: in.budget}
		err = executors.Run(in.job, e, executors.Options{
			Job: job, Runner: runner, Log: log, SourceDir: sources, Version: Version, Revision: Revision,
		})
	}
	if err == nil {
		log.Infoln("Job succeeded")
		return ExitOK
	}
	reason := common.UnknownFailure
	var be *common.BuildError
	if errors.As(err, &be) {
		reason = be.FailureReason
	}
	switch ie, ok := in.interrupted(); {
	case ok:
		log.Errorln(fmt.Sprintf("Job failed: canceled (%v)", ie))
	case errors.Is(err, context.Canceled):
		log.Errorln("Job failed: canceled")
	default:
		log.Errorln(fmt.Sprintf("Job failed: %v", err))
	}
	log.Println(fmt.Sprintf("failure_reason: %s", reason))
	return ExitError
}
