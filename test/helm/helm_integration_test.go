//go:build integration

package helm

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	v1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/deploy"
	"kuberunner/test/localcluster"
)

// The chart as an operator uses it, on the local cluster: helm install
// with the token in an existing Secret (runners.secret), a job taken from
// the test coordinator and run; the installed Role is deploy/role.yaml's
// and covers every request the runner made; helm upgrade from concurrent
// 1 to 3 rolls the runner, which then runs three jobs at once under the
// same system ID; helm uninstall leaves nothing of the release.
func TestHelmChartOnCluster(t *testing.T) {
	clustertest.CacheShared(t, localcluster.HelperImage)
	jobImage := clustertest.Push(t, clustertest.UniqueImage(t, "helm-job"))
	r := install(t, jobImage)

	t.Run("a job runs", func(t *testing.T) {
		id := r.enqueue("hello", "echo helm-installed-runner")
		rec := r.finished(id)
		assert.Equal(t, "success", rec.State)
		assert.Contains(t, string(rec.Trace), "helm-installed-runner")
	})
	t.Run("the installed Role is deploy/'s and grants what the runner used", func(t *testing.T) {
		want, err := deploy.Role()
		require.NoError(t, err)
		role, err := r.cs.RbacV1().Roles(r.ns).Get(t.Context(), r.fullname(), v1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, want.Rules, role.Rules)
		denied, _ := deploy.Compare(role, nil, r.observed())
		assert.Empty(t, denied, "requests the chart's Role does not grant: %s", deploy.Describe(denied))
	})
	t.Run("upgrade to concurrent 3", func(t *testing.T) {
		before := r.runnerPodNames()
		r.helm("upgrade", r.release, ChartDir(), "--namespace", r.ns, "--reuse-values", "--set", "concurrent=3", "--wait", "--timeout", "4m")
		r.waitRunnerReplaced(before)
		var ids []int64
		for i := range 3 {
			ids = append(ids, r.enqueue(fmt.Sprintf("parallel-%d", i), "echo start", "sleep 10", "echo done"))
		}
		for _, id := range ids {
			assert.Equal(t, "success", r.finished(id).State)
		}
		assert.GreaterOrEqual(t, r.srv.MaxRunningFor(r.token), 3, "three jobs at once after the upgrade")
		assert.Contains(t, r.runnerLogs(), "concurrent = 3")
	})
	t.Run("the system ID survived the new pod", func(t *testing.T) {
		ids := r.systemIDs()
		assert.Len(t, ids, 1, "system IDs GitLab saw: %v", ids)
	})
	t.Run("uninstall leaves nothing", func(t *testing.T) {
		r.helm("uninstall", r.release, "--namespace", r.ns, "--wait", "--timeout", "3m")
		require.Eventually(t, func() bool { return len(r.leftovers()) == 0 }, 2*time.Minute, time.Second,
			"objects left after helm uninstall: %v", r.leftovers())
		role, err := r.cs.RbacV1().Roles(r.ns).List(t.Context(), v1.ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, role.Items)
	})
}

// systemIDs are the distinct system IDs of the runner's job requests.
func (r *installed) systemIDs() map[string]bool {
	ids := map[string]bool{}
	for _, req := range r.srv.RequestsTo("/api/v4/jobs/request") {
		var body struct {
			SystemID string `json:"system_id"`
		}
		if json.Unmarshal(req.Body, &body) == nil {
			ids[body.SystemID] = true
		}
	}
	return ids
}

// leftovers lists what is still in the namespace besides what Kubernetes
// puts in every namespace and the Secret the test made for runners.secret.
func (r *installed) leftovers() []string {
	ctx := r.t.Context()
	var out []string
	add := func(kind string, names ...string) {
		for _, n := range names {
			out = append(out, kind+"/"+n)
		}
	}
	if l, err := r.cs.AppsV1().Deployments(r.ns).List(ctx, v1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			add("deployment", o.Name)
		}
	}
	if l, err := r.cs.CoreV1().Pods(r.ns).List(ctx, v1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			add("pod", o.Name)
		}
	}
	if l, err := r.cs.CoreV1().Secrets(r.ns).List(ctx, v1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			if o.Name != tokenSecret {
				add("secret", o.Name)
			}
		}
	}
	if l, err := r.cs.CoreV1().Services(r.ns).List(ctx, v1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			add("service", o.Name)
		}
	}
	if l, err := r.cs.CoreV1().ServiceAccounts(r.ns).List(ctx, v1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			if o.Name != "default" {
				add("serviceaccount", o.Name)
			}
		}
	}
	if l, err := r.cs.RbacV1().RoleBindings(r.ns).List(ctx, v1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			add("rolebinding", o.Name)
		}
	}
	return out
}

// runnerPodNames are the runner's pods now.
func (r *installed) runnerPodNames() []string {
	var names []string
	for _, p := range r.runnerPods() {
		names = append(names, p.Name)
	}
	return names
}

// waitRunnerReplaced waits until the only runner pod is a new one, ready.
func (r *installed) waitRunnerReplaced(before []string) {
	r.t.Helper()
	require.Eventually(r.t, func() bool {
		pods := r.runnerPods()
		return len(pods) == 1 && !strings.Contains(strings.Join(before, " "), pods[0].Name) && ready(pods[0])
	}, 3*time.Minute, time.Second, "the runner pod was not replaced by the upgrade; runner log:\n%s", r.runnerLogs())
	r.waitMetrics()
}

func ready(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func script(lines ...string) []common.Step {
	return []common.Step{{Name: common.StepScript, Script: lines, When: common.WhenOnSuccess}}
}

func (r *installed) enqueue(name string, lines ...string) int64 {
	return r.srv.Enqueue(common.Job{Token: "job-token-" + name, JobInfo: common.JobInfo{Name: name}, Steps: script(lines...)})
}
