//go:build integration

package clustertest

import (
	"context"
	"testing"
	"time"
)

// StopComponent stops the API server or the kubelet for a fault test and
// starts it again (waiting until healthy, the node Ready) when the test
// ends. Such tests disturb every other test on the cluster, so they carry
// the build tag faults and `make test` runs them alone, after the rest.
func StopComponent(t testing.TB, name string) {
	t.Helper()
	c := Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.StopComponent(ctx, name); err != nil {
		t.Fatalf("stop %s: %v", name, err)
	}
	t.Cleanup(func() { StartComponent(t, name) })
}

// StartComponent starts what StopComponent stopped; starting a running
// component does nothing.
func StartComponent(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := Cluster(t).StartComponent(ctx, name); err != nil {
		t.Errorf("start %s: %v", name, err)
	}
}

// RestartAPIServer stops the API server and starts it again at once, as a
// rollout of the control plane does.
func RestartAPIServer(t testing.TB) {
	t.Helper()
	StopComponent(t, "kube-apiserver")
	StartComponent(t, "kube-apiserver")
}
