package localcluster

import (
	"os"
	"testing"
	"time"
)

// The lock must let tests that need the registry run together while one that
// stops it waits for all of them, and vice versa. flock locks taken through
// separate opens conflict even within one process, so this shows the
// cross-process behaviour too.
func TestRegistryLockSharedExcludesExclusive(t *testing.T) {
	c := &Cluster{Dir: t.TempDir()}
	if err := os.MkdirAll(c.path("run"), 0o755); err != nil {
		t.Fatal(err)
	}
	open := func() *RegistryLock {
		l, err := c.OpenRegistryLock()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	s1, s2, ex := open(), open(), open()
	if err := s1.Shared(); err != nil {
		t.Fatal(err)
	}
	if err := s2.Shared(); err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() { _ = ex.Exclusive(); close(got) }()
	select {
	case <-got:
		t.Fatal("exclusive lock granted while shared holders remain")
	case <-time.After(100 * time.Millisecond):
	}
	s1.Close()
	s2.Close()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("exclusive lock not granted after the shared holders left")
	}
}

func TestUnescapeMount(t *testing.T) {
	if got := unescapeMount(`/a\040b/c\011d`); got != "/a b/c\td" {
		t.Errorf("got %q", got)
	}
}
