package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// watchedDaemon is a daemon loaded from a real config.toml, watching it
// (without asking for jobs: no executor is needed) until the test ends.
func watchedDaemon(t *testing.T, interval time.Duration, first string) (d *Daemon, path string, hup chan os.Signal, logs *logbuf.Buffer) {
	srv := coordinator.New(t, "tok")
	path = filepath.Join(t.TempDir(), "config.toml")
	writeConfig(t, path, srv.URL, first)
	cfg, _, err := config.Load(path)
	require.NoError(t, err)
	logs = &logbuf.Buffer{}
	log := logrus.New()
	log.SetOutput(logs)
	hup = make(chan os.Signal, 1)
	d, err = New(cfg, Options{ConfigPath: path, Log: log, HTTPClient: srv.Client(), ReloadSignals: hup, ReloadInterval: interval})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.watchConfig(ctx)
	return d, path, hup, logs
}

// writeConfig writes config.toml: global is its first lines, then a
// runner of url (none when url is "-").
func writeConfig(t *testing.T, path, url, global string) {
	text := global + "\n"
	if url != "-" {
		text += fmt.Sprintf("[[runners]]\n  name = \"w\"\n  url = %q\n  token = \"tok\"\n", url)
	}
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
}

// A change to the file is in force within the poll interval; a file that
// no longer loads, or that cannot be run, is logged with each error and
// changes nothing.
func TestReloadOnFileChange(t *testing.T) {
	d, path, _, logs := watchedDaemon(t, 20*time.Millisecond, "concurrent = 1")
	url := d.config().Runners[0].URL

	writeConfig(t, path, url, "concurrent = 2\ncheck_interval = 5")
	// The log line follows the swap: wait for it, not for the swap.
	waitForLog(t, logs, "Configuration reloaded (the file changed): 1 runner(s), concurrent = 2")
	assert.Equal(t, 2, d.config().Concurrent)
	assert.Equal(t, 5, d.config().CheckInterval)

	tests := []struct {
		name, global, url string
		errors            []string
	}{
		{"a file that does not load", "concurrent = -1\ncheck_interval = 99999", url,
			[]string{"concurrent: -1 is out of range", "check_interval: 99999 is out of range"}},
		{"a runner without url", "concurrent = 3", "", []string{`runner \"w\" needs url and token`}},
		{"no runner", "concurrent = 4", "-", []string{"no [[runners]] entry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := strings.Count(logs.String(), "Reloading the configuration failed")
			writeConfig(t, path, tt.url, tt.global)
			require.Eventually(t, func() bool {
				return strings.Count(logs.String(), "Reloading the configuration failed") > before
			}, 10*time.Second, 10*time.Millisecond)
			require.Eventually(t, func() bool {
				for _, e := range tt.errors {
					if !strings.Contains(logs.String(), e) {
						return false
					}
				}
				return true
			}, 10*time.Second, 10*time.Millisecond, logs.String())
			assert.Equal(t, 2, d.config().Concurrent, "the configuration in force stays")
		})
	}
}

// SIGHUP reloads at once, whatever the poll interval.
func TestReloadOnSIGHUP(t *testing.T) {
	d, path, hup, logs := watchedDaemon(t, time.Hour, "concurrent = 1")
	writeConfig(t, path, d.config().Runners[0].URL, "concurrent = 3")
	assert.Never(t, func() bool { return d.config().Concurrent != 1 }, 100*time.Millisecond, 10*time.Millisecond)
	hup <- syscall.SIGHUP
	waitForLog(t, logs, "Configuration reloaded (received hangup)")
	assert.Equal(t, 3, d.config().Concurrent)
}

// waitForLog waits until logs holds line.
func waitForLog(t *testing.T, logs *logbuf.Buffer, line string) {
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), line) }, 10*time.Second, 10*time.Millisecond, "%s", logs)
}
