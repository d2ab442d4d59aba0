//go:build integration

package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// deployed is deploy/ applied to the local cluster through a test overlay,
// running the runner image built from this tree against a test coordinator.
type deployed struct {
	t           *testing.T
	cs          kubernetes.Interface
	ns, suffix  string
	sa          string // the runner's service account
	srv         *coordinator.Server
	runnerToken string
	metricsURL  string
}

// The local cluster differs from a real one in two ways the overlay
// patches, and only those: its API server listens on 127.0.0.1:6443 with no
// kube-proxy, so the runner pod shares the host's network and is told the
// address directly (explicit env wins over the service env); and a
// hostNetwork pod is not allowed at the base's "baseline" level, so the
// test namespace enforces nothing. On the host's network the runner
// listens on 127.0.0.1 at a free port, so the probes ask there.
const localPatch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kuberunner
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: runner
          env:
            - name: KUBERNETES_SERVICE_HOST
              value: 127.0.0.1
            - name: KUBERNETES_SERVICE_PORT
              value: "6443"
          readinessProbe:
            httpGet: {host: 127.0.0.1, port: %[1]d, path: /-/ready}
          livenessProbe:
            httpGet: {host: 127.0.0.1, port: %[1]d, path: /-/health}
---
apiVersion: v1
kind: Namespace
metadata:
  name: kuberunner
  labels:
    pod-security.kubernetes.io/enforce: privileged
`

// overlay is the test's kustomization over the real deploy/ and the
// optional node-access component. The name suffix keeps the cluster-wide
// ClusterRole and binding of parallel runs apart.
const overlay = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [%q]
components: [%q]
namespace: %s
nameSuffix: -%s
images:
  - name: 127.0.0.1:5000/kuberunner
    newTag: %s
secretGenerator:
  - name: kuberunner-config
    behavior: replace
    files: [config.toml]
patches:
  - path: local-cluster.yaml
`

const testConfig = `concurrent = 2
check_interval = 1
log_level = "debug"
listen_address = %q

[[runners]]
  name = "deploy-test"
  url = %q
  token = %q
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = %q
    image = %q
    helper_image = %q
    pull_policy = ["always", "if-not-present"]
    poll_timeout = 120
`

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// deploy builds and pushes the runner image, applies the overlay with
// kubectl exactly as docs/deploy.md says, and waits for the runner to serve
// its metrics. Everything it creates goes when the test ends.
func deploy(t *testing.T, jobImage string) *deployed {
	t.Helper()
	cs, _ := clustertest.Client(t)
	c := clustertest.Cluster(t)
	suffix := randomHex(t, 4)
	d := &deployed{
		t: t, cs: cs, suffix: suffix,
		ns:          "kr-deploy-" + suffix,
		sa:          "kuberunner-" + suffix,
		runnerToken: "glrt-deploytest-" + randomHex(t, 10),
	}
	d.srv = coordinator.New(t, d.runnerToken)
	d.srv.SetTraceInterval(1)

	dir := t.TempDir()
	bin := filepath.Join(dir, "kuberunner")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Dir = filepath.Join(Dir(), "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build kuberunner: %s", out)
	clustertest.NeedRegistry(t)
	tag := "deploy-" + suffix
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err = c.PushRunnerImage(ctx, localcluster.RegistryHost+"/kuberunner:"+tag, bin)
	require.NoError(t, err)
	t.Cleanup(func() { clustertest.Uncache(t, localcluster.RegistryHost+"/kuberunner:"+tag) })

	port := freePort(t)
	d.metricsURL = fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	ov := filepath.Join(dir, "overlay")
	require.NoError(t, os.Mkdir(ov, 0o700))
	base, err := filepath.Rel(ov, Dir())
	require.NoError(t, err)
	write(t, filepath.Join(ov, "kustomization.yaml"), fmt.Sprintf(overlay, base, filepath.Join(base, "node-access"), d.ns, suffix, tag))
	write(t, filepath.Join(ov, "local-cluster.yaml"), fmt.Sprintf(localPatch, port))
	write(t, filepath.Join(ov, "config.toml"), fmt.Sprintf(testConfig,
		fmt.Sprintf("127.0.0.1:%d", port), d.srv.URL, d.runnerToken, d.ns, jobImage, localcluster.HelperImage))

	t.Cleanup(d.remove)
	kubectl(t, "apply", "--server-side", "-k", ov)
	d.waitAvailable()
	return d
}

func write(t *testing.T, path, content string) {
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
}

// freePort is a port on the host's loopback nobody listens on now; the
// runner pod, on the host's network, serves its metrics there.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// kubectl runs the cluster's own kubectl (localcluster.Kubectl) against the
// local cluster, bounded.
func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := clustertest.Cluster(t).Kubectl()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(t).KubeconfigPath())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "kubectl %v:\n%s", args, out)
	return string(out)
}

// remove deletes the namespace (and with it everything namespaced) and
// the cluster-wide objects of the node-access component.
func (d *deployed) remove() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "kuberunner-node-reader-" + d.suffix
	for what, del := range map[string]func() error{
		"namespace " + d.ns:          func() error { return d.cs.CoreV1().Namespaces().Delete(ctx, d.ns, metav1.DeleteOptions{}) },
		"clusterrolebinding " + name: func() error { return d.cs.RbacV1().ClusterRoleBindings().Delete(ctx, name, metav1.DeleteOptions{}) },
		"clusterrole " + name:        func() error { return d.cs.RbacV1().ClusterRoles().Delete(ctx, name, metav1.DeleteOptions{}) },
	} {
		if err := del(); err != nil && !isNotFound(err) {
			d.t.Errorf("delete %s: %v", what, err)
		}
	}
}
