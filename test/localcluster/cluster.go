package localcluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Fixed addresses of the cluster's listeners. They are constants rather than
// options because tests in several packages (separate processes) must agree on
// them without talking to each other.
const (
	// RegistryHost is the local registry's host:port, as used in image names.
	RegistryHost = "127.0.0.1:5000"
	// BusyboxImage is pushed by Up: busybox-static plus applet symlinks.
	BusyboxImage = RegistryHost + "/busybox:latest"
	// PauseImage is containerd's sandbox image, pushed and cached by Up.
	PauseImage = RegistryHost + "/pause:3.10"

	etcdClientURL  = "http://127.0.0.1:12379"
	etcdPeerURL    = "http://127.0.0.1:12380"
	apiserverURL   = "https://127.0.0.1:6443"
	kcmHealthURL   = "https://127.0.0.1:10257/healthz"
	schedHealthURL = "https://127.0.0.1:10259/healthz"
	kubeletHealth  = "http://127.0.0.1:10248/healthz"
	registryURL    = "http://" + RegistryHost
	serviceCIDR    = "10.0.0.0/24"
	serviceIP      = "10.0.0.1"
	podSubnet      = "10.88.0.0/16"
	bridgeName     = BridgeName
)

// FrontHosts are loopback ports where tests may run their own registry
// fronts (a registry that answers 429, 401, stalls or dies mid-pull).
// containerd is configured to reach each over plain HTTP, as it reaches
// RegistryHost; nothing listens there unless a test does. 5008 and 5009,
// in the same plain-HTTP range, are the authenticated registries'.
var FrontHosts = []string{"127.0.0.1:5001", "127.0.0.1:5002", "127.0.0.1:5003", "127.0.0.1:5004",
	"127.0.0.1:5005", "127.0.0.1:5006", "127.0.0.1:5007"}

// BridgeName is the pod network's bridge on this machine; its address is
// the one address of the host that pods can reach (tests serve there).
const BridgeName = "kr0"

// Cluster is a handle on the local cluster whose state lives in Dir. It holds
// no connections; every method reads what it needs from Dir.
type Cluster struct {
	// Dir holds certificates, configs, data, pid files and logs.
	Dir string
	// RepoRoot is the kuberunner checkout; Up needs it to find
	// build-kubernetes.sh and to build the pause binary.
	RepoRoot string
	// Out receives progress lines; nil discards them.
	Out io.Writer
}

// FromEnv returns the cluster named by $KUBERUNNER_CLUSTER_DIR, or by
// <repo>/.cluster when it is unset, where <repo> is the kuberunner checkout
// containing the working directory (go test runs in the package's folder).
func FromEnv() (*Cluster, error) {
	root, rootErr := findRepoRoot()
	dir := os.Getenv("KUBERUNNER_CLUSTER_DIR")
	if dir == "" {
		if rootErr != nil {
			return nil, fmt.Errorf("KUBERUNNER_CLUSTER_DIR is unset and %w", rootErr)
		}
		dir = filepath.Join(root, ".cluster")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Cluster{Dir: abs, RepoRoot: root}, nil
}

// findRepoRoot walks up from the working directory to kuberunner's go.mod.
func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module kuberunner\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no kuberunner go.mod above the working directory")
		}
		dir = parent
	}
}

// KubeconfigPath is the admin kubeconfig that Up writes.
func (c *Cluster) KubeconfigPath() string { return c.path("kubeconfig") }

// LogPath is where component name (etcd, kubelet, registry, ...) logs.
func (c *Cluster) LogPath(name string) string { return c.path("logs", name+".log") }

func (c *Cluster) path(elem ...string) string {
	return filepath.Join(append([]string{c.Dir}, elem...)...)
}

func (c *Cluster) pki(name string) string { return c.path("pki", name) }

func (c *Cluster) containerdSock() string { return c.path("containerd", "containerd.sock") }

func (c *Cluster) logf(format string, args ...any) {
	if c.Out != nil {
		fmt.Fprintf(c.Out, format+"\n", args...)
	}
}
