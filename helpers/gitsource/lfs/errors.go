package lfs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// ErrAuth is an LFS server that refused the credentials (401 or 403):
// errors.Is finds it in a *StatusError.
var ErrAuth = errors.New("the LFS server refused the credentials")

// ErrCorrupt is an object whose content does not match its pointer:
// errors.Is finds it in a *VerifyError.
var ErrCorrupt = errors.New("the object does not match its pointer")

// StatusError is an answer other than 200.
type StatusError struct {
	// Op is what was asked: "batch" or "download <oid>".
	Op string
	// URL is the request's URL without userinfo or query.
	URL string
	// Code is the HTTP status.
	Code int
	// Message is the server's "message", cleaned to one short line; "" for
	// none.
	Message string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("Git LFS %s: %s answered %d %s", e.Op, e.URL, e.Code, http.StatusText(e.Code))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Is(ErrAuth) {
		msg += " (" + ErrAuth.Error() + "; is the job token valid, and may it read the project?)"
	}
	return msg
}

// Is makes errors.Is(err, ErrAuth) true for 401 and 403.
func (e *StatusError) Is(target error) bool {
	return target == ErrAuth && (e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden)
}

// ObjectError is one object the server cannot give, or gave no way to
// download.
type ObjectError struct {
	OID string
	// Code is the server's error code for the object (404: it does not
	// exist, 410: removed), 0 when the server gave none.
	Code    int
	Message string
}

func (e *ObjectError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("Git LFS object %s: the server answers %d: %s", e.OID, e.Code, e.Message)
	}
	return fmt.Sprintf("Git LFS object %s: %s", e.OID, e.Message)
}

// VerifyError is a download whose bytes are not the pointer's object.
type VerifyError struct {
	OID string
	// Problem says what differs: the size, or the sha256.
	Problem string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("Git LFS object %s: %v: %s", e.OID, ErrCorrupt, e.Problem)
}

func (e *VerifyError) Unwrap() error { return ErrCorrupt }

// TimeoutError is a request that took longer than Client.Timeout.
type TimeoutError struct {
	Op      string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("Git LFS %s did not finish within %v", e.Op, e.Timeout)
}

// Is makes errors.Is(err, context.DeadlineExceeded) true, as for any
// deadline.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// HrefError is a download URL the client refuses to follow.
type HrefError struct {
	OID     string
	Problem string
}

func (e *HrefError) Error() string {
	return fmt.Sprintf("Git LFS object %s: the download URL %s", e.OID, e.Problem)
}

// printable is u as messages show it: no userinfo, no query, no fragment.
func printable(u *url.URL) string {
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return c.String()
}

// oneLine keeps a server's message short, on one line, and free of
// control characters that could restyle the build log.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
