//go:build integration

package helm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/deploy"
	"kuberunner/test/localcluster"
)

// tokenSecret is the operator's own Secret that runners.secret names, in
// GitLab Runner's chart's layout (key runner-token).
const tokenSecret = "gitlab-runner-secret"

// installed is the chart installed on the local cluster with a runner
// pointed at a test coordinator.
type installed struct {
	t          *testing.T
	cs         kubernetes.Interface
	ns         string
	release    string
	home       string // helm's own directories
	srv        *coordinator.Server
	token      string
	metricsURL string
}

func (r *installed) fullname() string { return r.release + "-kuberunner" }

// The local cluster differs from a real one in two ways the values adapt
// to, and only those: its API server listens on 127.0.0.1:6443 and there
// is no kube-proxy, so the runner shares the node's network (hostNetwork,
// which the test namespace allows) and is told the address; the test
// coordinator listens on 127.0.0.1 too. The metrics port is a free one of
// the node's, for the same reason.
const valuesTemplate = `gitlabUrl: %q
runners:
  secret: %s
  config: |
    [[runners]]
      [runners.kubernetes]
        namespace = "{{ .Release.Namespace }}"
        image = %q
        helper_image = %q
        pull_policy = ["if-not-present"]
        poll_timeout = 120
concurrent: 1
checkInterval: 1
logLevel: debug
image:
  registry: %s
  image: kuberunner
  tag: %s
hostNetwork: true
envVars:
  - name: KUBERNETES_SERVICE_HOST
    value: 127.0.0.1
  - name: KUBERNETES_SERVICE_PORT
    value: "6443"
metrics:
  port: %d
`

// install builds and pushes the runner image from this tree, creates the
// token Secret and runs helm install --wait, as docs/deploy.md tells an
// operator to. The namespace, and with it whatever is left, goes when the
// test ends.
func install(t *testing.T, jobImage string) *installed {
	t.Helper()
	cs, _ := clustertest.Client(t)
	r := &installed{t: t, cs: cs, ns: clustertest.Namespace(t), release: "kr" + randomHex(t, 3), home: t.TempDir(),
		token: "glrt-helmtest-" + randomHex(t, 10)}
	r.srv = coordinator.New(t, r.token)
	r.srv.SetTraceInterval(1)
	tag := pushRunnerImage(t)
	_, err := cs.CoreV1().Secrets(r.ns).Create(t.Context(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: tokenSecret},
		StringData: map[string]string{"runner-token": r.token},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	port := freePort(t)
	r.metricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	values := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(values, []byte(fmt.Sprintf(valuesTemplate,
		r.srv.URL, tokenSecret, jobImage, localcluster.HelperImage, localcluster.RegistryHost, tag, port)), 0o600))
	t.Cleanup(func() {
		// Whatever a failed step left; uninstalling twice is harmless.
		_, _ = Run(r.home, r.kubeconfig(), "uninstall", r.release, "--namespace", r.ns, "--wait", "--timeout", "2m")
	})
	r.helm("install", r.release, ChartDir(), "--namespace", r.ns, "-f", values, "--wait", "--timeout", "4m")
	r.waitMetrics()
	return r
}

func (r *installed) kubeconfig() []string {
	return []string{"KUBECONFIG=" + clustertest.Cluster(r.t).KubeconfigPath()}
}

// helm runs helm against the local cluster and fails the test with its
// output and the runner's log if it fails.
func (r *installed) helm(args ...string) string {
	r.t.Helper()
	out, err := Run(r.home, r.kubeconfig(), args...)
	require.NoError(r.t, err, "%s\nrunner log:\n%s", out, r.runnerLogs())
	r.t.Logf("helm %s:\n%s", args[0], out)
	return out
}

// pushRunnerImage builds kuberunner from this tree and pushes it as
// localcluster.RunnerImage's repository with a tag of its own.
func pushRunnerImage(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kuberunner")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Dir = Root()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build kuberunner: %s", out)
	clustertest.NeedRegistry(t)
	tag := "helm-" + randomHex(t, 4)
	image := strings.TrimSuffix(localcluster.RunnerImage, ":latest") + ":" + tag
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err = clustertest.Cluster(t).PushRunnerImage(ctx, image, bin)
	require.NoError(t, err)
	t.Cleanup(func() { clustertest.Uncache(t, image) })
	return tag
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (r *installed) runnerPods() []corev1.Pod {
	sel := "app.kubernetes.io/component=runner,app.kubernetes.io/instance=" + r.release
	pods, err := r.cs.CoreV1().Pods(r.ns).List(context.Background(), metav1.ListOptions{LabelSelector: sel})
	require.NoError(r.t, err)
	return pods.Items
}

// runnerLogs is everything the runner pods wrote, a previous container's
// included.
func (r *installed) runnerLogs() string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b strings.Builder
	for _, p := range r.runnerPods() {
		for _, previous := range []bool{true, false} {
			out, err := r.cs.CoreV1().Pods(r.ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: "runner", Previous: previous}).DoRaw(ctx)
			if err == nil {
				b.Write(out)
			}
		}
	}
	return b.String()
}

// waitMetrics waits for the runner to serve its metrics, which it does
// once config.toml and the token file loaded.
func (r *installed) waitMetrics() {
	r.t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	require.Eventually(r.t, func() bool {
		resp, err := client.Get(r.metricsURL)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 2*time.Minute, 200*time.Millisecond, "the runner never served %s; log:\n%s", r.metricsURL, r.runnerLogs())
}

// finished waits until job id is reported and returns its record.
func (r *installed) finished(id int64) coordinator.JobRecord {
	r.t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(r.t, func() bool { rec, _ = r.srv.Job(id); return rec.Completed >= 1 }, 4*time.Minute, 50*time.Millisecond,
		"job %d was never reported; runner log:\n%s", id, r.runnerLogs())
	r.t.Logf("trace of job %d:\n%s", id, rec.Trace)
	return rec
}

// observed is what the runner's counting transport saw, from its
// kuberunner_kubernetes_api_requests_total counter.
func (r *installed) observed() []deploy.Request {
	r.t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(r.metricsURL)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	var parser expfmt.TextParser
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(r.t, err)
	fam, ok := fams["kuberunner_kubernetes_api_requests_total"]
	require.True(r.t, ok, "the runner exports no API request counter")
	var out []deploy.Request
	for _, m := range fam.GetMetric() {
		var req deploy.Request
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "verb":
				req.Verb = l.GetValue()
			case "resource":
				req.Resource = l.GetValue()
			}
		}
		if m.GetCounter().GetValue() > 0 {
			out = append(out, req)
		}
	}
	return out
}
