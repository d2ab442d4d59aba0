package kubeapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// informerLinger keeps an idle informer a while after its last job, so a
// runner between two jobs does not pay a list and a watch for each.
const informerLinger = 30 * time.Second

// InformerKey tells informers apart by who asks as well as where: two
// runners with different credentials for one API server must not read
// objects through each other's identity. Namespace is empty for
// cluster-scoped kinds (nodes).
type InformerKey struct{ Host, Namespace, Identity string }

// IdentityOf digests the credentials of a rest config.
func IdentityOf(rc *rest.Config) string {
	h := sha256.New()
	for _, part := range []string{rc.Username, rc.Password, rc.BearerToken, rc.BearerTokenFile, rc.CertFile, rc.KeyFile, rc.Impersonate.UserName} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(rc.CertData)
	h.Write([]byte{0})
	h.Write(rc.KeyData)
	return hex.EncodeToString(h.Sum(nil))
}

// Lifecycle is what every shared informer of the process has, whatever it
// watches: its key, its stop, how many jobs use it, and its first sync.
// The users count and the idle timer belong to the SharedSet's mutex.
type Lifecycle struct {
	Key   InformerKey
	stop  context.CancelFunc
	users int
	idle  *time.Timer

	synced   chan struct{}
	syncOnce sync.Once
	syncErr  error // set before synced closes when the first sync failed
}

// FinishSync records the first sync's outcome once: nil, or why there
// will be none.
func (l *Lifecycle) FinishSync(err error) {
	l.syncOnce.Do(func() {
		l.syncErr = err
		close(l.synced)
	})
}

// WaitSynced waits, within ctx and timeout, for the first sync; what
// names the list in the error.
func (l *Lifecycle) WaitSynced(ctx context.Context, timeout time.Duration, what string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case <-l.synced:
		return l.syncErr
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
}

// Lifecycled is a shared informer: a pointer that carries its Lifecycle.
type Lifecycled interface {
	comparable
	Life() *Lifecycle
}

// SharedSet holds the process's informers of one kind, one per
// InformerKey. The first job to need one starts it; it stops
// informerLinger after the last job let go, unless another came back, so
// a runner between two jobs does not pay a new list and watch.
type SharedSet[T Lifecycled] struct {
	mu sync.Mutex
	m  map[InformerKey]T
}

func NewSharedSet[T Lifecycled]() *SharedSet[T] { return &SharedSet[T]{m: map[InformerKey]T{}} }

// Acquire returns k's informer, counting the caller as a user; the first
// caller's start builds it around l, running until ctx ends.
func (s *SharedSet[T]) Acquire(k InformerKey, start func(ctx context.Context, l *Lifecycle) (T, error)) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		ctx, cancel := context.WithCancel(context.Background())
		var err error
		if v, err = start(ctx, &Lifecycle{Key: k, stop: cancel, synced: make(chan struct{})}); err != nil {
			cancel()
			return v, err
		}
		s.m[k] = v
	}
	l := v.Life()
	if l.idle != nil {
		l.idle.Stop()
		l.idle = nil
	}
	l.users++
	return v, nil
}

// Release counts one user out; the last one leaves v to linger.
func (s *SharedSet[T]) Release(v T) {
	l := v.Life()
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.users--; l.users > 0 {
		return
	}
	l.idle = time.AfterFunc(informerLinger, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if l.users == 0 {
			s.forget(v)
		}
	})
}

// Drop stops v at once and forgets it, so that the next job starts a
// fresh one (its first list was refused; the reflector would retry for
// ever).
func (s *SharedSet[T]) Drop(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(v)
}

func (s *SharedSet[T]) forget(v T) {
	l := v.Life()
	if cur, ok := s.m[l.Key]; ok && cur == v {
		delete(s.m, l.Key)
	}
	l.stop()
}
