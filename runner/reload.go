package runner

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/sirupsen/logrus"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/network"
)

// errStopping: the daemon is stopping and takes no new configuration.
var errStopping = errors.New("the daemon is stopping")

// RequireGitLab is what `run` needs of config.toml beyond loading: at
// least one runner, and each with the url and token to take jobs with.
// file names the file in messages.
func RequireGitLab(cfg *config.Config, file string) error {
	if err := cfg.RequireRunners(file); err != nil {
		return err
	}
	for _, r := range cfg.Runners {
		if r.URL == "" || r.Token == "" {
			return fmt.Errorf("%s: runner %q needs url and token to take jobs from GitLab (kuberunner register writes them)", file, r.Name)
		}
	}
	return nil
}

// Reload puts cfg in force without touching the running jobs:
// concurrent, check_interval, shutdown_timeout, log_level and log_format
// at once; a runner's limit at once; a runner added starts asking, a
// runner removed stops asking once its requests in flight are answered;
// a runner whose other keys changed is replaced so (the jobs it runs keep
// the settings they started with). listen_address needs a restart. A cfg
// the daemon cannot run is an error, and the configuration in force stays.
func (d *Daemon) Reload(cfg *config.Config) error {
	if d.opts.Override != nil {
		d.opts.Override(cfg)
	}
	if err := RequireGitLab(cfg, d.opts.ConfigPath); err != nil {
		return err
	}
	level, format, err := logSettings(cfg)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return errStopping
	}
	next, err := d.load(cfg)
	if err != nil {
		return err
	}
	if old := d.config(); cfg.ListenAddress != old.ListenAddress {
		d.log.Warnf("listen_address changed from %q to %q: it takes effect when kuberunner run restarts", old.ListenAddress, cfg.ListenAddress)
	}
	d.log.SetLevel(level)
	d.log.SetFormatter(format)
	d.cfg.Store(cfg)
	d.concurrent.resize(cfg.Concurrent)
	d.swap(next, cfg)
	return nil
}

// load makes the runnerState of each entry of cfg: the one in force when
// the entry did not change but for its limit, else a new one with its own
// client. It changes nothing of d.
func (d *Daemon) load(cfg *config.Config) ([]*runnerState, error) {
	inForce := map[*tokenState]*runnerState{}
	for _, r := range d.runners {
		inForce[r.tokenState] = r
	}
	keys := map[string]int{}
	var out []*runnerState
	for _, rc := range cfg.Runners {
		ts := d.token(runnerKey(rc, keys))
		if r := inForce[ts]; r != nil && sameRunner(r.cfg, rc) {
			out = append(out, r)
			continue
		}
		r, err := d.newRunner(rc, ts)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// runnerKey tells runners apart across loads: by url and token, and by
// order among entries with the same ones.
func runnerKey(rc *config.RunnerConfig, seen map[string]int) string {
	k := rc.URL + "\x00" + rc.Token
	seen[k]++
	return k + "\x00" + strconv.Itoa(seen[k])
}

// token is the tokenState of key, made when new; d.mu is held, or d is
// not shared yet. A new one is kept even when its load fails: it holds
// nothing yet.
func (d *Daemon) token(key string) *tokenState {
	ts := d.tokens[key]
	if ts == nil {
		ts = &tokenState{limit: newGate(0)}
		d.tokens[key] = ts
	}
	return ts
}

// sameRunner reports whether a and b differ in nothing but limit, which
// a reload applies to the runner in force.
func sameRunner(a, b *config.RunnerConfig) bool {
	x, y := *a, *b
	x.Limit, y.Limit = 0, 0
	return reflect.DeepEqual(x, y)
}

// newRunner makes the runnerState of rc, with a client that counts its
// requests and warns on the runner's log, so that a GitLab that struggles
// shows in the daemon's output under the runner's name.
func (d *Daemon) newRunner(rc *config.RunnerConfig, ts *tokenState) (*runnerState, error) {
	log := d.log.WithFields(logrus.Fields{"runner": rc.Name})
	counting := countingTransport{api: d.metrics.apiStatuses, runner: common.ShortToken(rc.Token), systemID: d.systemID}
	hc, err := runnerHTTPClient(d.opts.HTTPClient, rc.TLS(), counting)
	if err != nil {
		return nil, fmt.Errorf("runner %q: %w", rc.Name, err)
	}
	client, err := network.New(network.Config{
		URL: rc.URL, Token: rc.Token, SystemID: d.systemID,
		Version: d.opts.Version, Revision: d.opts.Revision, HTTPClient: hc, CAFile: rc.TLS().CAFile, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("runner %q: %w", rc.Name, err)
	}
	return &runnerState{cfg: rc, client: client, log: log, tokenState: ts}, nil
}

// swap puts next in force: the limits of cfg, the new runners asking
// (once Run asks), the replaced and removed ones retired. d.mu is held,
// or d is not shared yet.
func (d *Daemon) swap(next []*runnerState, cfg *config.Config) {
	kept := map[*runnerState]bool{}
	for i, r := range next {
		r.limit.resize(cfg.Runners[i].Limit)
		kept[r] = true
		if r.retire == nil && d.asking != nil {
			d.startLoops(r)
			r.log.Info("Runner in force: asking for jobs")
		}
	}
	for _, r := range d.runners {
		if !kept[r] && r.retire != nil {
			r.retire()
			r.log.Info("Runner changed or removed: it stops asking; its running jobs go on")
		}
	}
	d.runners = next
}

// logSettings are log_level and log_format as logrus takes them.
func logSettings(cfg *config.Config) (logrus.Level, logrus.Formatter, error) {
	level, err := logrus.ParseLevel(cfg.LogLevel)
	if err != nil {
		return 0, nil, fmt.Errorf("log_level: %w", err)
	}
	if cfg.LogFormat == "json" {
		return level, &logrus.JSONFormatter{}, nil
	}
	return level, &logrus.TextFormatter{FullTimestamp: true}, nil
}

// ConfigureLogger sets log's level and format from log_level and
// log_format; a reload does the same.
func ConfigureLogger(log *logrus.Logger, cfg *config.Config) error {
	level, format, err := logSettings(cfg)
	if err != nil {
		return err
	}
	log.SetLevel(level)
	log.SetFormatter(format)
	return nil
}
