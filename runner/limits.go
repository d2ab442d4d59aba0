package runner

import (
	"context"
	"sync"
)

// gate is a counting semaphore whose size a reload may change while jobs
// hold it: `concurrent` across the process, `limit` per runner. A size of
// 0 or less is no limit. Shrinking takes nothing from the holders; a new
// taker waits until fewer than the new size hold it.
type gate struct {
	mu         sync.Mutex
	size, held int
	// changed is closed, and replaced, when a slot frees or the size
	// changes, so that waiters look again.
	changed chan struct{}
}

func newGate(size int) *gate {
	return &gate{size: size, changed: make(chan struct{})}
}

// acquire takes a slot, or returns false when ctx ends first.
func (g *gate) acquire(ctx context.Context) bool {
	for ctx.Err() == nil {
		g.mu.Lock()
		if g.size <= 0 || g.held < g.size {
			g.held++
			g.mu.Unlock()
			return true
		}
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
		}
	}
	return false
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held--
	g.wake()
}

// resize sets the size for the takers from now on.
func (g *gate) resize(size int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.size != size {
		g.size = size
		g.wake()
	}
}

// wake lets the waiters look again; g.mu is held.
func (g *gate) wake() {
	close(g.changed)
	g.changed = make(chan struct{})
}
