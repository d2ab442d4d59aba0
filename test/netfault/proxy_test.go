package netfault

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProxyDownAndUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	p := New(t, srv.Listener.Addr().String())
	get := func() (string, error) {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get("http://" + p.Addr)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	for _, step := range []struct {
		name string
		do   func()
		ok   bool
	}{
		{"up", func() {}, true},
		{"down: refused", p.Down, false},
		{"up again on the same address", func() { require.NoError(t, p.Up()) }, true},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.do()
			body, err := get()
			if step.ok {
				require.NoError(t, err)
				assert.Equal(t, "ok", body)
			} else {
				assert.ErrorContains(t, err, "connection refused")
			}
		})
	}
}
