package localcluster

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
)

// writeConfigs (re)writes every component's configuration file. They are pure
// functions of the state dir and node address, so rewriting them on each `up`
// is harmless and heals a hand-edited or half-written file.
func (c *Cluster) writeConfigs(node string, nodeIP net.IP) error {
	files := map[string]string{
		"containerd/config.toml":           c.containerdConfig(),
		"cni/net.d/10-kuberunner.conflist": c.cniConfig(),
		"cni/net.d/99-loopback.conf":       `{"cniVersion": "0.4.0", "name": "lo", "type": "loopback"}` + "\n",
		"kubelet/config.yaml":              c.kubeletConfig(nodeIP),
		"registry/config.yml":              c.registryConfig(),
	}
	for rel, content := range c.authRegistryConfigs() {
		files[rel] = content
	}
	for _, host := range slices.Concat([]string{RegistryHost}, AuthRegistryHosts, FrontHosts) {
		files["containerd/certs.d/"+host+"/hosts.toml"] = plainHTTPHost(host)
	}
	for rel, content := range files {
		p := c.path(rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// plainHTTPHost is containerd's hosts.toml for a registry that speaks plain
// HTTP on loopback: the local registry, the authenticated ones and the
// tests' fronts.
func plainHTTPHost(host string) string {
	return fmt.Sprintf("server = %[1]q\n\n[host.%[1]q]\n  capabilities = [\"pull\", \"resolve\", \"push\"]\n  skip_verify = true\n", "http://"+host)
}

// containerdConfig keeps all of containerd's state (root, state, network
// namespaces, CNI config, opt) under the cluster dir so that a second
// containerd on the machine is untouched and `down` can find every mount.
// restrict_oom_score_adj is required here: the machine lacks CAP_SYS_RESOURCE
// and without it runc fails with "can't get final child's PID from pipe: EOF".
func (c *Cluster) containerdConfig() string {
	return fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = %q

[plugins."io.containerd.internal.v1.opt"]
  path = %q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %q
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = %q
`, c.path("containerd", "root"), c.path("containerd", "state"), c.containerdSock(),
		c.path("containerd", "opt"), PauseImage, c.path("cni", "net.d"), c.path("containerd", "certs.d"))
}

// cniConfig is a bridge network with no default route and no masquerading:
// pods reach each other and the host's bridge address, nothing beyond.
func (c *Cluster) cniConfig() string {
	return fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": "kuberunner",
  "plugins": [
    {
      "type": "bridge",
      "bridge": %q,
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": %q}]],
        "dataDir": %q
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, bridgeName, podSubnet, c.path("cni", "ipam"))
}

// kubeletConfig carries the settings this machine kind needs: cgroupfs on
// cgroup v1 (failCgroupV1 false), no swap check, oomScoreAdj 0 (no
// CAP_SYS_RESOURCE), and image GC and disk eviction effectively off so that
// images a test cached are not collected under it.
func (c *Cluster) kubeletConfig(nodeIP net.IP) string {
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %q
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://%s
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
makeIPTablesUtilChains: false
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: "1%%"
  nodefs.inodesFree: "1%%"
  imagefs.available: "1%%"
tlsCertFile: %q
tlsPrivateKeyFile: %q
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: %q
authorization:
  mode: AlwaysAllow
`, nodeIP.String(), c.containerdSock(), c.pki("kubelet-serving.crt"), c.pki("kubelet-serving.key"), c.pki("ca.crt"))
}

// registryConfig is the local registry's: no auth.
func (c *Cluster) registryConfig() string {
	return distributionConfig("registry", c.path("registry", "data"), RegistryHost, "")
}
