package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v3"
	"k8s.io/klog/v2"

	"kuberunner/common/config"
	"kuberunner/runner"
)

func init() {
	registerCommand("run", func(_, stderr io.Writer) *cli.Command {
		return &cli.Command{
			Name:  "run",
			Usage: "take jobs from GitLab and run them (the daemon)",
			Flags: []cli.Flag{
				configFlag(),
				&cli.StringFlag{Name: "listen-address", Usage: "address of /metrics and the probes, e.g. :9252 (overrides listen_address)", Sources: cli.EnvVars("LISTEN_ADDRESS")},
				&cli.StringFlag{Name: "working-directory", Aliases: []string{"d"}, Usage: "directory to run in; relative paths are read from it", Sources: cli.EnvVars("RUNNER_WORKING_DIRECTORY")},
				&cli.StringFlag{Name: "system-id-file", Usage: "where the system ID is kept (default: .runner_system_id next to the config file)", Sources: cli.EnvVars(systemIDEnvVar)},
			},
			Action: func(_ context.Context, cmd *cli.Command) error {
				if cmd.Args().Present() {
					return usagef("kuberunner run: unexpected argument %q", cmd.Args().First())
				}
				if dir := cmd.String("working-directory"); dir != "" {
					if err := os.Chdir(dir); err != nil {
						return fmt.Errorf("--working-directory: %w", err)
					}
				}
				return statusError(runDaemon(runFlags{config: configLocation(cmd), idFile: cmd.String("system-id-file"),
					override: runOverride(cmd)}, stderr))
			},
		}
	})
}

// runFlags is the run command line, parsed.
type runFlags struct {
	config   config.Location
	idFile   string
	override func(*config.Config)
}

// runOverride is what the command line sets over config.toml.
func runOverride(cmd *cli.Command) func(*config.Config) {
	logs, listen := logOverrideOf(cmd), cmd.String("listen-address")
	return func(cfg *config.Config) {
		logs.apply(cfg)
		if listen != "" {
			cfg.ListenAddress = listen
		}
	}
}

// runDaemon is `kuberunner run [-c FILE]`. SIGTERM and SIGINT abort
// the running jobs (pods deleted, jobs reported failed) and exit 0;
// SIGQUIT stops taking jobs and exits once the running ones are reported
// (both bounded by shutdown_timeout); SIGHUP reloads config.toml.
func runDaemon(f runFlags, stderr io.Writer) int {
	// From the start: SIGHUP's default ends the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg, path, err := loadDaemonConfig(f.config, stderr)
	if err != nil {
		return finish(stderr, err)
	}
	f.override(cfg)
	log, err := daemonLogger(cfg, stderr)
	if err != nil {
		return finish(stderr, err)
	}
	d, err := runner.New(cfg, runner.Options{ConfigPath: path, SystemIDFile: f.idFile, Override: f.override, Version: Version, Revision: Revision, Log: log, ReloadSignals: hup})
	if err != nil {
		return finish(stderr, systemIDHint(err, f.idFile))
	}
	stopMetrics, err := serveMetrics(cfg.ListenAddress, d.Handler(), log)
	if err != nil {
		return finish(stderr, err)
	}
	defer stopMetrics()

	ctx, abort := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer abort()
	go func() {
		// After the first SIGTERM or SIGINT the default behaviour comes
		// back, so a second one ends the process at once.
		<-ctx.Done()
		abort()
	}()
	graceful := make(chan struct{})
	quit := make(chan os.Signal, 1)
	signal.Notify(quit, syscall.SIGQUIT)
	defer signal.Stop(quit)
	go func() {
		select {
		case <-quit:
			close(graceful)
		case <-ctx.Done():
		}
	}()
	log.WithField("config", path).Infof("kuberunner %s: %d runner(s), concurrent = %d", Version, len(cfg.Runners), cfg.Concurrent)
	if err := d.Run(ctx, graceful); err != nil {
		return finish(stderr, err)
	}
	log.Info("kuberunner stopped")
	return ExitOK
}

// loadDaemonConfig loads config.toml for a command that needs runners: a
// missing file is an error here, whoever named it, because the daemon has
// no built-in GitLab to talk to.
func loadDaemonConfig(loc config.Location, stderr io.Writer) (*config.Config, string, error) {
	path := loc.Path
	cfg, warnings, err := config.Load(path)
	printWarnings(stderr, warnings)
	if err != nil {
		return nil, path, err
	}
	if err := runner.RequireGitLab(cfg, path); err != nil {
		return nil, path, err
	}
	warnReadableToken(path, stderr)
	return cfg, path, nil
}

// warnReadableToken: config.toml holds runner tokens, so a file others may
// read is worth a line.
func warnReadableToken(path string, stderr io.Writer) {
	if st, err := os.Stat(path); err == nil && exposedMode(st) {
		fmt.Fprintf(stderr, "WARNING: %s holds runner tokens and is readable by group or others (mode %04o); chmod 600 it\n", path, st.Mode().Perm())
	}
}

// exposedMode: someone but us may read the file. Group access counts
// unless the group is our own: a Secret mounted in a pod is group-readable
// by the pod's fsGroup, which is the runner's own group there.
func exposedMode(st os.FileInfo) bool {
	perm := st.Mode().Perm()
	if perm&0o007 != 0 {
		return true
	}
	if perm&0o070 == 0 {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return !ok || int(sys.Gid) != os.Getegid()
}

// daemonLogger is logrus at config.toml's log_level and log_format.
func daemonLogger(cfg *config.Config, stderr io.Writer) (*logrus.Logger, error) {
	log := logrus.New()
	log.SetOutput(stderr)
	if err := runner.ConfigureLogger(log, cfg); err != nil {
		return nil, err
	}
	// client-go reports what it retries by itself (a watch the API server
	// dropped in a restart) through klog; those lines go through the
	// daemon's log, in its format, rather than raw to stderr.
	// klog copies each line to the outputs of every lower severity, so
	// only INFO's output is ours; the others would repeat the line.
	klog.LogToStderr(false)
	klog.SetOutputBySeverity("INFO", log.WriterLevel(logrus.WarnLevel))
	for _, s := range []string{"WARNING", "ERROR", "FATAL"} {
		klog.SetOutputBySeverity(s, io.Discard)
	}
	return log, nil
}

// serveMetrics serves h (/metrics and the probes) on listen_address, if set.
func serveMetrics(addr string, h http.Handler, log *logrus.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen_address %q: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.WithError(err).Error("metrics server stopped")
		}
	}()
	log.Infof("Serving metrics on http://%s/metrics", l.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
