// Package safetext makes text from outside (job names, runner names, error
// messages that quote them) safe to print on a terminal or into a build log.
// It is the one place that decides which characters are escaped, so that
// every front door escapes the same way.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every character that could change how the output
// looks, rather than just appear in it, written as a Go escape: \x1b for
// ESC, \n for a newline, \u202e for a bidi override, \xff for a byte that
// is not UTF-8. A job name with an escape sequence could otherwise retitle
// the terminal, and one with a newline could forge a "Job succeeded" line.
// Tabs and every printable character (backslashes too) are kept as they
// are, so ordinary text reads unchanged.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&0xf, 16))
		case keep(r):
			b.WriteString(s[i : i+size])
		default:
			// QuoteRune gives the shortest Go escape ('\x1b', '\n',
			// '\u202e'); only the part between the quotes is wanted.
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// keep is true for what prints as itself. unicode.IsPrint is false for
// control characters (C0, DEL, C1) and for format characters such as the
// bidi overrides, which can make a line read differently from its bytes.
func keep(r rune) bool {
	return r == '\t' || unicode.IsPrint(r)
}

// clean is the fast path: most names need no escaping at all.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c >= 0x7f {
			return cleanSlow(s[i:])
		}
	}
	return true
}

func cleanSlow(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !keep(r) {
			return false
		}
		i += size
	}
	return true
}

// Cap returns s cut to at most n bytes, on a character boundary, with a
// note of its whole length, so that a runaway string (a job name of
// megabytes) cannot flood a log; s itself when it is no longer.
func Cap(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return prefix(s, n) + cutNote(len(s))
}

// Short is s escaped and capped: a string from outside as one safe,
// bounded piece of a log line. Only what can be kept is escaped, and the
// escaped text is capped too, as escaping can make it longer.
func Short(s string, n int) string {
	e := Escape(prefix(s, n))
	if len(s) <= n && len(e) <= n {
		return e
	}
	return prefix(e, n) + cutNote(len(s))
}

// cutNote ends a string that was cut, naming its whole length.
func cutNote(size int) string {
	return "… (" + strconv.Itoa(size) + " bytes)"
}

// prefix is s's first n bytes, less the start of a character they would
// cut in two. It steps back at most UTFMax-1 bytes: invalid UTF-8 may
// have no character start to find.
func prefix(s string, n int) string {
	if n >= len(s) {
		return s
	}
	n = max(n, 0)
	for i := 0; i < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); i++ {
		n--
	}
	return s[:n]
}
