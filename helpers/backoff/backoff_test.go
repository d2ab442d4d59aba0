package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDelay(t *testing.T) {
	fixed := func(v float64) func() float64 { return func() float64 { return v } }
	for _, tc := range []struct {
		name  string
		p     Policy
		retry int
		want  time.Duration
	}{
		{"defaults, no randomness drawn", Policy{Rand: fixed(0)}, 0, time.Second},
		{"doubles", Policy{Rand: fixed(0)}, 3, 8 * time.Second},
		{"capped", Policy{Rand: fixed(0)}, 30, time.Minute},
		{"huge retry stays capped", Policy{Rand: fixed(0)}, 1 << 20, time.Minute},
		{"default jitter takes up to half", Policy{Rand: fixed(0.5)}, 1, 1500 * time.Millisecond},
		{"full jitter", Policy{Jitter: 1, Rand: fixed(0.25)}, 2, 3 * time.Second},
		{"no jitter", Policy{Jitter: -1, Rand: fixed(0.9)}, 2, 4 * time.Second},
		{"own initial, multiplier, max", Policy{Initial: 100 * time.Millisecond, Multiplier: 3, Max: time.Second, Jitter: -1}, 2, 900 * time.Millisecond},
		{"max below initial", Policy{Initial: 5 * time.Second, Max: time.Second, Jitter: -1}, 4, 5 * time.Second},
		{"negative retry is the first", Policy{Jitter: -1}, -3, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.p.Delay(tc.retry))
		})
	}
}

func TestDelayWithinBounds(t *testing.T) {
	var p Policy
	for retry := range 10 {
		for range 100 {
			d := p.Delay(retry)
			assert.GreaterOrEqual(t, d, DefaultInitial/2)
			assert.LessOrEqual(t, d, DefaultMax)
		}
	}
}
