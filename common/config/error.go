package config

import (
	"strconv"
	"strings"
)

// Error is one problem in config.toml. The loader collects every
// problem and returns them joined with errors.Join, so errors.As finds the
// first and Unwrap() []error walks them all. Errors the loader returns are
// already redacted: Value, the texts and Err hold nothing of a secret.
type Error struct {
	File    string
	Line    int    // 1-based; 0 when unknown (for example the file is unreadable)
	Key     string // runners[0].kubernetes.pull_policy; "" for file-level errors
	Value   string // the offending value as written, shortened if long
	Allowed string // what would have been accepted, for the message
	Msg     string // what is wrong, usually naming Value
	Hint    string // a likely fix ("did you mean ...?"), may be empty
	Err     error  // the underlying typed error, if any

	// redacted is set once redact has run, so that rendering does not
	// redo it.
	redacted bool
}

// Error renders the problem as "file:line: key: message; allowed: ...
// (hint)". It renders the redacted view (see redact), so a message about
// a token, a password or a URL's credentials never shows them, however
// the Error was built.
func (e *Error) Error() string {
	return e.redact().render()
}

func (e *Error) render() string {
	var b strings.Builder
	b.WriteString(location(e.File, e.Line))
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Allowed != "" {
		b.WriteString("; allowed: ")
		b.WriteString(e.Allowed)
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap reaches the typed cause, for example *common.UnknownPullPolicyError,
// *common.PullPolicyError or a toml.ParseError.
func (e *Error) Unwrap() error { return e.Err }

// Warning is a key kuberunner accepts but ignores, usually a GitLab Runner
// setting that has no meaning here. The file still loads.
type Warning struct {
	File    string
	Line    int
	Key     string
	Message string
}

func (w Warning) String() string {
	return location(w.File, w.Line) + w.Key + ": " + w.Message
}

// location renders "file:line: ", "file: " or "" so that messages look like
// compiler output, which editors and CI logs can link.
func location(file string, line int) string {
	switch {
	case file != "" && line > 0:
		return file + ":" + strconv.Itoa(line) + ": "
	case file != "":
		return file + ": "
	case line > 0:
		return "line " + strconv.Itoa(line) + ": "
	}
	return ""
}
