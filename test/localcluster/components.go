package localcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// NodeName is the kubelet's node name. It is fixed, not the host name, so
// that tests and certificates do not depend on what the machine is called.
const NodeName = "kuberunner-node"

// component is one long-running process of the cluster, in start order.
type component struct {
	name    string
	bin     string
	args    []string
	env     []string
	timeout time.Duration
	healthy func(context.Context) error
	// ports are its TCP listeners; one already taken means another cluster
	// (from another state dir) or program runs, whose health endpoint would
	// otherwise pass for this component's.
	ports []string
}

// components lists the processes Up starts: the registry first (Up starts
// it under the registry lock, see ensureImages), then in dependency order
// the control plane and containerd, and last the kubelet.
func (c *Cluster) components(k8sBin string, nodeIP net.IP) ([]component, error) {
	api, err := c.apiserverHTTP()
	if err != nil {
		return nil, err
	}
	get := func(client *http.Client, url string) func(context.Context) error {
		return func(ctx context.Context) error { return httpOK(ctx, client, url) }
	}
	kube := func(name string) string { return k8sBin + "/" + name }
	delegated := func(kubeconfig string) []string {
		return []string{"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig,
			"--authorization-kubeconfig=" + kubeconfig, "--bind-address=127.0.0.1", "--leader-elect=false"}
	}
	return []component{
		c.registryComponent(),
		{name: "etcd", bin: "etcd", timeout: 60 * time.Second, healthy: get(plainHTTP, etcdClientURL+"/health"),
			ports: []string{"127.0.0.1:12379", "127.0.0.1:12380"},
			args: []string{"--name=kuberunner", "--data-dir=" + c.path("etcd"),
				"--listen-client-urls=" + etcdClientURL, "--advertise-client-urls=" + etcdClientURL,
				"--listen-peer-urls=" + etcdPeerURL, "--initial-advertise-peer-urls=" + etcdPeerURL,
				"--initial-cluster=kuberunner=" + etcdPeerURL, "--initial-cluster-state=new",
				// Test objects are short-lived; a periodically compacted
				// backend keeps etcd small.
				"--quota-backend-bytes=2147483648", "--auto-compaction-retention=1h"}},
		{name: "kube-apiserver", bin: kube("kube-apiserver"), timeout: 90 * time.Second,
			healthy: get(api, apiserverURL+"/readyz"), ports: []string{"127.0.0.1:6443"},
			args: []string{"--etcd-servers=" + etcdClientURL, "--bind-address=127.0.0.1", "--secure-port=6443",
				"--advertise-address=127.0.0.1", "--cert-dir=" + c.path("pki", "apiserver-generated"),
				"--tls-cert-file=" + c.pki("apiserver.crt"), "--tls-private-key-file=" + c.pki("apiserver.key"),
				"--client-ca-file=" + c.pki("ca.crt"), "--authorization-mode=Node,RBAC",
				"--enable-admission-plugins=NodeRestriction", "--allow-privileged=true",
				"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
				"--service-account-key-file=" + c.pki("sa.pub"), "--service-account-signing-key-file=" + c.pki("sa.key"),
				"--service-cluster-ip-range=" + serviceCIDR,
				"--kubelet-client-certificate=" + c.pki("apiserver-kubelet-client.crt"),
				"--kubelet-client-key=" + c.pki("apiserver-kubelet-client.key"),
				"--kubelet-certificate-authority=" + c.pki("ca.crt"),
				// Without this the apiserver dials the node by name for exec
				// and logs, and the name does not resolve.
				"--kubelet-preferred-address-types=InternalIP,Hostname",
				// The apiserver only listens on loopback, which an Endpoints
				// object may not hold; nothing in-cluster needs the
				// kubernetes Service, so do not try to publish it.
				"--endpoint-reconciler-type=none", "--profiling=false"}},
		{name: "kube-controller-manager", bin: kube("kube-controller-manager"), timeout: 60 * time.Second,
			healthy: get(insecureHTTP, kcmHealthURL), ports: []string{"127.0.0.1:10257"},
			args: append(delegated(c.pki("controller-manager.kubeconfig")), "--secure-port=10257",
				"--service-account-private-key-file="+c.pki("sa.key"), "--root-ca-file="+c.pki("ca.crt"),
				// Each controller acts as its own service account: the bootstrap
				// RBAC roles are written for that, and the manager's own user
				// may not, e.g., remove the node's not-ready taint.
				"--use-service-account-credentials=true", "--profiling=false",
				"--cluster-signing-cert-file="+c.pki("ca.crt"), "--cluster-signing-key-file="+c.pki("ca.key"))},
		{name: "kube-scheduler", bin: kube("kube-scheduler"), timeout: 60 * time.Second,
			healthy: get(insecureHTTP, schedHealthURL), ports: []string{"127.0.0.1:10259"},
			args: append(delegated(c.pki("scheduler.kubeconfig")), "--secure-port=10259", "--profiling=false")},
		{name: "containerd", bin: "containerd", timeout: 60 * time.Second, healthy: c.criReady,
			args: []string{"--config", c.path("containerd", "config.toml")}},
		{name: "kubelet", bin: kube("kubelet"), timeout: 60 * time.Second, healthy: get(plainHTTP, kubeletHealth),
			ports: []string{"127.0.0.1:10248", net.JoinHostPort(nodeIP.String(), "10250")},
			args: []string{"--config=" + c.path("kubelet", "config.yaml"), "--kubeconfig=" + c.pki("kubelet.kubeconfig"),
				"--root-dir=" + c.path("kubelet"), "--cert-dir=" + c.path("kubelet", "pki"),
				"--hostname-override=" + NodeName, "--node-ip=" + nodeIP.String(), "--v=2"}},
	}, nil
}

