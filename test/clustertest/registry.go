//go:build integration

package clustertest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kuberunner/test/localcluster"
)

// held records the registry lock each running test holds, so that a test's
// second call does not take a second lock (which would deadlock against its
// own first one: flock locks on separate opens conflict), and so that a
// subtest can see a lock its enclosing test holds.
var held = struct {
	sync.Mutex
	m map[testing.TB]*testLock
}{m: map[testing.TB]*testLock{}}

type testLock struct {
	name              string
	l                 *localcluster.RegistryLock
	shared, exclusive bool
}

func registryCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// lockFor returns t's lock, opening it (unlocked) on first use; it is
// released when the test ends.
func lockFor(t testing.TB) *testLock {
	t.Helper()
	held.Lock()
	defer held.Unlock()
	if tl, ok := held.m[t]; ok {
		return tl
	}
	l, err := Cluster(t).OpenRegistryLock()
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLock{name: t.Name(), l: l}
	held.m[t] = tl
	t.Cleanup(func() {
		held.Lock()
		delete(held.m, t)
		held.Unlock()
		l.Close()
	})
	return tl
}

// enclosing returns the mode in which a test enclosing t (a t.Run parent)
// holds the registry lock: "exclusive", "shared" or "". The subtest must not
// take a lock of its own then — it would wait for its own parent.
func enclosing(t testing.TB) string {
	held.Lock()
	defer held.Unlock()
	mode := ""
	for _, tl := range held.m {
		if !strings.HasPrefix(t.Name(), tl.name+"/") {
			continue
		}
		if tl.exclusive {
			return "exclusive"
		}
		if tl.shared {
			mode = "shared"
		}
	}
	return mode
}

// NeedRegistry holds the registry lock shared until the test ends, so no
// other test stops the registry meanwhile, and makes sure it is running (a
// test process that crashed may have left it stopped). Within a test that
// already holds the lock (or whose enclosing test does) it does nothing.
func NeedRegistry(t testing.TB) {
	t.Helper()
	c := Cluster(t)
	if enclosing(t) != "" {
		return
	}
	tl := lockFor(t)
	held.Lock()
	holding := tl.exclusive || tl.shared
	held.Unlock()
	if holding {
		return
	}
	began := time.Now()
	if err := tl.l.Shared(); err != nil {
		t.Fatalf("registry lock: %v", err)
	}
	logWait(t, began)
	held.Lock()
	tl.shared = true
	held.Unlock()
	ctx, cancel := registryCtx()
	defer cancel()
	if !c.RegistryUp(ctx) {
		if err := c.StartRegistry(ctx); err != nil {
			t.Fatalf("start registry: %v", err)
		}
	}
}

// StopRegistry stops the registry for the rest of the test. It first waits
// for the registry lock exclusively — until every other test that needs the
// registry, in any process, has finished — and keeps it until the test ends,
// when it starts the registry again. In a subtest whose parent holds the
// lock shared (it pushed, say) that wait would never end, so it fails at
// once; push in the subtest instead.
func StopRegistry(t testing.TB) {
	t.Helper()
	c := Cluster(t)
	switch enclosing(t) {
	case "shared":
		t.Fatalf("StopRegistry in %s would deadlock: an enclosing test holds the registry lock shared "+
			"(it called Push, Delete, Cache or NeedRegistry); call those in the subtest instead", t.Name())
	case "":
		tl := lockFor(t)
		held.Lock()
		exclusive := tl.exclusive
		held.Unlock()
		if !exclusive {
			began := time.Now()
			if err := tl.l.Exclusive(); err != nil {
				t.Fatalf("registry lock: %v", err)
			}
			logWait(t, began)
			held.Lock()
			tl.exclusive, tl.shared = true, false
			held.Unlock()
			// Registered after lockFor's release, so it runs before it.
			t.Cleanup(func() {
				ctx, cancel := registryCtx()
				defer cancel()
				if err := c.StartRegistry(ctx); err != nil {
					t.Errorf("restart registry after the test: %v", err)
				}
			})
		}
	} // "exclusive": the enclosing test controls the registry and restarts it.
	ctx, cancel := registryCtx()
	defer cancel()
	if err := c.StopRegistry(ctx); err != nil {
		t.Fatalf("stop registry: %v", err)
	}
}

