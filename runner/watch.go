package runner

import (
	"context"
	"os"
	"time"

	"kuberunner/common/config"
)

// fileStamp is what tells a changed config.toml: its modification time
// (GitLab Runner's check) and size.
type fileStamp struct {
	mod  time.Time
	size int64
}

func (s fileStamp) differs(o fileStamp) bool {
	return !s.mod.Equal(o.mod) || s.size != o.size
}

// stampOf is path's stamp; ok is false when it cannot be read now (a file
// being replaced), which is no change.
func stampOf(path string) (fileStamp, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, false
	}
	return fileStamp{mod: st.ModTime(), size: st.Size()}, true
}

// watchConfig reloads config.toml on each of Options.ReloadSignals and
// whenever its stamp changes, checked every Options.ReloadInterval, until
// ctx ends.
func (d *Daemon) watchConfig(ctx context.Context) {
	path := d.opts.ConfigPath
	last := d.loaded
	tick := time.NewTicker(d.opts.ReloadInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-d.opts.ReloadSignals:
			last, _ = stampOf(path)
			d.reloadFile("received " + sig.String())
		case <-tick.C:
			if now, ok := stampOf(path); ok && now.differs(last) {
				last = now
				d.reloadFile("the file changed")
			}
		}
	}
}

// reloadFile loads config.toml and puts it in force. A file that does
// not load, or that the daemon cannot run, is logged with each of its
// errors, and the configuration in force stays.
func (d *Daemon) reloadFile(why string) {
	log := d.log.WithField("config", d.opts.ConfigPath)
	cfg, warnings, err := config.Load(d.opts.ConfigPath)
	for _, w := range warnings {
		log.Warn(w.String())
	}
	if err == nil {
		err = d.Reload(cfg)
	}
	if err == nil {
		log.Infof("Configuration reloaded (%s): %d runner(s), concurrent = %d", why, len(cfg.Runners), cfg.Concurrent)
		return
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	log.Errorf("Reloading the configuration failed (%s) with %d error(s); the configuration in force stays", why, len(errs))
	for _, e := range errs {
		log.Error(e.Error())
	}
}
