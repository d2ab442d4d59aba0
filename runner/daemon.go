package runner

import (
	"context"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"

	"kuberunner/common/config"
	"kuberunner/network"
)

// DefaultReloadInterval is how often the daemon looks at config.toml's
// modification time, as GitLab Runner does.
const DefaultReloadInterval = 3 * time.Second

// Options are what the command line adds to config.toml.
type Options struct {
	// ConfigPath locates the system_id file, kept next to config.toml
	// unless SystemIDFile names another, and is the file a reload reads.
	ConfigPath string
	// SystemIDFile, when set, is where the system ID is kept: a
	// config.toml mounted read-only (a Kubernetes Secret) has no writable
	// directory next to it.
	SystemIDFile      string
	Version, Revision string
	Log               *logrus.Logger
	// ForbiddenPause is how long a runner stops asking after GitLab
	// rejected its token (401 or 403) three times in a row; zero means
	// five minutes.
	ForbiddenPause time.Duration
	// HTTPClient talks to GitLab; nil uses a client with sane timeouts.
	HTTPClient *http.Client
	// ReloadSignals reloads config.toml on each value (SIGHUP).
	ReloadSignals <-chan os.Signal
	// ReloadInterval is how often config.toml's modification time is
	// checked; zero is DefaultReloadInterval.
	ReloadInterval time.Duration
	// Override sets what the command line gave (log level and format,
	// listen_address) over each file the daemon loads, a reload's too:
	// flags win over config.toml, as in GitLab Runner.
	Override func(*config.Config)
}

// Daemon runs the jobs of every [[runners]] entry of one config.toml,
// and puts a changed file in force without touching the running jobs
// (reload.go).
type Daemon struct {
	opts     Options
	log      *logrus.Logger
	systemID string
	// cfg is the configuration in force; a reload replaces it.
	cfg atomic.Pointer[config.Config]
	// concurrent caps the jobs of all runners together.
	concurrent *gate
	jobs       sync.WaitGroup
	running    jobTable
	metrics    *gitlabMetrics
	registry   *prometheus.Registry
	// ready: the request loops run (the /-/ready probe).
	ready atomic.Bool
	// loaded is config.toml's stamp when New was called, so that a change
	// made before Run watches is seen too.
	loaded fileStamp

	// mu guards what follows, and starting request loops.
	mu sync.Mutex
	// runners are the entries in force, in file order.
	runners []*runnerState
	// tokens keeps what belongs to a runner token across reloads, even
	// after its entry is gone: its jobs may still run.
	tokens map[string]*tokenState
	// asking and jobsCtx are Run's, nil before it; asking ends the
	// requests, jobsCtx the jobs. stopped: no loop starts any more.
	asking, jobsCtx context.Context
	stopped         bool
	workers         sync.WaitGroup
}

// runnerState is one [[runners]] entry as one load of the file gave it.
// A reload that changes the entry (but for its limit) replaces it: the
// old one's request loops stop, its running jobs keep it to the end.
type runnerState struct {
	cfg    *config.RunnerConfig
	client *network.Client
	log    *logrus.Entry
	*tokenState
	// asking ends this entry's request loops; retire ends it.
	asking context.Context
	retire context.CancelFunc
}

// tokenState is what stays with a runner across reloads: the jobs it
// runs count against its limit and hold its CI_CONCURRENT_IDs whichever
// load of the entry took them.
type tokenState struct {
	limit *gate
	// ids numbers the runner's running jobs (CI_CONCURRENT_ID).
	ids concurrentIDs
}

// New checks that every runner can talk to GitLab and returns the daemon.
// A runner without url or token is an error naming it: a daemon that
// silently skips a runner would look healthy and take no jobs.
func New(cfg *config.Config, opts Options) (*Daemon, error) {
	opts = withDefaults(opts)
	if err := RequireGitLab(cfg, opts.ConfigPath); err != nil {
		return nil, err
	}
	idPath := opts.SystemIDFile
	if idPath == "" {
		idPath = network.SystemIDPath(opts.ConfigPath)
	}
	systemID, err := network.LoadOrCreateSystemIDFile(idPath)
	if err != nil {
		return nil, err
	}
	d := &Daemon{opts: opts, log: opts.Log, systemID: systemID, concurrent: newGate(cfg.Concurrent), tokens: map[string]*tokenState{}}
	d.loaded, _ = stampOf(opts.ConfigPath)
	d.metrics = newGitLabMetrics(systemID, opts.Version, opts.Revision)
	runners, err := d.load(cfg)
	if err != nil {
		return nil, err
	}
	d.cfg.Store(cfg)
	d.swap(runners, cfg)
	d.registry = d.metrics.registry(d)
	d.log.AddHook(d.metrics.errorHook())
	return d, nil
}

func withDefaults(opts Options) Options {
	if opts.Log == nil {
		opts.Log = logrus.New()
	}
	if opts.ForbiddenPause <= 0 {
		opts.ForbiddenPause = 5 * time.Minute
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if opts.ReloadInterval <= 0 {
		opts.ReloadInterval = DefaultReloadInterval
	}
	return opts
}

// config is the configuration in force.
func (d *Daemon) config() *config.Config { return d.cfg.Load() }

// Run asks for and runs jobs until ctx ends or graceful closes, and
// reloads config.toml on Options.ReloadSignals and when the file changes.
//
// ctx ending (SIGTERM, SIGINT) stops the requests and aborts the running
// jobs: their pods are deleted and they are reported failed. graceful
// closing (SIGQUIT) stops the requests and lets the running jobs finish,
// for at most shutdown_timeout when it is set; those still running then
// are aborted. After an abort Run waits at most shutdown_timeout (30 s
// when unset) for the jobs to be reported, as GitLab Runner does.
func (d *Daemon) Run(ctx context.Context, graceful <-chan struct{}) error {
	jobsCtx, abort := context.WithCancel(ctx)
	defer abort()
	asking, stopAsking := context.WithCancel(jobsCtx)
	defer stopAsking()
	ended := make(chan struct{})
	defer close(ended)
	go d.stopOn(graceful, asking, stopAsking, abort, ended)
	d.sweep(ctx)
	d.start(asking, jobsCtx)
	go d.watchConfig(asking)
	<-asking.Done()
	d.endLoops()
	if jobsCtx.Err() != nil {
		d.log.Warn("Stopping: aborting the running jobs")
	}
	d.drain(jobsCtx)
	return nil
}

// start runs the request loops of every runner in force.
func (d *Daemon) start(asking, jobsCtx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asking, d.jobsCtx = asking, jobsCtx
	for _, r := range d.runners {
		d.startLoops(r)
	}
	d.ready.Store(true)
}

// startLoops runs r's request_concurrency request loops; d.mu is held.
func (d *Daemon) startLoops(r *runnerState) {
	if d.stopped || d.asking == nil {
		return
	}
	r.asking, r.retire = context.WithCancel(d.asking)
	asking, jobsCtx := d.asking, d.jobsCtx
	for range r.cfg.RequestConcurrency {
		d.workers.Add(1)
		go func() {
			defer d.workers.Done()
			d.ask(asking, jobsCtx, r)
		}()
	}
}

// endLoops waits for every request loop to end, and keeps reloads from
// starting new ones.
func (d *Daemon) endLoops() {
	d.ready.Store(false)
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	d.workers.Wait()
}
