package localcluster

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ComponentStatus is one process's state.
type ComponentStatus struct {
	Name    string
	PID     int  // 0 when not running
	Healthy bool // its health endpoint answered
	Err     string
}

// Status is the whole cluster's state, as `make cluster-status` prints it.
type Status struct {
	Components []ComponentStatus
	NodeReady  bool
	NodeErr    string
	Registry   bool
}

// Up reports whether every component is healthy and the node is Ready.
func (s Status) Up() bool {
	for _, c := range s.Components {
		if !c.Healthy {
			return false
		}
	}
	return s.NodeReady
}

func (s Status) String() string {
	var b strings.Builder
	for _, c := range s.Components {
		state := "down"
		switch {
		case c.Healthy && componentHosts[c.Name] != "":
			state = fmt.Sprintf("up (pid %d) at %s", c.PID, componentHosts[c.Name])
		case c.Healthy:
			state = fmt.Sprintf("up (pid %d)", c.PID)
		case c.PID != 0:
			state = fmt.Sprintf("running but unhealthy (pid %d): %s", c.PID, c.Err)
		}
		fmt.Fprintf(&b, "%-24s %s\n", c.Name, state)
	}
	node := "Ready"
	if !s.NodeReady {
		node = "not ready: " + s.NodeErr
	}
	fmt.Fprintf(&b, "%-24s %s\n", "node "+NodeName, node)
	return b.String()
}

// componentHosts are the addresses Status shows for the registries.
var componentHosts = map[string]string{"registry": RegistryHost, basicRegistryName: BasicAuthRegistryHost,
	tokenRegistryName: tokenRegistryBackend, tokenServerName: TokenAuthRegistryHost, s3Name: s3Listen}

// Status checks each component's process and health endpoint and the node.
func (c *Cluster) Status(ctx context.Context) Status {
	var s Status
	comps, err := c.components("", nil)
	if err != nil { // no certificates yet: nothing was ever started
		for _, n := range []string{"registry", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "containerd", "kubelet",
			tokenServerName, basicRegistryName, tokenRegistryName, s3Name} {
			s.Components = append(s.Components, ComponentStatus{Name: n})
		}
		s.NodeErr = "cluster never started"
		return s
	}
	comps = append(comps, c.authComponents()...)
	if info, err := c.S3(); err == nil {
		bin, _ := c.MinioBinary(false)
		comps = append(comps, c.s3Component(bin, info))
	}
	for _, comp := range comps {
		cs := ComponentStatus{Name: comp.name, PID: c.pid(comp.name)}
		if cs.PID != 0 {
			if err := comp.healthy(ctx); err != nil {
				cs.Err = err.Error()
			} else {
				cs.Healthy = true
			}
		}
		s.Components = append(s.Components, cs)
		if comp.name == "registry" {
			s.Registry = cs.Healthy
		}
	}
	if err := c.nodeReady(ctx, time.Time{}); err != nil {
		s.NodeErr = err.Error()
	} else {
		s.NodeReady = true
	}
	return s
}

// Ready returns nil when the cluster is up and its node Ready, or an error
// saying what is not; tests call it before anything else.
func (c *Cluster) Ready(ctx context.Context) error {
	if err := c.nodeReady(ctx, time.Time{}); err != nil {
		return fmt.Errorf("local cluster in %s is not up (%v): run `make cluster-up`", c.Dir, err)
	}
	return nil
}
