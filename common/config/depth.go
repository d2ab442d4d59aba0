package config

import (
	"bytes"
	"errors"
)

// scanShape reports whether tables, arrays and inline tables in data nest
// at most maxDepth levels and weigh at most maxWeight, and if not, which
// limit was passed (errDepth or errWeight) at which line.
//
// The weight is what the TOML library spends memory on: for every key,
// every part of a dotted key or header, every array and every inline
// table, it keeps the full path to it, so each costs in proportion to its
// depth. The weight is the sum of depth+1 over all of them. A deep inline
// table costs the square of its depth; a file of a million flat keys costs
// a million entries; both are bounded by it, while real files weigh a few
// thousand.
//
// It is a pre-scan, so it must be cheap and must not trust the input: one
// pass, no recursion, a stack that never grows past maxDepth+1. It follows
// only what decides nesting: headers ([a.b], [[a]]), dotted keys
// (a.b.c = 1 makes tables a and b), the brackets and braces of values, and
// the strings and comments that can hide a bracket. Anything it does not
// understand it skips; the TOML parser rejects that input later, and what
// the parser accepts is never deeper than counted here, but for one case:
// an array of tables named again in a later header ([[a]] then [a.b]) is a
// level the header does not show, so the true bound is 2×maxDepth.
func scanShape(data []byte, maxDepth, maxWeight int) (over error, line int) {
	s := &depthScanner{src: data, line: 1, maxDepth: maxDepth, maxWeight: maxWeight}
	for s.pos < len(s.src) && s.over == nil {
		start := s.pos
		s.statement()
		if s.pos == start {
			s.skipLine()
		}
	}
	return s.over, s.overLine
}

// Which limit scanShape found passed.
var (
	errDepth  = errors.New("too deep")
	errWeight = errors.New("too heavy")
)

type depthScanner struct {
	src       []byte
	pos       int
	line      int
	maxDepth  int
	maxWeight int
	table     int   // depth of the table the last header opened
	stack     []int // depth of each open array or inline table of a value
	inline    []bool
	weight    int
	over      error // errDepth or errWeight once a limit is passed
	overLine  int
}

// enter notes n entries (key parts, or one array or inline table) at
// depths first .. first+n-1, and stops the scan when the last is too deep
// or the total weight too high.
func (s *depthScanner) enter(first, n int) bool {
	if s.over != nil {
		return false
	}
	last := first + n - 1
	switch {
	case last > s.maxDepth:
		s.over = errDepth
	case n > 0 && (n*(first+1)+n*(n-1)/2 > s.maxWeight-s.weight):
		s.over = errWeight
	default:
		s.weight += n*(first+1) + n*(n-1)/2
		return true
	}
	s.overLine = s.line
	return false
}

func (s *depthScanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *depthScanner) next() {
	if s.pos < len(s.src) {
		if s.src[s.pos] == '\n' {
			s.line++
		}
		s.pos++
	}
}

func (s *depthScanner) skipLine() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
	s.next()
}

func (s *depthScanner) skipComment() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
}

// skipBlank skips whitespace, newlines and comments.
func (s *depthScanner) skipBlank() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.next()
		case '#':
			s.skipComment()
		default:
			return
		}
	}
}

func (s *depthScanner) statement() {
	s.skipBlank()
	if s.pos >= len(s.src) {
		return
	}
	if s.peek() == '[' {
		s.header()
		return
	}
	n := s.keyParts()
	if n == 0 || s.peek() != '=' {
		s.skipLine()
		return
	}
	s.pos++
	// a.b.c = v: table a at depth table+1, b below it, and the key c in
	// b, so v sits n-1 levels below the current table.
	if s.enter(s.table+1, n) {
		s.value(s.table + n - 1)
	}
}

