package network

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Every API request carries a token: the runner token in the body and in
// RUNNER-TOKEN, the job token in JOB-TOKEN or in the body. Go's client
// follows a redirect to any scheme, host and port and takes custom headers
// (and, on 307 and 308, the body) along, so a redirect would hand the token
// to whoever the Location names, in clear text if it says http, and the
// caller would take that host's answer for GitLab's. So an API request
// follows a redirect only within its origin (scheme, host and port), where
// the token already goes, and refuses the rest with a *RedirectError.

// maxRedirects ends a chain of redirects, as Go's own policy does.
const maxRedirects = 10

// RedirectError is a redirect that was not followed: the request ended at
// the redirect's answer.
type RedirectError struct {
	Op string
	// Status is the redirect's status: 301, 302, 303, 307 or 308.
	Status int
	// From is the URL that answered with the redirect, To its Location,
	// as a message may show them (no userinfo, no token).
	From, To string
	// Reason is why the redirect was refused.
	Reason string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s: GitLab answered %d, redirecting %s to %s; not followed: %s", e.Op, e.Status, e.From, e.To, e.Reason)
}

// redirectPolicy decides whether req, the request a redirect asks for,
// may be sent; via holds the requests sent so far, oldest first. It may
// edit req (drop a token). It refuses with a *RedirectError. It is an
// http.Client's CheckRedirect, chosen per request (withRedirectPolicy).
type redirectPolicy func(req *http.Request, via []*http.Request) error

// sameOriginOnly is the policy of API requests: follow within the origin
// of the first request, keeping method and body (307, 308); refuse a
// downgrade to http, another origin, and a 301, 302 or 303, which would
// send the request again as a GET without its body, a request the API
// does not know.
func sameOriginOnly(req *http.Request, via []*http.Request) error {
	if err := chainAllowed(req, via); err != nil {
		return err
	}
	first := via[0]
	if !sameOrigin(first.URL, req.URL) {
		return refuse(req, via, "the request carries a token, which must not go to another scheme, host or port than "+origin(first.URL)+"; if GitLab moved, change the runner's url")
	}
	if req.Method != first.Method {
		return refuse(req, via, fmt.Sprintf("it would send the %s again as a GET without its body", first.Method))
	}
	return nil
}

// toObjectStorage is the policy of a download that GitLab may redirect to
// object storage (artifacts): another origin is allowed, but the job
// token stays with GitLab's origin, and https never becomes http. Nothing
// uses it yet; a download opts in with request.redirects.
func toObjectStorage(req *http.Request, via []*http.Request) error {
	if err := chainAllowed(req, via); err != nil {
		return err
	}
	if !sameOrigin(via[0].URL, req.URL) {
		// Go copies the first request's headers into every hop.
		req.Header.Del("JOB-TOKEN")
	}
	return nil
}

// chainAllowed is what every policy refuses: a chain too long, and a hop
// to http after https, which would send the request in clear text.
func chainAllowed(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return refuse(req, via, fmt.Sprintf("after %d redirects", len(via)))
	}
	if !isHTTPS(req.URL) && slices.ContainsFunc(via, func(r *http.Request) bool { return isHTTPS(r.URL) }) {
		return refuse(req, via, "it goes from https to http, which would send the request in clear text")
	}
	return nil
}

// refuse is the error for req's redirect, with the URLs as a message may
// show them.
func refuse(req *http.Request, via []*http.Request, reason string) *RedirectError {
	e := &RedirectError{From: redactURL(via[len(via)-1].URL), To: redactURL(req.URL), Reason: reason}
	if req.Response != nil {
		e.Status = req.Response.StatusCode
	}
	return e
}

func isHTTPS(u *url.URL) bool { return strings.EqualFold(u.Scheme, "https") }

// sameOrigin reports whether a and b have the same scheme, host and port;
// a port left out is the scheme's default.
func sameOrigin(a, b *url.URL) bool { return origin(a) == origin(b) }

// origin is scheme://host:port of u, in lower case, with the default port
// written out.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// redirectPolicyKey carries a request's redirectPolicy in its context, the
// one thing the client's CheckRedirect gets from the request.
type redirectPolicyKey struct{}

// withRedirectPolicy is ctx carrying p; nil leaves the default.
func withRedirectPolicy(ctx context.Context, p redirectPolicy) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, redirectPolicyKey{}, p)
}

// checkRedirect is the CheckRedirect of the client's http.Client: the
// policy the request carries, else sameOriginOnly.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if p, ok := req.Context().Value(redirectPolicyKey{}).(redirectPolicy); ok {
		return p(req, via)
	}
	return sameOriginOnly(req, via)
}