// logWait notes a long wait for the lock, which explains a slow test: another
// test (perhaps in another package) stopped the registry or was using it.
func logWait(t testing.TB, began time.Time) {
	if d := time.Since(began); d > time.Second {
		t.Logf("waited %s for the registry lock (%s)", d.Round(time.Millisecond), "run/registry.lock")
	}
}

// StartRegistry starts the registry again within a test that stopped it.
func StartRegistry(t testing.TB) {
	t.Helper()
	ctx, cancel := registryCtx()
	defer cancel()
	if err := Cluster(t).StartRegistry(ctx); err != nil {
		t.Fatalf("start registry: %v", err)
	}
}

// Push builds a busybox image named image (see localcluster.ImageRef for short
// names), pushes it and returns its full reference.
func Push(t testing.TB, image string) string {
	t.Helper()
	NeedRegistry(t)
	ctx, cancel := registryCtx()
	defer cancel()
	if _, err := Cluster(t).PushImage(ctx, image); err != nil {
		t.Fatalf("push %s: %v", image, err)
	}
	return localcluster.ImageRef(image)
}

// Delete removes image's tag and manifest from the registry.
func Delete(t testing.TB, image string) {
	t.Helper()
	NeedRegistry(t)
	ctx, cancel := registryCtx()
	defer cancel()
	if err := Cluster(t).DeleteImage(ctx, image); err != nil {
		t.Fatalf("delete %s: %v", image, err)
	}
}

// Cache pulls image into the node's containerd, and removes it from the node
// when the test ends.
func Cache(t testing.TB, image string) {
	t.Helper()
	CacheShared(t, image)
	t.Cleanup(func() {
		ctx, cancel := registryCtx()
		defer cancel()
		// An image still used by a terminating pod cannot go yet; that only
		// leaves a few MB behind, so it is not a test failure.
		if err := Cluster(t).UncacheImage(ctx, image); err != nil {
			t.Logf("uncache %s after the test: %v", image, err)
		}
	})
}

// CacheShared pulls an image that many tests use at once, such as the
// helper image, into the node's containerd and leaves it there: tests in
// other packages run in parallel processes, and one test's cleanup must not
// take the image from under another test that relies on the node holding it.
func CacheShared(t testing.TB, image string) {
	t.Helper()
	NeedRegistry(t)
	ctx, cancel := registryCtx()
	defer cancel()
	if err := Cluster(t).CacheImage(ctx, image); err != nil {
		t.Fatalf("cache %s: %v", image, err)
	}
}

// Uncache removes image from the node's containerd.
func Uncache(t testing.TB, image string) {
	t.Helper()
	ctx, cancel := registryCtx()
	defer cancel()
	if err := Cluster(t).UncacheImage(ctx, image); err != nil {
		t.Fatalf("uncache %s: %v", image, err)
	}
}

// NodeImages lists the images the node's containerd holds.
func NodeImages(t testing.TB) []string {
	t.Helper()
	ctx, cancel := registryCtx()
	defer cancel()
	imgs, err := Cluster(t).NodeImages(ctx)
	if err != nil {
		t.Fatalf("list node images: %v", err)
	}
	return imgs
}

// PushLarge pushes a busybox image with a layer of size random bytes (see
// localcluster.PushLargeImage) and returns its full reference.
func PushLarge(t testing.TB, image string, size int) string {
	t.Helper()
	NeedRegistry(t)
	ctx, cancel := registryCtx()
	defer cancel()
	if _, err := Cluster(t).PushLargeImage(ctx, image, size); err != nil {
		t.Fatalf("push large %s: %v", image, err)
	}
	return localcluster.ImageRef(image)
}
