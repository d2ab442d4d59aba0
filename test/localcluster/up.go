package localcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Up starts every component that is not already running and healthy, and
// returns once the node is Ready and schedulable and namespace default has
// its ServiceAccount — the point where a test can create a pod. It is
// idempotent, and after a crash it first clears stale pid files, mounts and
// sockets. The processes keep running after Up returns.
func (c *Cluster) Up(ctx context.Context) error {
	began := time.Now()
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	unlock, err := c.lockFile("updown.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	k8sBin, nodeIP, err := c.hostFacts()
	if err != nil {
		return err
	}
	c.cleanStale()
	if err := c.ensurePKI(NodeName, nodeIP); err != nil {
		return err
	}
	if err := c.writeKubeconfigs(); err != nil {
		return err
	}
	if err := c.ensureAuthMaterial(); err != nil {
		return err
	}
	if err := c.writeConfigs(NodeName, nodeIP); err != nil {
		return err
	}
	comps, err := c.components(k8sBin, nodeIP)
	if err != nil {
		return err
	}
	c.logf("starting the local cluster in %s (node IP %s)", c.Dir, nodeIP)
	// comps[0] is the registry, which ensureImages starts; the kubelet comes
	// last, once the sandbox image is cached.
	kubelet := comps[len(comps)-1]
	for _, comp := range comps[1 : len(comps)-1] {
		if err := c.ensureRunning(ctx, comp); err != nil {
			return err
		}
	}
	if err := c.ensureImages(ctx); err != nil {
		return err
	}
	if err := c.ensureAuthRegistries(ctx); err != nil {
		return err
	}
	if err := c.ensureS3(ctx); err != nil {
		return err
	}
	// The node object outlives a `down` with its last status, Ready; only a
	// heartbeat from the kubelet we just started proves it is ready now.
	// Heartbeats have second precision.
	kubeletBegan := time.Now().Truncate(time.Second)
	if c.pid("kubelet") != 0 {
		kubeletBegan = time.Time{}
	}
	if err := c.ensureRunning(ctx, kubelet); err != nil {
		return err
	}
	nodeBegan := time.Now()
	nodeReady := func(ctx context.Context) error { return c.nodeReady(ctx, kubeletBegan) }
	if err := c.waitHealthy(ctx, "kubelet", nil, 120*time.Second, nodeReady); err != nil {
		return err
	}
	c.logf("  %-24s ready in %s", "node "+NodeName, time.Since(nodeBegan).Round(10*time.Millisecond))
	if err := c.ensureBridge(ctx); err != nil {
		return err
	}
	c.logf("cluster up in %s; kubeconfig: %s", time.Since(began).Round(10*time.Millisecond), c.KubeconfigPath())
	return nil
}

// ensureImages starts the registry, pushes the base images and caches the
// sandbox image in containerd (which must be running). It holds the registry lock
// shared, like a test needing the registry, so that an `up` run while an
// integration test has the registry stopped waits for that test instead of
// starting the registry under it.
func (c *Cluster) ensureImages(ctx context.Context) error {
	lock, err := c.OpenRegistryLock()
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := lock.Shared(); err != nil {
		return err
	}
	if err := c.StartRegistry(ctx); err != nil {
		return err
	}
	began := time.Now()
	if err := c.ensureBaseImages(ctx); err != nil {
		return &ComponentError{"registry", c.LogPath("registry"), err}
	}
	c.logf("  %-24s ready in %s (%s, %s)", "images", time.Since(began).Round(10*time.Millisecond), PauseImage, BusyboxImage)
	return nil
}

// cleanStale forgets components that died without `down` and, when
// containerd is not running, removes what it left (see cleanNode).
func (c *Cluster) cleanStale() {
	for _, name := range []string{"registry", tokenServerName, basicRegistryName, tokenRegistryName, s3Name,
		"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "containerd", "kubelet"} {
		if c.pid(name) == 0 {
			_ = os.Remove(c.pidFile(name))
		}
	}
	if c.pid("containerd") == 0 {
		c.cleanNode()
	}
}

// nodeReady is the last check of Up: node Ready, by a heartbeat not older
// than since, without the not-ready taint (the node controller removes it a
// moment after Ready, and until then the scheduler places nothing), and the
// default ServiceAccount exists.
func (c *Cluster) nodeReady(ctx context.Context, since time.Time) error {
	cs, err := c.clientset()
	if err != nil {
		return err
	}
	node, err := cs.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	ready := false
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			if cond.Status != corev1.ConditionTrue {
				return fmt.Errorf("node %s not Ready: %s", NodeName, cond.Message)
			}
			if cond.LastHeartbeatTime.Time.Before(since) {
				return fmt.Errorf("node %s Ready only as of %s, before this kubelet started", NodeName, cond.LastHeartbeatTime)
			}
			ready = true
		}
	}
	if !ready {
		return fmt.Errorf("node %s has no Ready condition yet", NodeName)
	}
	for _, t := range node.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			return fmt.Errorf("node %s still tainted %s", NodeName, t.Key)
		}
	}
	if _, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
		return fmt.Errorf("default service account: %w", err)
	}
	return nil
}

func (c *Cluster) clientset() (kubernetes.Interface, error) {
	cfg, err := c.RESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.Timeout = 5 * time.Second
	return kubernetes.NewForConfig(cfg)
}

// hostFacts are what the components' command lines need from this
// machine: where the Kubernetes binaries are (built if missing) and the
// node's address.
func (c *Cluster) hostFacts() (k8sBin string, nodeIP net.IP, err error) {
	if k8sBin, err = c.kubernetesBinaries(); err != nil {
		return "", nil, err
	}
	nodeIP, err = nodeAddress()
	return k8sBin, nodeIP, err
}

// Kubectl returns the kubectl built with the cluster's binaries, of the
// same version: tests apply manifests with it as an operator would, and a
// fresh machine has no kubectl of its own.
func (c *Cluster) Kubectl() (string, error) {
	dir, err := c.kubernetesBinaries()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "kubectl"), nil
}

// kubernetesBinaries returns the folder holding kube-apiserver, kubelet,
// kube-scheduler, kube-controller-manager and kubectl: $KUBERUNNER_K8S_BIN if set,
// else what build-kubernetes.sh prints (it builds them once per version into
// the user's cache, ~14 minutes cold, and is a no-op afterwards).
func (c *Cluster) kubernetesBinaries() (string, error) {
	if dir := os.Getenv("KUBERUNNER_K8S_BIN"); dir != "" {
		return dir, nil
	}
	if c.RepoRoot == "" {
		return "", errors.New("kuberunner checkout not found (needed for build-kubernetes.sh): run from inside it or set KUBERUNNER_K8S_BIN")
	}
	var out bytes.Buffer
	cmd := exec.Command("bash", filepath.Join(c.RepoRoot, "hack", "localcluster", "build-kubernetes.sh"))
	cmd.Stdout = &out
	cmd.Stderr = c.Out
	if c.Out == nil {
		cmd.Stderr = io.Discard
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build-kubernetes.sh: %w", err)
	}
	return strings.TrimSpace(out.String()), nil
}
