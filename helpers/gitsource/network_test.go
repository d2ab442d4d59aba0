package gitsource

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hangingServer accepts connections and never answers, until the client
// gives up or the test ends.
func hangingServer(t *testing.T) string {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs first
	return srv.URL + "/group/project.git"
}

func TestNetworkLimits(t *testing.T) {
	url := hangingServer(t)
	sha := "0123456789abcdef0123456789abcdef01234567"
	request := func(root string) Request {
		return Request{Dir: filepath.Join(root, "p"), RepoURL: url, Ref: "main", RefType: RefBranch, SHA: sha,
			Strategy: StrategyClone, Checkout: true, Token: token}
	}

	t.Run("a fetch that outlives the timeout", func(t *testing.T) {
		root := t.TempDir()
		start := time.Now()
		err := Run(context.Background(), request(root), Options{Root: root, NetworkTimeout: 300 * time.Millisecond})
		require.Less(t, time.Since(start), 10*time.Second)
		var te *TimeoutError
		require.ErrorAs(t, err, &te)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, "fetching "+url+" did not finish within 300ms", err.Error())
	})

	t.Run("a cancelled context stops the fetch with its cause", func(t *testing.T) {
		root := t.TempDir()
		cause := errors.New("received SIGTERM")
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(200*time.Millisecond, func() { cancel(cause) })
		var out bytes.Buffer
		start := time.Now()
		err := Run(ctx, request(root), Options{Out: &out, Root: root, NetworkTimeout: time.Minute})
		require.Less(t, time.Since(start), 10*time.Second)
		require.ErrorIs(t, err, cause)
		require.Equal(t, "fetching "+url+": received SIGTERM", err.Error())
	})

	t.Run("a context cancelled before the start does nothing", func(t *testing.T) {
		root := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := Run(ctx, request(root), Options{Root: root})
		require.ErrorIs(t, err, context.Canceled)
		require.NoDirExists(t, filepath.Join(root, "p"))
	})
}
