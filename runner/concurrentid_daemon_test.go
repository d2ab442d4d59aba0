package runner

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

// Three jobs at once, two of project 1 and one of project 2: each gets its
// own CI_CONCURRENT_ID, and the project's count starts at 0 for each
// project; the version reaches the executor too.
func TestJobsRunningAtOnceGetTheirSlots(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 3, "tok")
	cfg.Runners[0].RequestConcurrency = 3
	release := make(chan struct{})
	fakeRelease.Lock()
	fakeRelease.ch = release
	fakeRelease.Unlock()
	var ids []int64
	for _, project := range []int64{1, 1, 2} {
		j := job("true")
		j.JobInfo.ProjectID = project
		ids = append(ids, srv.Enqueue(j))
	}
	d, err := New(cfg, Options{ConfigPath: path, Log: logrus.New(), HTTPClient: srv.Client(), Version: "v9.9.9"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	graceful, done := make(chan struct{}), make(chan error)
	go func() { done <- d.Run(ctx, graceful) }()

	require.Eventually(t, func() bool { return srv.Running() == 3 }, 30*time.Second, 10*time.Millisecond)
	slotLine := regexp.MustCompile(`slot (\d+)/(\d+) of v9\.9\.9`)
	slots := func(id int64) []string {
		rec, _ := srv.Job(id)
		return slotLine.FindStringSubmatch(string(rec.Trace))
	}
	require.Eventually(t, func() bool {
		for _, id := range ids {
			if slots(id) == nil {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond)
	close(release)
	close(graceful)
	require.NoError(t, <-done)

	var runnerIDs, project1 []string
	for i, id := range ids {
		m := slots(id)
		runnerIDs = append(runnerIDs, m[1])
		if i < 2 {
			project1 = append(project1, m[2])
		} else {
			assert.Equal(t, "0", m[2], "project 2 counts on its own")
		}
	}
	sort.Strings(runnerIDs)
	sort.Strings(project1)
	assert.Equal(t, []string{"0", "1", "2"}, runnerIDs, fmt.Sprint(ids))
	assert.Equal(t, []string{"0", "1"}, project1)
}
