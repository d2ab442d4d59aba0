//go:build integration

package clustertest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kuberunner/test/localcluster"
)

// registryKind is what tests coordinate on: the local registry, or the
// authenticated registries, which are stopped and started together. Each
// has its own lock, so stopping one never waits for tests of the other.
type registryKind struct {
	name  string // for messages
	open  func(*localcluster.Cluster) (*localcluster.RegistryLock, error)
	up    func(*localcluster.Cluster, context.Context) bool
	start func(*localcluster.Cluster, context.Context) error
	stop  func(*localcluster.Cluster, context.Context) error
}

var (
	localRegistry = registryKind{"registry", (*localcluster.Cluster).OpenRegistryLock,
		(*localcluster.Cluster).RegistryUp, (*localcluster.Cluster).StartRegistry, (*localcluster.Cluster).StopRegistry}
	authRegistries = registryKind{"authenticated registries", (*localcluster.Cluster).OpenAuthRegistryLock,
		(*localcluster.Cluster).AuthRegistriesUp, (*localcluster.Cluster).StartAuthRegistries, (*localcluster.Cluster).StopAuthRegistries}
)

// kindOf is the registry that serves image.
func kindOf(image string) registryKind {
	host, _, _ := strings.Cut(localcluster.ImageRef(image), "/")
	if slices.Contains(localcluster.AuthRegistryHosts, host) {
		return authRegistries
	}
	return localRegistry
}

// held records the lock each running test holds on each kind, so that a
// test's second call does not take a second lock (which would deadlock
// against its own first one: flock locks on separate opens conflict), and so
// that a subtest can see a lock its enclosing test holds.
var held = struct {
	sync.Mutex
	m map[heldKey]*testLock
}{m: map[heldKey]*testLock{}}

type heldKey struct {
	t    testing.TB
	kind string
}

type testLock struct {
	name              string
	l                 *localcluster.RegistryLock
	shared, exclusive bool
}

func registryCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// lockFor returns t's lock on k, opening it (unlocked) on first use; it is
// released when the test ends.
func lockFor(t testing.TB, k registryKind) *testLock {
	t.Helper()
	held.Lock()
	defer held.Unlock()
	key := heldKey{t, k.name}
	if tl, ok := held.m[key]; ok {
		return tl
	}
	l, err := k.open(Cluster(t))
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLock{name: t.Name(), l: l}
	held.m[key] = tl
	t.Cleanup(func() {
		held.Lock()
		delete(held.m, key)
		held.Unlock()
		l.Close()
	})
	return tl
}

