package runner

import (
	"context"
	"strings"
	"time"

	"kuberunner/executors"
)

// sweepTimeout bounds the start-up sweep: a slow or absent cluster must not
// keep the runner from taking jobs.
const sweepTimeout = time.Minute

// sweep deletes, once per distinct cluster and namespace, what jobs of an
// earlier run killed mid-job left (see executors.Sweeper), and logs each
// object it removed. A sweep that fails is a warning: the objects stay
// until the next start, and jobs still run.
func (d *Daemon) sweep(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	seen := map[string]bool{}
	d.mu.Lock()
	runners := d.runners
	d.mu.Unlock()
	for _, r := range runners {
		where := r.cfg.Executor
		if k := r.cfg.Kubernetes; k != nil {
			where += "|" + k.Host + "|" + k.Namespace
		}
		if seen[where] {
			continue
		}
		seen[where] = true
		rep, err := executors.Sweep(ctx, r.cfg)
		if len(rep.Deleted) > 0 {
			r.log.WithField("deleted", strings.Join(rep.Deleted, ", ")).Infof("Swept %d expired object(s) left by jobs of an earlier run", len(rep.Deleted))
		}
		if len(rep.Kept) > 0 {
			// Another replica's jobs, or ours from before a crash that
			// have not expired yet: a later start sweeps the latter.
			r.log.WithField("kept", strings.Join(rep.Kept, ", ")).Infof("Kept %d job object(s) that have not expired", len(rep.Kept))
		}
		if err != nil {
			r.log.WithError(err).Warn("Sweeping expired job objects failed; they stay until the next start")
		}
	}
}
