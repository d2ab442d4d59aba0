package ciyaml

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels carried by Error.Err (possibly wrapped with detail), for callers
// to branch on with errors.Is.
var (
	// ErrInvalid is a value of the wrong shape, such as a mapping where a
	// string is expected.
	ErrInvalid = errors.New("invalid value")
	// ErrNoScript is a job without script: GitLab rejects it too.
	ErrNoScript = errors.New("job has no script")
	// ErrUnknownExtends is extends naming a key that is not in the file.
	ErrUnknownExtends = errors.New("extends an unknown job")
	// ErrExtendsCycle is extends that leads back to a job already on the path.
	ErrExtendsCycle = errors.New("circular extends")
	// ErrAliasCycle is an alias used inside the node its anchor marks.
	ErrAliasCycle = errors.New("alias refers to its own anchor")
	// ErrBadReference is a !reference tag that is malformed, points at
	// nothing, or nests too deeply.
	ErrBadReference = errors.New("bad !reference")
	// ErrTooLarge guards against alias bombs: a few lines of YAML whose
	// aliases expand to billions of script lines, or whose merge keys and
	// extends copy one mapping's keys into many places.
	ErrTooLarge = errors.New("configuration expands too large")
	// ErrFileTooLarge is a file over 8 MiB (maxFileSize), refused before it
	// is parsed.
	ErrFileTooLarge = errors.New("file too large")
)

// Error is a problem in the file that stops the job from being read. Err is
// one of the sentinels above, or a wrapped cause such as
// *common.UnknownPullPolicyError.
type Error struct {
	File string
	// Line is 1-based; 0 when the problem has no single place.
	Line int
	// Keyword is where in the job the problem is, such as
	// "image:pull_policy"; empty when it is not about one keyword.
	Keyword string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Keyword != "" {
		b.WriteString(e.Keyword + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// SyntaxError is YAML that does not parse.
type SyntaxError struct {
	File string
	// Line is the line the YAML library names: for a bad character or an
	// unclosed quote the line of the problem, for a structure error (bad
	// indentation, a missing ']') the line where the enclosing block starts.
	// 0 when it names none, as for problems on the first line and for
	// unknown anchors.
	Line int
	// StoppedAt is the last line the parser had read when it failed: the
	// problem is on or before it.
	StoppedAt int
	// Message is the YAML library's description without its position.
	Message string
	// Err is the YAML library's error.
	Err error
}

func (e *SyntaxError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	msg := fmt.Sprintf("%s: invalid YAML: %s", where, e.Message)
	if e.StoppedAt > 0 && e.StoppedAt != e.Line {
		msg += fmt.Sprintf(" (the parser stopped at line %d)", e.StoppedAt)
	}
	return msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// UnknownJobError is a job name that is not a job of the file. Jobs lists the
// ones that are, in file order, so that the message shows what to type.
type UnknownJobError struct {
	File string
	Job  string
	Jobs []string
}

func (e *UnknownJobError) Error() string {
	if len(e.Jobs) == 0 {
		return fmt.Sprintf("%s: no job %q: the file defines no jobs", e.File, e.Job)
	}
	return fmt.Sprintf("%s: no job %q; jobs in the file: %s", e.File, e.Job, strings.Join(e.Jobs, ", "))
}

// errorAt builds an *Error at n's line.
func errorAt(file string, n *node, keyword string, err error) *Error {
	line := 0
	if n != nil {
		line = n.line
	}
	return &Error{File: file, Line: line, Keyword: keyword, Err: err}
}

// invalid is ErrInvalid with what was expected and what was found.
func invalid(want string, n *node) error {
	return fmt.Errorf("%w: want %s, got %s", ErrInvalid, want, n.describe())
}
