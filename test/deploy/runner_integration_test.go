//go:build integration

package deploy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
)

const runnerSelector = "app.kubernetes.io/component=runner"

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }

// waitAvailable waits for the Deployment to have its pod available and the
// runner in it to serve metrics, which it does once config.toml loaded and
// the system ID was written.
func (d *deployed) waitAvailable() {
	d.t.Helper()
	ctx := context.Background()
	ok := false
	defer func() {
		if !ok {
			d.t.Logf("runner pods:\n%s\nrunner log:\n%s", d.describePods(), d.runnerLogs())
		}
	}()
	require.Eventually(d.t, func() bool {
		dep, err := d.cs.AppsV1().Deployments(d.ns).Get(ctx, "kuberunner-"+d.suffix, metav1.GetOptions{})
		return err == nil && dep.Status.AvailableReplicas >= 1
	}, 3*time.Minute, 200*time.Millisecond, "the Deployment never became available")
	client := &http.Client{Timeout: 2 * time.Second}
	require.Eventually(d.t, func() bool {
		resp, err := client.Get(d.metricsURL)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 200*time.Millisecond, "the runner never served %s", d.metricsURL)
	ok = true
}

func (d *deployed) runnerPods() []corev1.Pod {
	pods, err := d.cs.CoreV1().Pods(d.ns).List(context.Background(), metav1.ListOptions{LabelSelector: runnerSelector})
	require.NoError(d.t, err)
	return pods.Items
}

func (d *deployed) describePods() string {
	var b strings.Builder
	for _, p := range d.runnerPods() {
		fmt.Fprintf(&b, "%s: phase %s\n", p.Name, p.Status.Phase)
		for _, s := range p.Status.ContainerStatuses {
			fmt.Fprintf(&b, "  %s: ready=%t restarts=%d state=%+v\n", s.Name, s.Ready, s.RestartCount, s.State)
		}
	}
	return b.String()
}

// runnerLogs is everything the runner pods wrote, including a previous
// container's if one restarted.
func (d *deployed) runnerLogs() string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b strings.Builder
	for _, p := range d.runnerPods() {
		for _, previous := range []bool{true, false} {
			out, err := d.cs.CoreV1().Pods(d.ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: "runner", Previous: previous}).DoRaw(ctx)
			if err == nil {
				b.Write(out)
			}
		}
	}
	return b.String()
}

// observed is what the deployed runner's counting transport saw, read from
// its kuberunner_kubernetes_api_requests_total counter.
func (d *deployed) observed() []Request {
	d.t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(d.metricsURL)
	require.NoError(d.t, err)
	defer resp.Body.Close()
	var parser expfmt.TextParser
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(d.t, err)
	fam, ok := fams["kuberunner_kubernetes_api_requests_total"]
	require.True(d.t, ok, "the runner exports no API request counter")
	var out []Request
	for _, m := range fam.GetMetric() {
		var r Request
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "verb":
				r.Verb = l.GetValue()
			case "resource":
				r.Resource = l.GetValue()
			}
		}
		if m.GetCounter().GetValue() > 0 {
			out = append(out, r)
		}
	}
	return out
}

// revoke removes verb on resource from the deployed Role and waits until
// the API server's authorizer denies it to the runner.
func (d *deployed) revoke(verb, resource string) {
	d.t.Helper()
	ctx := context.Background()
	roles := d.cs.RbacV1().Roles(d.ns)
	role, err := roles.Get(ctx, "kuberunner-"+d.suffix, metav1.GetOptions{})
	require.NoError(d.t, err)
	for i, r := range role.Rules {
		if slices.Contains(r.Resources, resource) {
			role.Rules[i].Verbs = slices.DeleteFunc(slices.Clone(r.Verbs), func(v string) bool { return v == verb })
		}
	}
	_, err = roles.Update(ctx, role, metav1.UpdateOptions{})
	require.NoError(d.t, err)
	clustertest.WaitAuthorization(d.t, "system:serviceaccount:"+d.ns+":"+d.sa, d.ns, verb, resource, false)
}

// finished waits until job id is reported and returns its record.
func (d *deployed) finished(id int64) coordinator.JobRecord {
	d.t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(d.t, func() bool { rec, _ = d.srv.Job(id); return rec.Completed >= 1 }, 4*time.Minute, 50*time.Millisecond,
		"job %d was never reported; runner log:\n%s", id, d.runnerLogs())
	d.t.Logf("trace of job %d:\n%s", id, rec.Trace)
	return rec
}

func (d *deployed) waitTrace(id int64, text string) {
	d.t.Helper()
	require.Eventually(d.t, func() bool {
		rec, _ := d.srv.Job(id)
		return strings.Contains(string(rec.Trace), text)
	}, 3*time.Minute, 50*time.Millisecond, "job %d never printed %q", id, text)
}
