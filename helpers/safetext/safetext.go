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
