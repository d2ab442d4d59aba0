package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// A job name of megabytes, with escape sequences and a newline, is one
// short escaped line in the daemon's log, not megabytes or a forged line.
func TestJobNameIsCappedInTheLog(t *testing.T) {
	for _, tc := range []struct {
		name, jobName, want string
	}{
		{"5 MiB", strings.Repeat("n", 5<<20), "… (5242880 bytes)"},
		// The text formatter quotes a message with a backslash in it, so
		// each backslash of the escape shows doubled.
		{"escapes and a newline", "build\x1b]0;pwned\x07\nlevel=info msg=forged", `build\\x1b]0;pwned\\a\\nlevel=info msg=forged`},
		// JSON writes each ESC as six bytes: 64 KiB of them keep the test
		// quick under the race detector and still need the cap.
		{"64 KiB of escapes", strings.Repeat("\x1b", 64<<10), `\\x1b\\x1b… (65536 bytes)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, "tok")
			cfg, path := testConfig(t, srv.URL, 1, "tok")
			releaseFakeJobs()
			j := job("true")
			j.JobInfo.Name = tc.jobName
			id := srv.Enqueue(j)
			out := &logbuf.Buffer{}
			graceful, done := startDaemonWith(t, srv, cfg, path, textLogger(out))
			require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
			close(graceful)
			require.NoError(t, <-done)

			received := linesWith(out.String(), "Job received")
			require.Len(t, received, 1, "one line")
			assert.Less(t, len(received[0]), 4*logTextLimit)
			assert.Contains(t, received[0], tc.want)
		})
	}
}