// enclosing returns the mode in which a test enclosing t (a t.Run parent)
// holds k's lock: "exclusive", "shared" or "". The subtest must not take a
// lock of its own then — it would wait for its own parent.
func enclosing(t testing.TB, k registryKind) string {
	held.Lock()
	defer held.Unlock()
	mode := ""
	for key, tl := range held.m {
		if key.kind != k.name || !strings.HasPrefix(t.Name(), tl.name+"/") {
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
func NeedRegistry(t testing.TB) { t.Helper(); need(t, localRegistry) }

// NeedAuthRegistry is NeedRegistry for the authenticated registries
// (localcluster.AuthRegistryHosts).
func NeedAuthRegistry(t testing.TB) { t.Helper(); need(t, authRegistries) }

func need(t testing.TB, k registryKind) {
	t.Helper()
	c := Cluster(t)
	if enclosing(t, k) != "" {
		return
	}
	tl := lockFor(t, k)
	held.Lock()
	holding := tl.exclusive || tl.shared
	held.Unlock()
	if holding {
		return
	}
	began := time.Now()
	if err := tl.l.Shared(); err != nil {
		t.Fatalf("%s lock: %v", k.name, err)
	}
	logWait(t, k, began)
	held.Lock()
	tl.shared = true
	held.Unlock()
	ctx, cancel := registryCtx()
	defer cancel()
	if !k.up(c, ctx) {
		if err := k.start(c, ctx); err != nil {
			t.Fatalf("start %s: %v", k.name, err)
		}
	}
}

// StopRegistry stops the registry for the rest of the test. It first waits
// for the registry lock exclusively — until every other test that needs the
// registry, in any process, has finished — and keeps it until the test ends,
// when it starts the registry again. In a subtest whose parent holds the
// lock shared (it pushed, say) that wait would never end, so it fails at
// once; push in the subtest instead.
func StopRegistry(t testing.TB) { t.Helper(); stop(t, localRegistry) }

// StopAuthRegistry is StopRegistry for the authenticated registries: both,
// and the token service, stop until the test ends; pulls from them fail
// with "connection refused".
func StopAuthRegistry(t testing.TB) { t.Helper(); stop(t, authRegistries) }

func stop(t testing.TB, k registryKind) {
	t.Helper()
	c := Cluster(t)
	switch enclosing(t, k) {
	case "shared":
		t.Fatalf("stopping the %s in %s would deadlock: an enclosing test holds their lock shared "+
			"(it called Push, Delete, Cache or Need…); call those in the subtest instead", k.name, t.Name())
	case "":
		tl := lockFor(t, k)
		held.Lock()
		exclusive := tl.exclusive
		held.Unlock()
		if !exclusive {
			began := time.Now()
			if err := tl.l.Exclusive(); err != nil {
				t.Fatalf("%s lock: %v", k.name, err)
			}
			logWait(t, k, began)
			held.Lock()
			tl.exclusive, tl.shared = true, false
			held.Unlock()
			// Registered after lockFor's release, so it runs before it.
			t.Cleanup(func() {
				ctx, cancel := registryCtx()
				defer cancel()
				if err := k.start(c, ctx); err != nil {
					t.Errorf("restart %s after the test: %v", k.name, err)
				}
			})
		}
	} // "exclusive": the enclosing test controls the registry and restarts it.
	ctx, cancel := registryCtx()
	defer cancel()
	if err := k.stop(c, ctx); err != nil {
		t.Fatalf("stop %s: %v", k.name, err)
	}
}

// logWait notes a long wait for the lock, which explains a slow test: another
// test (perhaps in another package) stopped the registry or was using it.
func logWait(t testing.TB, k registryKind, began time.Time) {
	if d := time.Since(began); d > time.Second {
		t.Logf("waited %s for the %s lock", d.Round(time.Millisecond), k.name)
	}
}

// StartRegistry starts the registry again within a test that stopped it.
func StartRegistry(t testing.TB) { t.Helper(); start(t, localRegistry) }

// StartAuthRegistry starts the authenticated registries again within a
// test that stopped them.
func StartAuthRegistry(t testing.TB) { t.Helper(); start(t, authRegistries) }

func start(t testing.TB, k registryKind) {
	t.Helper()
	ctx, cancel := registryCtx()
	defer cancel()
	if err := k.start(Cluster(t), ctx); err != nil {
		t.Fatalf("start %s: %v", k.name, err)
	}
}

// Push builds a busybox image named image (see localcluster.ImageRef for short
// names), pushes it and returns its full reference. To an authenticated
// registry it pushes as the first of AuthUsers.
func Push(t testing.TB, image string) string {
	t.Helper()
	need(t, kindOf(image))
	ctx, cancel := registryCtx()
	defer cancel()
	if _, err := Cluster(t).PushImage(ctx, image); err != nil {
		t.Fatalf("push %s: %v", image, err)
	}
	return localcluster.ImageRef(image)
}

// PushHelper pushes a helper image made of binary as image, within the
// bound of every registry operation of the tests.
func PushHelper(t testing.TB, image, binary string) {
	t.Helper()
	ctx, cancel := registryCtx()
	defer cancel()
	if _, err := Cluster(t).PushHelperImage(ctx, image, binary); err != nil {
		t.Fatalf("push the helper image %s: %v", image, err)
	}
}

// Delete removes image's tag and manifest from the registry.
func Delete(t testing.TB, image string) {
	t.Helper()
	need(t, kindOf(image))
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
	need(t, kindOf(image))
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
	need(t, kindOf(image))
	ctx, cancel := registryCtx()
	defer cancel()
	if _, err := Cluster(t).PushLargeImage(ctx, image, size); err != nil {
		t.Fatalf("push large %s: %v", image, err)
	}
	return localcluster.ImageRef(image)
}