// registryComponent is Debian's docker-registry serving the local registry.
func (c *Cluster) registryComponent() component {
	return component{name: "registry", bin: "docker-registry", args: []string{"serve", c.path("registry", "config.yml")},
		timeout: 30 * time.Second, healthy: c.registryHealthy, ports: []string{RegistryHost}}
}

func (c *Cluster) registryHealthy(ctx context.Context) error {
	return httpOK(ctx, plainHTTP, registryURL+"/v2/")
}

// ensureRunning starts comp unless a healthy instance already runs, then waits
// for it to be healthy.
func (c *Cluster) ensureRunning(ctx context.Context, comp component) error {
	if c.pid(comp.name) != 0 {
		if err := comp.healthy(ctx); err == nil {
			return nil
		}
		// Running but not (yet) healthy: perhaps still starting from an
		// earlier `up`. Give it the usual time before declaring it broken.
		return c.waitHealthy(ctx, comp.name, nil, comp.timeout, comp.healthy)
	}
	for _, addr := range comp.ports {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return &ComponentError{comp.name, c.LogPath(comp.name), fmt.Errorf(
				"%s is already in use by another process (a cluster from another state dir? `make cluster-down` there)", addr)}
		}
	}
	began := time.Now()
	p, err := c.start(comp.name, comp.bin, comp.args, comp.env)
	if err != nil {
		return &ComponentError{comp.name, c.LogPath(comp.name), err}
	}
	if err := c.waitHealthy(ctx, comp.name, p, comp.timeout, comp.healthy); err != nil {
		return err
	}
	c.logf("  %-24s up in %s (log: %s)", comp.name, time.Since(began).Round(10*time.Millisecond), c.LogPath(comp.name))
	return nil
}

// nodeAddress returns the IPv4 address of the interface that holds the default
// route: the kubelet refuses loopback, and this address never leaves the
// machine for traffic between the apiserver and the kubelet.
func nodeAddress() (net.IP, error) {
	ifName := defaultRouteInterface()
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for _, pass := range []bool{true, false} {
		for _, ifc := range ifaces {
			if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 || ifc.Name == bridgeName {
				continue
			}
			if pass && ifc.Name != ifName {
				continue
			}
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
					return n.IP.To4(), nil
				}
			}
		}
	}
	return nil, errors.New("no non-loopback IPv4 address on this machine for the kubelet's node IP")
}

// defaultRouteInterface reads /proc/net/route for the interface of 0.0.0.0/0.
func defaultRouteInterface() string {
	b, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return ""
	}
	var ifName, dest string
	for _, line := range splitLines(string(b))[1:] {
		if n, _ := fmt.Sscan(line, &ifName, &dest); n == 2 && dest == "00000000" {
			return ifName
		}
	}
	return ""
}
