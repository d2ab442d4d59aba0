package podwatch

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// subscription is one job's view of the shared informer, as a
// watch.Interface. Its queue is unbounded, so the informer's handler never
// blocks on a slow job and no event is dropped: a job's pods produce a few
// dozen events at most.
type subscription struct {
	out    chan watch.Event
	mu     sync.Mutex
	queue  []watch.Event
	wake   chan struct{}
	done   chan struct{}
	once   sync.Once
	onStop func()
	// started is the informer's record of the containers the kubelet
	// started, by pod UID (started.go).
	started func(types.UID) map[string]bool
	// missed reports whether the kubelet pulled for the pod without its
	// pull secrets (started.go).
	missed func(types.UID) bool
}

func newSubscription(onStop func()) *subscription {
	s := &subscription{out: make(chan watch.Event), wake: make(chan struct{}, 1), done: make(chan struct{}), onStop: onStop}
	go s.forward()
	return s
}

func (s *subscription) push(ev watch.Event) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// forward moves queued events to the reader in order.
func (s *subscription) forward() {
	defer close(s.out)
	for {
		s.mu.Lock()
		var next []watch.Event
		next, s.queue = s.queue, nil
		s.mu.Unlock()
		for _, ev := range next {
			select {
			case s.out <- ev:
			case <-s.done:
				return
			}
		}
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
	}
}

func (s *subscription) ResultChan() <-chan watch.Event { return s.out }

// Stop ends the subscription; later events of the job are dropped.
func (s *subscription) Stop() {
	s.once.Do(func() {
		close(s.done)
		s.onStop()
	})
}
