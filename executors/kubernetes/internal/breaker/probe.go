package breaker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Probe timing: every 5 s at first, then up to every 60 s, each probe
// bounded by 2 s.
const (
	DefaultProbeFirst   = 5 * time.Second
	DefaultProbeMax     = 60 * time.Second
	DefaultProbeTimeout = 2 * time.Second
)

// ProbeOptions configure the runner's own probes of an open registry.
type ProbeOptions struct {
	First, Max, Timeout time.Duration
	// Answers reports whether registry answers at all, asked with auth
	// (nil: no credentials); nil is GetV2.
	Answers func(ctx context.Context, registry string, auth Auth) error
}

// Auth adds a job's credentials for a registry to a probe's request.
type Auth interface {
	Authorize(req *http.Request)
}

// prober runs one probe loop per open registry until it answers.
type prober struct {
	ctx  context.Context
	opts ProbeOptions
	set  *Set
}

func newProber(ctx context.Context, o ProbeOptions, s *Set) *prober {
	if o.First <= 0 {
		o.First = DefaultProbeFirst
	}
	if o.Max <= 0 {
		o.Max = DefaultProbeMax
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultProbeTimeout
	}
	if o.Answers == nil {
		o.Answers = GetV2
	}
	return &prober{ctx: ctx, opts: o, set: s}
}

// start probes registry in the background; the returned func stops it.
func (p *prober) start(registry string) context.CancelFunc {
	ctx, cancel := context.WithCancel(p.ctx)
	delay := wait.Backoff{Duration: p.opts.First, Factor: 2, Jitter: 0.1, Steps: math.MaxInt32, Cap: p.opts.Max}.DelayFunc()
	go func() {
		_ = delay.Until(ctx, false, false, func(ctx context.Context) (bool, error) {
			return p.once(ctx, registry), nil
		})
	}()
	return cancel
}

// once is one bounded probe; true when the registry answered.
func (p *prober) once(ctx context.Context, registry string) bool {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	if err := p.opts.Answers(ctx, registry, p.set.authFor(registry)); err != nil {
		p.set.stillDown(registry)
		return false
	}
	// Reachable cancels this loop's context; the loop then ends.
	go p.set.Reachable(registry)
	return true
}

// GetV2 asks registry for /v2/, the distribution API's base, which every
// registry serves. Any answer of the API — 200, or 401 asking for
// credentials — proves that pulls can reach it. HTTPS first, with the
// job's credentials when it has some; a registry that answers plain HTTP
// there (a local or insecure one) is asked again over HTTP, without them:
// its 401 proves as much, and credentials never cross plain HTTP here.
func GetV2(ctx context.Context, registry string, auth Auth) error {
	err := getV2(ctx, "https://"+registry+"/v2/", auth)
	if err != nil && connected(err) {
		err = getV2(ctx, "http://"+registry+"/v2/", nil)
	}
	return err
}

// withCredentials never follows a redirect: credentials go to the
// registry's own address or nowhere, and a redirect is no answer of its
// API anyway.
var withCredentials = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// connected reports whether a failed request got as far as a connection:
// not a failed dial, a failed name lookup or a timeout. Then the port
// answers, and may speak plain HTTP.
func connected(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	dialFailed := errors.As(err, &op) && op.Op == "dial"
	return !dialFailed && !errors.As(err, &dns) && !errors.Is(err, context.DeadlineExceeded)
}

func getV2(ctx context.Context, url string, auth Auth) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	client := http.DefaultClient
	if auth != nil {
		auth.Authorize(req)
		client = withCredentials
	}
	res, err := client.Do(req)
	if err != nil {
		return &NoAnswerError{URL: url, Err: err}
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK || res.StatusCode == http.StatusUnauthorized {
		return nil
	}
	return &NoAnswerError{URL: url, Status: res.Status}
}

// NoAnswerError is a probe that did not reach the registry's API: no
// connection (Err), or an answer that is not the API's (Status).
type NoAnswerError struct {
	URL, Status string
	Err         error
}

func (e *NoAnswerError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("GET %s: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("GET %s answered %s, not the registry API", e.URL, e.Status)
}

func (e *NoAnswerError) Unwrap() error { return e.Err }
