package podspec

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Expiry is never before now, whatever the timeout: an expiry in the past
// lets a restarted runner, or another replica, sweep a live job's pod.
// want is the exact time, or zero to check only that it is after now.
func TestExpiryIsNeverBeforeNow(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 500, time.UTC)
	tests := []struct {
		name    string
		timeout time.Duration
		want    time.Time
		never   bool
	}{
		{name: "no timeout never expires", timeout: 0, never: true},
		{name: "a negative timeout is no timeout", timeout: -time.Hour, never: true},
		{name: "an hour and the grace", timeout: time.Hour, want: time.Date(2026, 11, 27, 13, 0, 30, 0, time.UTC)},
		{name: "a second", timeout: time.Second, want: time.Date(2026, 11, 27, 12, 0, 31, 0, time.UTC)},
		{name: "a month", timeout: 31 * 24 * time.Hour, want: time.Date(2026, 12, 28, 12, 0, 30, 0, time.UTC)},
		// The largest whole second: adding the grace wrapped it to 1734.
		{name: "9223372036 s", timeout: 9223372036 * time.Second},
		{name: "the largest Duration", timeout: math.MaxInt64},
		{name: "the largest Duration less the grace", timeout: math.MaxInt64 - expiryGrace + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Expiry(now, tt.timeout)
			if tt.never {
				assert.True(t, got.IsZero(), "got %v", got)
				return
			}
			assert.True(t, got.After(now), "expiry %v is not after now %v", got, now)
			if !tt.want.IsZero() {
				assert.Equal(t, tt.want, got)
			}
			back, err := time.Parse(time.RFC3339, got.UTC().Format(time.RFC3339))
			assert.NoError(t, err, "the annotation must parse back")
			assert.True(t, back.After(now), "the annotation %v must be after now", back)
		})
	}
}
