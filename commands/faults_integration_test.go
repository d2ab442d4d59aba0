//go:build integration && faults

package commands

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// `kuberunner run` killed with SIGKILL mid-job leaves the job's pod and
// secret, labelled and with an expiry; the next start, once they have
// expired, deletes them and logs each.
func TestFaultRunKilled(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "fault-kill"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	srv.SetTraceInterval(1)
	job := daemonJob("echo started", "sleep 300")
	// A short timeout, so that the objects expire within the test: the
	// expiry is the timeout plus the sweep's grace.
	job.Timeout = 5 * time.Second
	id := srv.Enqueue(job)

	cmd, _ := startDaemon(t, srv, ns, img)
	waitTrace(t, srv, id, "started")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	waitExit(t, cmd)

	cs, _ := clustertest.Client(t)
	ctx := context.Background()
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, sel)
	require.NoError(t, err)
	secrets, err := cs.CoreV1().Secrets(ns).List(ctx, sel)
	require.NoError(t, err)
	require.Len(t, pods.Items, 1, "the killed run's pod is left")
	require.Len(t, secrets.Items, 1, "the killed run's secret is left")
	var expires time.Time
	var left []string
	for _, m := range []metav1.ObjectMeta{pods.Items[0].ObjectMeta, secrets.Items[0].ObjectMeta} {
		assert.Equal(t, "it", m.Labels["kuberunner.io/runner"])
		assert.NotEmpty(t, m.Labels["kuberunner.io/job"])
		expires, err = time.Parse(time.RFC3339, m.Annotations["kuberunner.io/expires-at"])
		require.NoError(t, err, "expiry annotation of %s", m.Name)
		left = append(left, m.Name)
	}
	t.Logf("left behind: %v, expiring at %s", left, expires)

	// A start before the expiry keeps them: their job could still be
	// running under another replica.
	early, earlyOut := startDaemon(t, srv, ns, img)
	require.Eventually(t, func() bool { return strings.Contains(earlyOut.String(), "Kept 2 job object(s) that have not expired") },
		time.Minute, 50*time.Millisecond)
	require.NoError(t, early.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, early))
	assert.NotContains(t, earlyOut.String(), "Swept")

	// Nothing to wait on but the clock: the expiry is a time.
	time.Sleep(time.Until(expires) + time.Second)
	next, out := startDaemon(t, srv, ns, img)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Swept 2 expired object(s)") }, time.Minute, 50*time.Millisecond)
	for _, name := range left {
		assert.Contains(t, out.String(), ns+"/"+name)
	}
	require.NoError(t, next.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, next))
	requireNoJobObjects(t, ns)
	rec, _ := srv.Job(id)
	assert.Equal(t, 0, rec.Completed, "the killed run never reported the job; GitLab times it out")
}
