//go:build integration

package clustertest

import (
	"context"
	"testing"
	"time"
)

// A subtest of a test holding the registry lock shares it instead of waiting
// for its own parent, and a test that stopped the registry gets it back
// running when it ends.
func TestRegistryLockNesting(t *testing.T) {
	NeedRegistry(t)
	t.Run("need", func(t *testing.T) {
		done := make(chan struct{})
		go func() { NeedRegistry(t); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("NeedRegistry in a subtest waited for its parent's lock")
		}
	})
}

func TestStopRegistryRestartsAtCleanup(t *testing.T) {
	t.Run("stop", func(t *testing.T) {
		StopRegistry(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if Cluster(t).RegistryUp(ctx) {
			t.Fatal("registry still up after StopRegistry")
		}
		t.Run("nested stop", func(t *testing.T) { StopRegistry(t) }) // parent holds it exclusively: no wait
	})
	NeedRegistry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !Cluster(t).RegistryUp(ctx) {
		t.Fatal("registry not running after the stopping test ended")
	}
}
