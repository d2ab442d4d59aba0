package localcluster

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// StopRegistry stops the local registry, so that pulls fail with "connection
// refused". Stopping a stopped registry is fine. It serialises with other
// StartRegistry/StopRegistry calls of any process, but does not wait for
// users of the registry: tests coordinate through RegistryLock for that.
func (c *Cluster) StopRegistry(ctx context.Context) error {
	unlock, err := c.lockFile("registry-ctl.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	return c.stop("registry", 10*time.Second)
}

// StartRegistry starts the local registry unless it runs, and waits until it
// answers.
func (c *Cluster) StartRegistry(ctx context.Context) error {
	unlock, err := c.lockFile("registry-ctl.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(c.path("registry", "config.yml")); err != nil {
		return fmt.Errorf("no registry config (%w): run `make cluster-up`", err)
	}
	return c.ensureRunning(ctx, c.registryComponent())
}

// RegistryUp reports whether the registry process runs and answers.
func (c *Cluster) RegistryUp(ctx context.Context) bool {
	return c.pid("registry") != 0 && c.registryHealthy(ctx) == nil
}

// RegistryLock coordinates tests — in any process — that need the registry
// running with tests that stop it. `go test ./...` runs packages as parallel
// processes, so an in-process mutex is not enough: this is flock(2) on
// run/registry.lock. A test that needs the registry holds it shared; a test
// that stops the registry holds it exclusive until it has started it again.
// The kernel drops the lock when its process dies, so a crashed test cannot
// wedge the others (though it may leave the registry stopped; Shared users
// start it again).
type RegistryLock struct{ f *os.File }

// OpenRegistryLock opens the lock without taking it.
func (c *Cluster) OpenRegistryLock() (*RegistryLock, error) { return c.openLock("registry.lock") }

// openLock opens run/name as a RegistryLock without taking it.
func (c *Cluster) openLock(name string) (*RegistryLock, error) {
	f, err := os.OpenFile(c.path("run", name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s (is the cluster up? run `make cluster-up`): %w", name, err)
	}
	return &RegistryLock{f}, nil
}

// Shared blocks until no one holds the lock exclusively, then holds it shared.
func (l *RegistryLock) Shared() error { return flock(l.f, syscall.LOCK_SH) }

// Exclusive blocks until no one else holds the lock, then holds it alone.
// Called while holding it shared, it converts the lock; the kernel releases
// the shared hold first, so two such upgrades cannot deadlock.
func (l *RegistryLock) Exclusive() error { return flock(l.f, syscall.LOCK_EX) }

// Close releases the lock.
func (l *RegistryLock) Close() error { return l.f.Close() }

// lockFile takes a short-lived flock on run/name and returns its release.
func (c *Cluster) lockFile(name string, how int) (func(), error) {
	if err := os.MkdirAll(c.path("run"), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.path("run", name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock(f, how); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
