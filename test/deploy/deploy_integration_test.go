//go:build integration

package deploy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

func script(lines ...string) []common.Step {
	return []common.Step{{Name: common.StepScript, Script: lines, When: common.WhenOnSuccess}}
}

// deploy/ applied as it ships (plus the local cluster's network patch) runs
// jobs as its own service account: the reference scenario, a failing
// script and a job canceled mid-run. The API requests the runner made are
// exactly what deploy/role.yaml grants; without one verb the job fails
// naming it; and neither the runner token nor a job token shows in the
// runner's log, a trace, an event or any object's metadata.
func TestDeployedRunner(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "deploy-seed"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	d := deploy(t, img)
	// Registry down, image on the node: attempt 1 (always) fails, attempt 2
	// (if-not-present) runs from the cache. The runner's own image is on
	// the node already and is pulled IfNotPresent.
	clustertest.StopRegistry(t)

	tokens := []string{d.runnerToken}
	enqueue := func(name string, steps []common.Step) int64 {
		tok := "job-token-" + name + "-" + randomHex(t, 8)
		tokens = append(tokens, tok)
		return d.srv.Enqueue(common.Job{Token: tok, JobInfo: common.JobInfo{Name: name}, Steps: steps})
	}
	var jobs []int64

	t.Run("reference scenario", func(t *testing.T) {
		id := enqueue("seed", script("echo Done"))
		jobs = append(jobs, id)
		rec := d.finished(id)
		assert.Equal(t, "success", rec.State)
		assert.Contains(t, string(rec.Trace), "Falling back for image")
		assert.Contains(t, string(rec.Trace), "Attempt 2: created pod "+d.ns+"/")
		assert.Contains(t, string(rec.Trace), "Done")
	})
	t.Run("failing script", func(t *testing.T) {
		id := enqueue("fail", script("echo before-failure", "exit 3"))
		jobs = append(jobs, id)
		rec := d.finished(id)
		assert.Equal(t, "failed", rec.State)
		assert.Equal(t, 3, rec.ExitCode)
	})
	t.Run("canceled mid-run", func(t *testing.T) {
		id := enqueue("cancel", script("echo started-script", "sleep 300"))
		jobs = append(jobs, id)
		d.waitTrace(id, "started-script")
		d.srv.SetJobStatus(id, "canceled", 0)
		rec := d.finished(id)
		assert.Equal(t, "failed", rec.State)
	})
	t.Run("the Role is what the runner used", func(t *testing.T) {
		role, err := Role()
		require.NoError(t, err)
		nodes, err := NodeRole()
		require.NoError(t, err)
		observed := d.observed()
		t.Logf("observed: %s", Describe(observed))
		denied, unused := Compare(role, nodes, observed)
		assert.Empty(t, denied, "requests deploy/role.yaml does not grant: %s", Describe(denied))
		assert.Empty(t, unused, "grants of deploy/role.yaml no job used and Unobserved does not explain: %s", Describe(unused))
	})
	t.Run("a verb missing from the Role is named in the job's log", func(t *testing.T) {
		d.revoke("create", "pods")
		id := enqueue("denied", script("echo never"))
		jobs = append(jobs, id)
		rec := d.finished(id)
		assert.Equal(t, "failed", rec.State)
		for _, want := range []string{
			`User "system:serviceaccount:` + d.ns + ":" + d.sa + `" cannot create resource "pods"`,
			`in the namespace "` + d.ns + `"`,
			`its Role lacks "create" on "pods"`,
			"docs/deploy.md",
		} {
			assert.Contains(t, string(rec.Trace), want)
		}
		assert.NotContains(t, string(rec.Trace), "never\n")
	})
	t.Run("no token anywhere", func(t *testing.T) {
		ev := d.evidence(jobs)
		require.NotEmpty(t, ev["runner log"])
		for where, text := range ev {
			for _, tok := range tokens {
				if strings.Contains(text, tok) {
					t.Errorf("%s holds the token %q:\n%s", where, tok, text)
				}
			}
		}
		t.Logf("searched %d sources for %d tokens", len(ev), len(tokens))
	})
}
