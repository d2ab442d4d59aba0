package breaker

import (
	"context"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// DefaultMaxOpen is pull_policy_breaker_max_open's default: how long jobs
// trust an open breaker after the last sign that the registry is down.
const DefaultMaxOpen = 10 * time.Minute

// Set is one breaker per registry host, shared by every job and every
// [[runners]] entry of a process. The zero value is not usable: use New.
type Set struct {
	mu     sync.Mutex
	clock  clock.PassiveClock
	prober *prober
	hosts  map[string]*openState
	stats  Observer
}

// openState is one open breaker.
type openState struct {
	Open
	// confirmed is the last time the registry was seen down: the job that
	// opened it, a later job, or a failed probe.
	confirmed time.Time
	stopProbe context.CancelFunc
	// auth are the credentials of the last job that offered some for
	// this registry, for the probe; held only while the breaker is open.
	auth Auth
}

// Open describes an open breaker for the build log.
type Open struct {
	Registry string
	Since    time.Time
	SeenBy   int64 // the job whose pull opened it
}

// Observer hears of every change, for metrics. Any field may be nil.
type Observer struct {
	Opened func(registry string)
	Closed func(registry string, open time.Duration)
}

// Options configure a Set; zero fields take their defaults.
type Options struct {
	Clock   clock.PassiveClock
	Probe   ProbeOptions
	Observe Observer
}

// New returns an empty set whose probes live until ctx ends.
func New(ctx context.Context, o Options) *Set {
	s := &Set{clock: o.Clock, hosts: map[string]*openState{}, stats: o.Observe}
	if s.clock == nil {
		s.clock = clock.RealClock{}
	}
	s.prober = newProber(ctx, o.Probe, s)
	return s
}

// Unreachable records that job's pull from registry failed because
// nothing answered. The first such failure opens the breaker and starts
// probing; later ones only confirm it.
func (s *Set) Unreachable(registry string, job int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if st, ok := s.hosts[registry]; ok {
		st.confirmed = now
		return
	}
	st := &openState{Open: Open{Registry: registry, Since: now, SeenBy: job}, confirmed: now}
	st.stopProbe = s.prober.start(registry)
	s.hosts[registry] = st
	if s.stats.Opened != nil {
		s.stats.Opened(registry)
	}
}

// Reachable closes registry's breaker: something got an answer from it.
func (s *Set) Reachable(registry string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.hosts[registry]
	if !ok {
		return
	}
	delete(s.hosts, registry)
	st.stopProbe()
	if s.stats.Closed != nil {
		s.stats.Closed(registry, s.clock.Since(st.Since))
	}
}

// ProbeWith has the probes of registry's open breaker send auth, a job's
// credentials for it; a closed breaker keeps nothing.
func (s *Set) ProbeWith(registry string, auth Auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.hosts[registry]; ok && auth != nil {
		st.auth = auth
	}
}

func (s *Set) authFor(registry string) Auth {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.hosts[registry]; ok {
		return st.auth
	}
	return nil
}

// stillDown is a failed probe: the registry is confirmed down now.
func (s *Set) stillDown(registry string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.hosts[registry]; ok {
		st.confirmed = s.clock.Now()
	}
}

// IsOpen reports whether a job should skip registry's `always` now: the
// breaker is open and the registry was last seen down within maxOpen (the
// job's runner's pull_policy_breaker_max_open; DefaultMaxOpen when zero).
// A stale breaker (a stuck probe) is not trusted: the job pulls, and its
// pull decides.
func (s *Set) IsOpen(registry string, maxOpen time.Duration) (Open, bool) {
	if maxOpen <= 0 {
		maxOpen = DefaultMaxOpen
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.hosts[registry]
	if !ok || s.clock.Since(st.confirmed) > maxOpen {
		return Open{}, false
	}
	return st.Open, true
}

// OpenRegistries lists the open breakers, for metrics.
func (s *Set) OpenRegistries() []Open {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Open, 0, len(s.hosts))
	for _, st := range s.hosts {
		out = append(out, st.Open)
	}
	return out
}
