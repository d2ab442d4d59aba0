package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/klog/v2"

	"kuberunner/common/config"
	"kuberunner/test/logbuf"
)

// client-go's klog lines reach the daemon's log once each, in its format.
func TestKlogGoesThroughTheDaemonLog(t *testing.T) {
	var out logbuf.Buffer
	_, err := daemonLogger(&config.Config{LogLevel: "info", LogFormat: "json"}, &out)
	require.NoError(t, err)
	klog.ErrorS(nil, "watch dropped by a restarting API server")
	klog.Flush()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "watch dropped") }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // a repeat would come right behind
	assert.Equal(t, 1, strings.Count(out.String(), "watch dropped"), out.String())
	assert.Contains(t, out.String(), `"level":"warning"`)
}
