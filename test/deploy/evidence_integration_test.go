//go:build integration

package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// evidence is everything of the run that people other than the runner's
// owner may read, by where it came from: the runner's log, each job's
// trace, the namespace's events, and the metadata (annotations and labels)
// of every object left in the namespace, the config Secret included
// (kubectl describe shows annotations to anyone who may get the Secret's
// metadata).
func (d *deployed) evidence(jobs []int64) map[string]string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := map[string]string{"runner log": d.runnerLogs()}
	for _, id := range jobs {
		rec, _ := d.srv.Job(id)
		out[fmt.Sprintf("trace of job %d", id)] = string(rec.Trace)
	}
	events, err := d.cs.CoreV1().Events(d.ns).List(ctx, metav1.ListOptions{})
	require.NoError(d.t, err)
	for _, e := range events.Items {
		out["event "+e.Name] = e.Reason + "\n" + e.Message + "\n" + meta(e.ObjectMeta)
	}
	pods, err := d.cs.CoreV1().Pods(d.ns).List(ctx, metav1.ListOptions{})
	require.NoError(d.t, err)
	for _, o := range pods.Items {
		out["pod "+o.Name] = meta(o.ObjectMeta)
	}
	secrets, err := d.cs.CoreV1().Secrets(d.ns).List(ctx, metav1.ListOptions{})
	require.NoError(d.t, err)
	for _, o := range secrets.Items {
		out["secret "+o.Name] = meta(o.ObjectMeta)
	}
	deps, err := d.cs.AppsV1().Deployments(d.ns).List(ctx, metav1.ListOptions{})
	require.NoError(d.t, err)
	for _, o := range deps.Items {
		out["deployment "+o.Name] = meta(o.ObjectMeta)
	}
	rss, err := d.cs.AppsV1().ReplicaSets(d.ns).List(ctx, metav1.ListOptions{})
	require.NoError(d.t, err)
	for _, o := range rss.Items {
		out["replicaset "+o.Name] = meta(o.ObjectMeta)
	}
	return out
}

// meta is an object's annotations and labels as text; an event's other
// free text is its reason and message.
func meta(m metav1.ObjectMeta) string {
	var b strings.Builder
	for k, v := range m.Annotations {
		fmt.Fprintf(&b, "annotation %s=%s\n", k, v)
	}
	for k, v := range m.Labels {
		fmt.Fprintf(&b, "label %s=%s\n", k, v)
	}
	return b.String()
}
