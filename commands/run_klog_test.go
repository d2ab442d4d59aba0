package commands

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/klog/v2"

	"kuberunner/common/config"
)

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// client-go's klog lines reach the daemon's log once each, in its format.
func TestKlogGoesThroughTheDaemonLog(t *testing.T) {
	var out syncBuffer
	_, err := daemonLogger(&config.Config{LogLevel: "info", LogFormat: "json"}, &out)
	require.NoError(t, err)
	klog.ErrorS(nil, "watch dropped by a restarting API server")
	klog.Flush()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "watch dropped") }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // a repeat would come right behind
	assert.Equal(t, 1, strings.Count(out.String(), "watch dropped"), out.String())
	assert.Contains(t, out.String(), `"level":"warning"`)
}
