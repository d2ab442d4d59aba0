package gitsource

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// TokenUser is the user name that goes with a CI job token.
const TokenUser = "gitlab-ci-token"

// maskText replaces a secret wherever it would be printed.
const maskText = "[MASKED]"

// parseRepoURL checks that raw is an absolute http or https URL with a
// host. Its errors never quote raw, which may hold a token: url.Parse's
// own errors do, so they are not passed on.
func parseRepoURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, &RequestError{Field: "repo_url", Problem: "is required"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &RequestError{Field: "repo_url", Problem: "is not a valid URL"}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &RequestError{Field: "repo_url", Problem: "must be an http or https URL (the helper has no ssh or local transport)"}
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, &RequestError{Field: "repo_url", Problem: "has no host"}
	}
	return u, nil
}

// withoutUserinfo returns a copy of u without credentials: the URL that is
// printed, stored as the remote, and resolved against for submodules.
func withoutUserinfo(u *url.URL) *url.URL {
	c := *u
	c.User = nil
	return &c
}

// redactURL returns raw without its userinfo, for printing. A URL that
// does not parse is not shown at all: where its credentials are is
// unknown.
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	return withoutUserinfo(u).String()
}

// authFor is the basic auth for the repository u (with its userinfo, if
// any): the token as gitlab-ci-token's password when the request has
// one, else the URL's userinfo, else none.
func authFor(req Request, u *url.URL) transport.AuthMethod {
	if req.Token != "" {
		return &githttp.BasicAuth{Username: TokenUser, Password: req.Token}
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		return &githttp.BasicAuth{Username: u.User.Username(), Password: pass}
	}
	return nil
}

// sameOrigin reports whether b is served by the same scheme, host and port
// as a: only then do the job's credentials go to b. An https repository's
// token is never sent over http, nor to another host.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(hostPort(a), hostPort(b))
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// masker replaces the request's secrets in everything Run prints or
// returns.
type masker struct{ r *strings.Replacer }

// newMasker masks the token and the URL's password, decoded and as the
// URL spells it.
func newMasker(req Request) masker {
	var secrets []string
	add := func(s string) {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	add(req.Token)
	if u, err := url.Parse(req.RepoURL); err == nil && u.User != nil {
		if pass, ok := u.User.Password(); ok {
			add(pass)
			add(url.UserPassword("", pass).String()[1:]) // encoded as url.URL.String does
		}
	}
	add(rawPassword(req.RepoURL)) // as the request spells it, even unparseable
	if len(secrets) == 0 {
		return masker{}
	}
	// Longest first: the replacer tries its arguments in order, so a
	// secret that contains another is masked whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, maskText)
	}
	return masker{strings.NewReplacer(pairs...)}
}

// rawPassword is the password of raw's userinfo as written, still
// percent-encoded, or "" for none.
func rawPassword(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	authority := raw[i+3:]
	if j := strings.IndexAny(authority, "/?#"); j >= 0 {
		authority = authority[:j]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return ""
	}
	_, pass, ok := strings.Cut(authority[:at], ":")
	if !ok {
		return ""
	}
	return pass
}

func (m masker) text(s string) string {
	if m.r == nil {
		return s
	}
	return m.r.Replace(s)
}

// error returns err with its message masked; errors.Is and errors.As still
// see err.
func (m masker) error(err error) error {
	if err == nil || m.r == nil {
		return err
	}
	msg := m.text(err.Error())
	if msg == err.Error() {
		return err
	}
	return &maskedError{err: err, msg: msg}
}

type maskedError struct {
	err error
	msg string
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// writer masks each Write. Run writes whole lines, one Write each, so a
// secret is never split across two.
func (m masker) writer(w io.Writer) io.Writer {
	if m.r == nil {
		return w
	}
	return maskWriter{w: w, m: m}
}

type maskWriter struct {
	w io.Writer
	m masker
}

func (w maskWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.m.text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// describeTransportError turns go-git's transport errors into ones that
// say what to check. url is printable (no userinfo); withAuth tells
// whether credentials were sent.
func describeTransportError(err error, url string, withAuth bool) error {
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		if !withAuth {
			return fmt.Errorf("%s: %w: it asks for credentials and the request has none (no token, no userinfo in repo_url): %w", url, ErrAuth, err)
		}
		return fmt.Errorf("%s: %w (is the job token valid, and may it read the project?): %w", url, ErrAuth, err)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		// go-git's error adds nothing but an empty detail.
		return fmt.Errorf("%s: %w (or the job token may not read it)", url, ErrRepositoryNotFound)
	}
	return fmt.Errorf("%s: %w", url, err)
}
