// Package backoff computes how long to wait before the next try of something
// that failed: exponential growth, a cap, and jitter so that many clients
// that failed together do not retry together. It only computes; callers wait
// on their own clock.
package backoff

import (
	"math"
	"math/rand/v2"
	"time"
)

// Defaults used for a zero field of Policy.
const (
	DefaultInitial    = time.Second
	DefaultMax        = time.Minute
	DefaultMultiplier = 2.0
	DefaultJitter     = 0.5
)

// Policy is exponential backoff with jitter. The zero value uses the
// defaults above.
type Policy struct {
	// Initial is the wait before the first retry, before jitter.
	Initial time.Duration
	// Max caps every wait, before jitter.
	Max time.Duration
	// Multiplier is the growth per retry; values below 1 count as the default.
	Multiplier float64
	// Jitter in [0, 1] is the fraction of the wait that is random: the wait
	// is drawn uniformly from [d*(1-Jitter), d]. Zero means DefaultJitter;
	// a negative value means no jitter.
	Jitter float64
	// Rand returns a number in [0, 1); nil uses math/rand/v2. Tests pin it.
	Rand func() float64
}

// Delay is the wait before retry number retry (0 for the first retry).
func (p Policy) Delay(retry int) time.Duration {
	initial, maxWait, mult, jitter := p.Initial, p.Max, p.Multiplier, p.Jitter
	if initial <= 0 {
		initial = DefaultInitial
	}
	if maxWait <= 0 {
		maxWait = DefaultMax
	}
	if maxWait < initial {
		maxWait = initial
	}
	if mult < 1 {
		mult = DefaultMultiplier
	}
	switch {
	case jitter == 0:
		jitter = DefaultJitter
	case jitter < 0:
		jitter = 0
	case jitter > 1:
		jitter = 1
	}
	if retry < 0 {
		retry = 0
	}
	d := float64(initial) * math.Pow(mult, float64(retry))
	if d > float64(maxWait) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(maxWait)
	}
	r := rand.Float64
	if p.Rand != nil {
		r = p.Rand
	}
	return time.Duration(d * (1 - jitter*r()))
}
