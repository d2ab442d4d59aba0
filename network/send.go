package network

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"kuberunner/helpers/clienttls"
)

// request is one HTTP request to the API, rebuilt for every try.
type request struct {
	op      string
	method  string
	path    string
	header  http.Header
	body    []byte
	timeout time.Duration
	// redirects is the redirect policy; nil is sameOriginOnly.
	redirects redirectPolicy
}

// jsonRequest is a request with v as its JSON body.
func (c *Client) jsonRequest(op, method, path string, v any) (request, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return request{}, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return request{op: op, method: method, path: path, header: h, body: body, timeout: c.timeout}, nil
}

// send makes one try of req within its timeout. An answer of any status is
// a response, even one whose body then fails (its bodyErr): the status
// says what the server did, and a 201 to a job request has assigned a job
// that must not be asked for again. No answer is a *transportError.
func (c *Client) send(ctx context.Context, req request) (*response, error) {
	timeout := req.timeout
	if timeout <= 0 {
		timeout = c.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = withRedirectPolicy(ctx, req.redirects)
	hreq, err := http.NewRequestWithContext(ctx, req.method, c.endpoint(req.path), bytes.NewReader(req.body))
	if err != nil {
		return nil, err
	}
	for k, v := range req.header {
		hreq.Header[k] = v
	}
	hreq.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, c.noAnswer(req, err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	return &response{status: resp.StatusCode, header: resp.Header, body: body, bodyErr: err, secrets: secretsOf(req)}, nil
}

// noAnswer is the error of req that got no answer to read, err, as a
// message may show it: a refused redirect or a certificate that cannot be
// verified, neither worth retrying, or else a *transportError. Go's
// *url.Error names the URL last tried with its user part, and a
// redirect's Location as the server wrote it, so it is rebuilt or dropped.
func (c *Client) noAnswer(req request, err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return &transportError{op: req.op, err: err}
	}
	var re *RedirectError
	if errors.As(ue.Err, &re) {
		shown := *re
		shown.Op = req.op
		shown.From = hide(re.From, c.secrets, secretsOf(req))
		shown.To = hide(re.To, c.secrets, secretsOf(req))
		return &shown
	}
	if clienttls.IsVerifyError(ue.Err) {
		return &CertificateError{Op: req.op, Host: hostOf(ue.URL), CAFile: c.caFile, Err: ue.Err}
	}
	return &transportError{op: req.op, err: &url.Error{Op: ue.Op, URL: redactURLString(ue.URL), Err: ue.Err}}
}

// hostOf is the host:port of the URL s, for a message.
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Host
}

// call sends req until it gets an answer not worth retrying (anything but
// 408, 429 and 5xx) and returns it, or returns a *GiveUpError after the
// policy's attempts. The caller interprets the status.
func (c *Client) call(ctx context.Context, req request) (*response, error) {
	var resp *response
	err := c.retrying(ctx, req, func() error {
		r, err := c.send(ctx, req)
		if err != nil {
			return err
		}
		if se := c.statusError(req.op, r); se.Retryable() {
			return se
		}
		resp = r
		return nil
	})
	return resp, err
}
