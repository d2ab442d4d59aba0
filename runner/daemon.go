package runner

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"kuberunner/common/config"
	"kuberunner/network"
)

// Options are what the command line adds to config.toml.
type Options struct {
	// ConfigPath locates the system_id file, kept next to config.toml
	// unless SystemIDFile names another.
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
}

// Daemon runs the jobs of every [[runners]] entry of one config.toml.
type Daemon struct {
	cfg     *config.Config
	opts    Options
	log     *logrus.Logger
	runners []*runnerState
	// concurrent caps the jobs of all runners together.
	concurrent slots
	jobs       sync.WaitGroup
}

// runnerState is one [[runners]] entry at run time.
type runnerState struct {
	cfg    *config.RunnerConfig
	client *network.Client
	limit  slots
	log    *logrus.Entry
	// ids numbers the runner's running jobs (CI_CONCURRENT_ID).
	ids concurrentIDs
}

// New checks that every runner can talk to GitLab and returns the daemon.
// A runner without url or token is an error naming it: a daemon that
// silently skips a runner would look healthy and take no jobs.
func New(cfg *config.Config, opts Options) (*Daemon, error) {
	if opts.Log == nil {
		opts.Log = logrus.New()
	}
	if opts.ForbiddenPause <= 0 {
		opts.ForbiddenPause = 5 * time.Minute
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if err := cfg.RequireRunners(opts.ConfigPath); err != nil {
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
	d := &Daemon{cfg: cfg, opts: opts, log: opts.Log, concurrent: newSlots(cfg.Concurrent)}
	for _, rc := range cfg.Runners {
		log := d.log.WithFields(logrus.Fields{"runner": rc.Name})
		// The client warns on the runner's log, so that a GitLab that
		// struggles shows in the daemon's output under the runner's name.
		hc, err := runnerHTTPClient(opts.HTTPClient, rc.TLS())
		if err != nil {
			return nil, fmt.Errorf("runner %q: %w", rc.Name, err)
		}
		client, err := network.New(network.Config{
			URL: rc.URL, Token: rc.Token, SystemID: systemID,
			Version: opts.Version, Revision: opts.Revision, HTTPClient: hc, CAFile: rc.TLS().CAFile, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("runner %q: %w", rc.Name, err)
		}
		d.runners = append(d.runners, &runnerState{cfg: rc, client: client, limit: newSlots(rc.Limit), log: log})
	}
	return d, nil
}

// Run asks for and runs jobs until ctx ends or graceful closes.
//
// ctx ending (SIGTERM, SIGINT) stops the requests and aborts the running
// jobs: their pods are deleted and they are reported failed. graceful
// closing (SIGQUIT) stops the requests and lets the running jobs finish.
// Either way Run returns once every job is reported.
func (d *Daemon) Run(ctx context.Context, graceful <-chan struct{}) error {
	asking, stopAsking := context.WithCancel(ctx)
	defer stopAsking()
	go func() {
		select {
		case <-graceful:
			d.log.Info("Stopping: no new jobs; waiting for the running ones to finish")
			stopAsking()
		case <-asking.Done():
		}
	}()
	d.sweep(ctx)
	var workers sync.WaitGroup
	for _, r := range d.runners {
		for range r.cfg.RequestConcurrency {
			workers.Add(1)
			go func() {
				defer workers.Done()
				d.ask(asking, ctx, r)
			}()
		}
	}
	workers.Wait()
	if ctx.Err() != nil {
		d.log.Warn("Stopping: aborting the running jobs")
	}
	d.jobs.Wait()
	return nil
}
