package kubernetes

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// lifecycle is what every shared informer of the process has, whatever it
// watches: its key, its stop, how many jobs use it, and its first sync.
// The users count and the idle timer belong to the sharedSet's mutex.
type lifecycle struct {
	key   informerKey
	stop  context.CancelFunc
	users int
	idle  *time.Timer

	synced   chan struct{}
	syncOnce sync.Once
	syncErr  error // set before synced closes when the first sync failed
}

// finishSync records the first sync's outcome once: nil, or why there
// will be none.
func (l *lifecycle) finishSync(err error) {
	l.syncOnce.Do(func() {
		l.syncErr = err
		close(l.synced)
	})
}

// waitSynced waits, within ctx and timeout, for the first sync; what
// names the list in the error.
func (l *lifecycle) waitSynced(ctx context.Context, timeout time.Duration, what string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case <-l.synced:
		return l.syncErr
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
}

// lifecycled is a shared informer: a pointer that carries its lifecycle.
type lifecycled interface {
	comparable
	life() *lifecycle
}

// sharedSet holds the process's informers of one kind, one per
// informerKey. The first job to need one starts it; it stops
// informerLinger after the last job let go, unless another came back, so
// a runner between two jobs does not pay a new list and watch.
type sharedSet[T lifecycled] struct {
	mu sync.Mutex
	m  map[informerKey]T
}

func newSharedSet[T lifecycled]() *sharedSet[T] { return &sharedSet[T]{m: map[informerKey]T{}} }

// acquire returns k's informer, counting the caller as a user; the first
// caller's start builds it around l, running until ctx ends.
func (s *sharedSet[T]) acquire(k informerKey, start func(ctx context.Context, l *lifecycle) (T, error)) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		ctx, cancel := context.WithCancel(context.Background())
		var err error
		if v, err = start(ctx, &lifecycle{key: k, stop: cancel, synced: make(chan struct{})}); err != nil {
			cancel()
			return v, err
		}
		s.m[k] = v
	}
	l := v.life()
	if l.idle != nil {
		l.idle.Stop()
		l.idle = nil
	}
	l.users++
	return v, nil
}

// release counts one user out; the last one leaves v to linger.
func (s *sharedSet[T]) release(v T) {
	l := v.life()
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

// drop stops v at once and forgets it, so that the next job starts a
// fresh one (its first list was refused; the reflector would retry for
// ever).
func (s *sharedSet[T]) drop(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(v)
}

func (s *sharedSet[T]) forget(v T) {
	l := v.life()
	if cur, ok := s.m[l.key]; ok && cur == v {
		delete(s.m, l.key)
	}
	l.stop()
}
