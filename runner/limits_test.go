package runner

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGate(t *testing.T) {
	ctx := context.Background()
	expired, cancel := context.WithCancel(ctx)
	cancel()
	// tryAcquire takes a slot only if one is free within a short wait.
	tryAcquire := func(g *gate) bool {
		c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		return g.acquire(c)
	}

	t.Run("size bounds the holders", func(t *testing.T) {
		g := newGate(2)
		require.True(t, tryAcquire(g))
		require.True(t, tryAcquire(g))
		assert.False(t, tryAcquire(g))
		g.release()
		assert.True(t, tryAcquire(g))
	})
	t.Run("zero is no limit", func(t *testing.T) {
		g := newGate(0)
		for range 50 {
			require.True(t, tryAcquire(g))
		}
	})
	t.Run("an ended context takes nothing", func(t *testing.T) {
		g := newGate(0)
		assert.False(t, g.acquire(expired))
		assert.Equal(t, 0, g.held)
	})
	t.Run("growing lets a waiter in at once", func(t *testing.T) {
		g := newGate(1)
		require.True(t, tryAcquire(g))
		got := make(chan bool)
		go func() { got <- g.acquire(ctx) }()
		g.resize(2)
		select {
		case ok := <-got:
			assert.True(t, ok)
		case <-time.After(5 * time.Second):
			t.Fatal("the waiter did not get the new slot")
		}
	})
	t.Run("shrinking keeps the holders and holds back new takers", func(t *testing.T) {
		g := newGate(3)
		for range 3 {
			require.True(t, tryAcquire(g))
		}
		g.resize(1)
		g.release()
		assert.False(t, tryAcquire(g), "2 still hold it; the size is 1")
		g.release()
		g.release()
		assert.True(t, tryAcquire(g))
	})
}
