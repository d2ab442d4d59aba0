package kubernetes

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"kuberunner/common"
	"kuberunner/executors/kubernetes/internal/breaker"
	"kuberunner/executors/kubernetes/internal/pull"
)

// registries are the breakers of this process: every job and every
// [[runners]] entry of one `kuberunner run` shares them, so that during an
// outage only the first job pays for the failed `always` pull.
var registries = sync.OnceValue(func() *breaker.Set {
	return breaker.New(context.Background(), breaker.Options{Observe: breaker.Observer{
		Opened: func(r string) {
			breakerOpens.WithLabelValues(r).Inc()
			breakerOpen.WithLabelValues(r).Set(1)
		},
		Closed: func(r string, open time.Duration) {
			breakerCloses.WithLabelValues(r).Inc()
			breakerOpen.WithLabelValues(r).Set(0)
			breakerOpenSeconds.Observe(open.Seconds())
		},
	}})
})

// breakers is the set this executor uses: its own in tests, else the
// process's.
func (e *Executor) breakers() *breaker.Set {
	if e.registries != nil {
		return e.registries
	}
	return registries()
}

// startPastOpenRegistries moves each image whose registry's breaker is
// open from a leading `always` to its first policy that needs no
// registry, before the first pod: that pull would fail for certain.
func (e *Executor) startPastOpenRegistries(pulls *pull.Manager) {
	if !e.cfg.BreakerEnabled() {
		return
	}
	for _, image := range sortedImages(e.spec.Policies) {
		host, ok := breaker.Registry(image)
		if !ok {
			continue
		}
		open, isOpen := e.breakers().IsOpen(host, e.cfg.BreakerMaxOpen())
		if !isOpen {
			continue
		}
		if from, to, ok := pulls.StartOffline(image); ok {
			e.opts.Log.Warningln(fmt.Sprintf("Registry %s is unreachable since %s (seen by job %d); attempt 1 uses %s for %s",
				host, open.Since.Local().Format("15:04:05"), open.SeenBy, to, image))
			pullFallbacksTotal.WithLabelValues(policyLabel(from), policyLabel(to), causeBreaker).Inc()
			breakerSkips.WithLabelValues(host).Inc()
		}
	}
}

// sawPulls tells the breakers what one attempt's pull failures say about
// their registries: nothing answered (unreachable) opens or confirms a
// breaker; any other class is an answer, which closes it.
// A failure under `never` never asked the registry, so it says nothing.
// Call it before the manager reacts, while each image's policy is still
// the one that failed.
func (e *Executor) sawPulls(fails pullFailures, pulls *pull.Manager) {
	for _, f := range fails {
		host, ok := breaker.Registry(f.Image)
		switch {
		case !ok || pulls.Policy(f.Image) == common.PullPolicyNever:
		case f.Class == pull.ClassUnreachable:
			e.breakers().Unreachable(host, e.opts.Job.ID)
			e.probeWithCredentials(host, f.Image)
		case f.Class != pull.ClassUnknown && f.Class != "":
			e.breakers().Reachable(host)
		}
	}
}

// probeWithCredentials hands the breaker's probe the job's credentials for
// image's registry, if the job has some.
func (e *Executor) probeWithCredentials(host, image string) {
	if e.auth == nil {
		return
	}
	if c, ok := e.auth.res.For(image); ok {
		e.breakers().ProbeWith(host, c)
	}
}

// sawStart closes the breaker of every registry the started pod pulled
// from with `always`: a job's own pull is a probe that succeeded.
func (e *Executor) sawStart(pulls *pull.Manager) {
	for image := range e.spec.Policies {
		if host, ok := breaker.Registry(image); ok && pulls.Policy(image) == common.PullPolicyAlways {
			e.breakers().Reachable(host)
		}
	}
}

func sortedImages[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
