package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestShutdownWait(t *testing.T) {
	tests := []struct {
		name         string
		seconds      int
		drain, abort time.Duration
	}{
		{"unset: SIGQUIT waits as long as the jobs take, an abort 30 s", 0, 0, 30 * time.Second},
		{"set: both bounded by it", 5, 5 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			drain, abort := (&Config{ShutdownTimeout: tt.seconds}).ShutdownWait()
			assert.Equal(t, tt.drain, drain)
			assert.Equal(t, tt.abort, abort)
		})
	}
}
