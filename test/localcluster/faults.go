package localcluster

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// Components that fault tests may stop and start: what a real cluster loses
// in an API server rollout or when a node's kubelet dies.
var faultComponents = map[string]bool{"kube-apiserver": true, "kubelet": true}

// StopComponent stops the API server or the kubelet, as a crash or a
// rollout would, and leaves the rest running: the kubelet's pods keep
// running under containerd, like on a real node.
func (c *Cluster) StopComponent(ctx context.Context, name string) error {
	if !faultComponents[name] {
		return fmt.Errorf("%s is not a component fault tests may stop", name)
	}
	unlock, err := c.lockFile("updown.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	// A short grace: the API server drains watches for up to a minute
	// otherwise, and a crash is as real a fault as a rollout.
	return c.stop(name, 5*time.Second)
}

// StartComponent starts a component StopComponent stopped and waits until
// it is healthy; for the kubelet, until the node is Ready by a heartbeat
// newer than the start.
func (c *Cluster) StartComponent(ctx context.Context, name string) error {
	if !faultComponents[name] {
		return fmt.Errorf("%s is not a component fault tests may start", name)
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
	comps, err := c.components(k8sBin, nodeIP)
	if err != nil {
		return err
	}
	began := time.Now().Truncate(time.Second)
	for _, comp := range comps {
		if comp.name != name {
			continue
		}
		if err := c.ensureRunning(ctx, comp); err != nil {
			return err
		}
		if name == "kubelet" {
			return c.waitHealthy(ctx, "kubelet", nil, 120*time.Second, func(ctx context.Context) error { return c.nodeReady(ctx, began) })
		}
		return nil
	}
	return fmt.Errorf("no component %s", name)
}
