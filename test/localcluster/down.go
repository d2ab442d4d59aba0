package localcluster

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"
)

// Down stops every process of the cluster — pods and their containerd shims
// included — and unmounts everything under the state dir, keeping the state
// (certificates, etcd data, registry content) for the next Up. It fails if a
// harness process is still running afterwards.
func (c *Cluster) Down(ctx context.Context) error {
	began := time.Now()
	unlock, err := c.lockFile("updown.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	// The kubelet goes first, or it would restart the pods we remove.
	note(c.stop("kubelet", 30*time.Second))
	if c.pid("containerd") != 0 {
		// Through the CRI so that CNI releases the pods' addresses and
		// network namespaces properly; cleanNode catches what this misses.
		pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		podsBegan := time.Now()
		n, err := c.removeAllPods(pctx)
		if err != nil {
			c.logf("warning: %v (killing them instead)", err)
		}
		c.logf("  removed %d pod sandboxes in %s", n, time.Since(podsBegan).Round(10*time.Millisecond))
		cancel()
	}
	note(c.stop("containerd", 10*time.Second))
	c.cleanNode()
	for _, name := range []string{"kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd", "registry",
		basicRegistryName, tokenRegistryName, tokenServerName, s3Name} {
		note(c.stop(name, 10*time.Second))
	}
	// Anything left (a component whose pid file was lost) is killed by name.
	for _, p := range c.strayProcesses() {
		note(killAndWait(p.pid, 5*time.Second))
	}
	for _, p := range c.strayProcesses() {
		errs = append(errs, fmt.Sprintf("still running: pid %d %s", p.pid, strings.Join(p.cmdline, " ")))
	}
	if len(errs) > 0 {
		return fmt.Errorf("cluster down: %s", strings.Join(errs, "; "))
	}
	c.logf("cluster down in %s", time.Since(began).Round(10*time.Millisecond))
	return nil
}
