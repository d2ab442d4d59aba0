package kubeapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// headerDeadline cancels a request whose response headers have not arrived
// within d. Once they have, the request lives as long as its body, so a
// watch or an exec stream is never cut by this bound.
func headerDeadline(rt http.RoundTripper, d time.Duration) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		ctx, cancel := context.WithCancelCause(req.Context())
		timer := time.AfterFunc(d, func() {
			cancel(fmt.Errorf("%w within %s: %s %s", ErrAPINoAnswer, d, req.Method, req.URL.Path))
		})
		resp, err := rt.RoundTrip(req.WithContext(ctx))
		timer.Stop()
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil && req.Context().Err() == nil {
				err = fmt.Errorf("%w (%v)", cause, err)
			}
			cancel(nil)
			return nil, err
		}
		if resp.StatusCode == http.StatusSwitchingProtocols || resp.Body == nil {
			// An upgraded stream (exec) owns the connection from here; it
			// ends with the request's own context.
			return resp, nil
		}
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	})
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel(nil)
	return err
}
