//go:build integration

package localcluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

// The registry and node-cache controls, end to end on the running cluster.
func TestRegistryControls(t *testing.T) {
	c := clustertest.Cluster(t)
	clustertest.NeedRegistry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	base := clustertest.UniqueImage(t, "controls")
	other := base[:len(base)-len(":v1")] + ":v2"
	d1, err := c.PushImage(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := c.PushImage(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if d1 == d2 {
		t.Errorf("two tags share digest %s", d1)
	}

	if err := c.CacheImage(ctx, base); err != nil {
		t.Fatal(err)
	}
	if imgs, _ := c.NodeImages(ctx); !slices.Contains(imgs, base) || !slices.Contains(imgs, localcluster.PauseImage) {
		t.Errorf("node images %v lack %s or the sandbox image", imgs, base)
	}
	if err := c.UncacheImage(ctx, base); err != nil {
		t.Fatal(err)
	}
	if imgs, _ := c.NodeImages(ctx); slices.Contains(imgs, base) {
		t.Errorf("node still holds %s after UncacheImage", base)
	}

	if err := c.DeleteImage(ctx, base); err != nil {
		t.Fatal(err)
	}
	if err := c.CacheImage(ctx, base); err == nil {
		t.Errorf("pulling %s succeeded after DeleteImage", base)
	}
	if err := c.CacheImage(ctx, other); err != nil {
		t.Errorf("deleting %s also broke %s: %v", base, other, err)
	}
	_ = c.UncacheImage(ctx, other)
}
