package lfs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds each request when Client.Timeout is 0.
const DefaultTimeout = 10 * time.Minute

// mediaType is the batch API's content type, in both directions.
const mediaType = "application/vnd.git-lfs+json"

// maxRedirects bounds the redirects of one request, as Go's default does.
const maxRedirects = 10

// maxErrorBody bounds what is read of an answer other than 200.
const maxErrorBody = 64 << 10

// Client talks to one repository's LFS server.
type Client struct {
	// Endpoint is the LFS server URL (see Endpoint), without userinfo.
	Endpoint *url.URL
	// HTTP sends the requests; nil means a client with Go's default
	// transport. Redirects are followed up to 10 times, never from https
	// to http.
	HTTP *http.Client
	// Authorize adds credentials to a request: the batch request, and a
	// download whose action carries no Authorization header and that the
	// server did not mark authenticated. It decides where credentials may
	// go. nil sends none.
	Authorize func(*http.Request)
	// Timeout bounds each request, its body included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Endpoint is the LFS server of the repository at repo, as git-lfs finds
// it without configuration: the URL with ".git" if it lacks it, then
// "/info/lfs". Userinfo, query and fragment are dropped.
func Endpoint(repo *url.URL) *url.URL {
	u := url.URL{Scheme: repo.Scheme, Host: repo.Host, Path: strings.TrimSuffix(repo.Path, "/")}
	if !strings.HasSuffix(u.Path, ".git") {
		u.Path += ".git"
	}
	u.Path += "/info/lfs"
	return &u
}

// do sends req under the timeout and hands a 200 answer to read; any
// other status is a *StatusError. When the timeout passes or ctx ends, the
// error is that cause.
func (c *Client) do(ctx context.Context, op string, req *http.Request, read func(io.Reader) error) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	rctx, cancel := context.WithTimeoutCause(ctx, timeout, &TimeoutError{Op: op, Timeout: timeout})
	defer cancel()
	res, err := c.httpClient().Do(req.WithContext(rctx))
	if err == nil {
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return statusError(op, req.URL, res)
		}
		err = read(res.Body)
	}
	if err != nil && rctx.Err() != nil {
		return fmt.Errorf("%s: %w", printable(req.URL), context.Cause(rctx))
	}
	return redactURLError(err)
}

// httpClient is c.HTTP with the redirect policy.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		switch {
		case len(via) >= maxRedirects:
			return fmt.Errorf("more than %d redirects", maxRedirects)
		case via[0].URL.Scheme == "https" && req.URL.Scheme != "https":
			return fmt.Errorf("a redirect from https to %s (%s) is refused", req.URL.Scheme, printable(req.URL))
		}
		return nil
	}
	return &hc
}

// statusError reads the server's message, if the body has one.
func statusError(op string, u *url.URL, res *http.Response) error {
	var body struct {
		Message string `json:"message"`
	}
	_ = json.NewDecoder(io.LimitReader(res.Body, maxErrorBody)).Decode(&body)
	return &StatusError{Op: op, URL: printable(u), Code: res.StatusCode, Message: oneLine(body.Message)}
}

// redactURLError replaces the URL that net/http's errors quote (with its
// query, which may be signed) by its printable form.
func redactURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return fmt.Errorf("%s %s: %w", ue.Op, printable(u), ue.Err)
}
