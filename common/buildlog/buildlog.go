package buildlog

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"kuberunner/common"
	"kuberunner/helpers/safetext"
)

// ErrBuildLogClosed is returned by a Stream writer used after Close: its
// held-back bytes were already flushed, so later bytes could complete a
// secret that is no longer recognised.
var ErrBuildLogClosed = errors.New("build log closed")

// Log is the job's build log. Safe for concurrent use (stdout and stderr
// of the script arrive on two goroutines).
//
// Every byte written, by messages, section lines or Stream writers, has the
// masked values and the prefixed tokens replaced by [MASKED] (see maskSet for
// the rules). Messages and section headers, the lines the runner writes
// itself, also have control characters escaped (see runnerText);
// script output is passed on as the script wrote it, colours included. One
// mutex orders all writes so that a message never lands inside another
// write.
type Log struct {
	mu      sync.Mutex
	w       io.Writer
	format  Format
	masks   *maskSet
	streams []*streamWriter
	// atLineStart is whether the last byte written was a newline, so that a
	// message after unterminated script output starts on its own line.
	atLineStart bool
	closed      bool
	err         error
	// now is replaceable so that tests can pin section timestamps.
	now func() time.Time
}

// New writes the log to w in format, hiding the masked values; it is
// NewWithRules without token prefixes.
func New(w io.Writer, format Format, masked []string) *Log {
	return NewWithRules(w, format, common.MaskRules{Values: masked})
}

// NewWithRules writes the log to w in format, hiding what rules name (a job's
// are common.Job.MaskRules): every value, and every token that is one of the
// TokenPrefixes followed by at least one token byte (common.IsTokenByte),
// prefix and whole run of token bytes included, however long. A prefix with
// no token byte after it is shown as is. Any format other than LogFormatGitLab
// renders as LogFormatTerminal. Empty values and prefixes are ignored: they
// would match everywhere.
func NewWithRules(w io.Writer, format Format, rules common.MaskRules) *Log {
	if format != LogFormatGitLab {
		format = LogFormatTerminal
	}
	return &Log{
		w:           w,
		format:      format,
		masks:       newMaskSet(rules),
		atLineStart: true,
		now:         time.Now,
	}
}

// Println writes a plain line, like fmt.Println.
func (l *Log) Println(args ...any) { l.message("", "", args) }

// Infoln writes a line in GitLab's bold green.
func (l *Log) Infoln(args ...any) { l.message(ansiBoldGreen, "", args) }

// Warningln writes a yellow "WARNING: " line.
func (l *Log) Warningln(args ...any) { l.message(ansiYellow, "WARNING: ", args) }

// Errorln writes a bold red "ERROR: " line.
func (l *Log) Errorln(args ...any) { l.message(ansiBoldRed, "ERROR: ", args) }

// SectionStart opens a section named name (sanitised for GitLab) and shows
// header; an empty header shows the name.
func (l *Log) SectionStart(name, header string) {
	if header == "" {
		header = name
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writeLine(sectionStartLine(l.format, l.now().Unix(), l.sectionName(name), l.runnerText(header)))
}

// SectionEnd closes the section opened with the same name.
func (l *Log) SectionEnd(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writeLine(sectionEndLine(l.format, l.now().Unix(), l.sectionName(name)))
}

// sectionName is name as a section marker shows it: masked, then sanitised
// for GitLab, so that a secret becomes _MASKED_ and the marker still works.
// Sanitising can spell a secret out of what was none ("glpat-:x" becomes the
// token "glpat-_x"), so that result is masked and sanitised once more; the
// sanitised form is returned, so sectionStartLine's own sanitising keeps it.
func (l *Log) sectionName(name string) string {
	s := sanitizeSectionName(l.masks.maskString(name))
	if m := l.masks.maskString(s); m != s {
		s = sanitizeSectionName(m)
	}
	return s
}

// Stream returns a writer for raw script output. Each call returns a new
// writer with its own masking state, so give stdout and stderr one each: a
// value split across two writes of one stream is then not broken up by bytes
// of the other. Bytes are passed on as soon as they cannot be the start of a
// secret; the rest is released when the stream is closed or the log is.
//
// The writer is also an io.Closer: closing it when its step ends releases
// what it held back right away, so that those bytes come before the lines
// that follow rather than at the end of the log.
func (l *Log) Stream() io.Writer {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &streamWriter{log: l, m: masker{set: l.masks}}
	l.streams = append(l.streams, s)
	return s
}

// Close flushes what the Stream writers held back and returns the first error
// the underlying writer gave. Messages after Close are still written (they
// are masked whole), Stream writes are refused.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.err
	}
	l.closed = true
	for _, s := range l.streams {
		l.writeRaw(s.m.write(nil, nil, true))
	}
	l.streams = nil
	return l.err
}

func (l *Log) message(color, prefix string, args []any) {
	text := strings.TrimSuffix(fmt.Sprintln(args...), "\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	text = l.runnerText(prefix + text)
	if color != "" {
		text = color + text + ansiReset
	}
	l.writeLine(text + "\n")
}

// runnerText prepares a line the runner writes (not script output): masked,
// and with control characters escaped by safetext, the one owner of that
// rule. A job or runner name, or an error quoting one, can then neither
// send escape sequences to the reader's terminal nor start a line of its
// own that looks like ours ("Job succeeded"). Masking runs before escaping,
// while a value is still spelt as the job gave it, and again after, in case
// escaping spelt one out of the bytes around it.
func (l *Log) runnerText(text string) string {
	return l.masks.maskString(safetext.Escape(l.masks.maskString(text)))
}

// writeLine writes a whole line of the runner's own, starting it on a fresh
// line if script output left one open. The line is masked once more as a
// whole, so that no path of the runner's own lines writes a secret, even one
// that the colours or markers around its text happened to complete. Callers
// hold mu.
func (l *Log) writeLine(s string) {
	if s == "" {
		return
	}
	s = l.masks.maskString(s)
	if !l.atLineStart {
		l.writeRaw([]byte("\n"))
	}
	l.writeRaw([]byte(s))
}

// writeRaw writes already-masked bytes. Callers hold mu. After a failed write
// later ones are still tried: a transient error should not silence the log.
func (l *Log) writeRaw(b []byte) {
	if len(b) == 0 {
		return
	}
	if _, err := l.w.Write(b); err != nil && l.err == nil {
		l.err = fmt.Errorf("write build log: %w", err)
	}
	l.atLineStart = b[len(b)-1] == '\n'
}

// streamWriter is one Stream of a Log.
type streamWriter struct {
	log    *Log
	m      masker
	closed bool
}

// Write reports all of p as written even when part of it is held back: held
// bytes are not lost, they are released by a later Write or by Close.
func (s *streamWriter) Write(p []byte) (int, error) {
	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || s.closed {
		return 0, ErrBuildLogClosed
	}
	l.writeRaw(s.m.write(nil, p, false))
	if l.err != nil {
		return len(p), l.err
	}
	return len(p), nil
}

// Close releases what the stream held back and detaches it from the log;
// later writes to it fail with ErrBuildLogClosed. Closing twice is harmless.
func (s *streamWriter) Close() error {
	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.closed || l.closed {
		s.closed = true
		return l.err
	}
	s.closed = true
	l.writeRaw(s.m.write(nil, nil, true))
	for i, o := range l.streams {
		if o == s {
			l.streams = append(l.streams[:i], l.streams[i+1:]...)
			break
		}
	}
	return l.err
}