// header reads [a.b] (tables at depths 1 and 2) or [[a.b]] (and the
// element, a table inside the array, at depth 3).
func (s *depthScanner) header() {
	s.pos++
	array := 0
	if s.peek() == '[' {
		s.pos++
		array = 1
	}
	n := s.keyParts() + array
	if !s.enter(1, n) {
		return
	}
	s.table = n
	s.skipLine()
}

// keyParts reads a dotted key and returns how many parts it has; it stops
// at the first byte after the key that is not a space.
func (s *depthScanner) keyParts() int {
	n := 0
	for {
		for c := s.peek(); c == ' ' || c == '\t'; c = s.peek() {
			s.pos++
		}
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			if !s.skipString(c) {
				return n
			}
		case c < 0x80 && isBareKeyByte(c):
			for s.pos < len(s.src) && isBareKeyByte(s.src[s.pos]) {
				s.pos++
			}
		default:
			return n
		}
		n++
		for c := s.peek(); c == ' ' || c == '\t'; c = s.peek() {
			s.pos++
		}
		if s.peek() != '.' {
			return n
		}
		s.pos++
	}
}

func isBareKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value moves past one value whose key lives at depth base, counting the
// arrays and inline tables it opens, and past the rest of its line.
func (s *depthScanner) value(base int) {
	s.stack, s.inline = s.stack[:0], s.inline[:0]
	cur := base // depth of the table or array the next value sits in
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case '\n':
			s.next()
			if len(s.stack) == 0 {
				return
			}
		case '#':
			s.skipComment()
		case '"', '\'':
			s.skipString(c)
		case '[', '{':
			s.pos++
			if !s.enter(cur+1, 1) {
				return
			}
			cur++
			s.stack = append(s.stack, cur)
			s.inline = append(s.inline, c == '{')
			if c == '{' && !s.inlineKey(&cur) {
				return
			}
		case ',':
			s.pos++
			if n := len(s.stack); n > 0 {
				cur = s.stack[n-1]
				if s.inline[n-1] && !s.inlineKey(&cur) {
					return
				}
			}
		case ']', '}':
			s.pos++
			if n := len(s.stack); n > 0 {
				s.stack, s.inline = s.stack[:n-1], s.inline[:n-1]
			}
			cur = base
			if n := len(s.stack); n > 0 {
				cur = s.stack[n-1]
			}
		default:
			s.pos++
		}
	}
}

// inlineKey reads the key of an inline table's entry, if one follows, and
// moves *cur to the table its value goes in: {a.b.c = v} puts v two levels
// below the inline table.
func (s *depthScanner) inlineKey(cur *int) bool {
	s.skipBlank()
	n := s.keyParts()
	if n == 0 {
		return true // "{}" or "{ }": nothing to count
	}
	if !s.enter(*cur+1, n) {
		return false
	}
	*cur += n - 1
	for c := s.peek(); c == ' ' || c == '\t'; c = s.peek() {
		s.pos++
	}
	if s.peek() == '=' {
		s.pos++
	}
	return true
}

// skipString moves past a basic or literal string, one-line or multi-line,
// and reports whether it was closed.
func (s *depthScanner) skipString(q byte) bool {
	if bytes.HasPrefix(s.src[s.pos:], []byte{q, q, q}) {
		s.pos += 3
		for s.pos < len(s.src) {
			if q == '"' && s.src[s.pos] == '\\' {
				s.next()
				s.next()
				continue
			}
			if bytes.HasPrefix(s.src[s.pos:], []byte{q, q, q}) {
				s.pos += 3
				for i := 0; i < 2 && s.peek() == q; i++ {
					s.pos++
				}
				return true
			}
			s.next()
		}
		return false
	}
	s.pos++
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '\n':
			return false // unterminated: the caller ends the line
		case c == '\\' && q == '"' && s.pos+1 < len(s.src) && s.src[s.pos+1] != '\n':
			s.pos += 2
			continue
		}
		s.pos++
		if c == q {
			return true
		}
	}
	return false
}
