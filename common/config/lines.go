package config

import (
	"bytes"
	"strconv"

	"kuberunner/common"
)

// BurntSushi/toml v1.6.0 records a position for every key while parsing
// (parser.keyInfo), but MetaData keeps it private and keys it without
// array-of-tables indexes, so runners[0].image and runners[1].image would
// share one entry anyway. Only ParseError exposes a Position. The loader
// therefore finds lines itself with the small scan below, which runs only on
// input the toml parser has already accepted.
//
// The scan walks the file statement by statement. It tracks the current
// table from [table] and [[array]] headers, counting array elements so that
// the second [[runners]] becomes runners[1], and records the first line of
// every table and key. Values are skipped without being understood; the scan
// only needs to know where they end, which means following strings (all four
// kinds), comments, and brackets for arrays and inline tables that span
// lines. Keys inside inline tables and arrays are not recorded: line() falls
// back to the enclosing key, which is on the same or an earlier line.

// lineIndex maps keyPath.String() to the 1-based line that first defines it.
type lineIndex map[string]int

// line returns the line of p, or of its nearest known ancestor, or 0.
func (idx lineIndex) line(p keyPath) int {
	for n := len(p); n > 0; n-- {
		if l, ok := idx[p[:n].String()]; ok {
			return l
		}
	}
	return 0
}

type lineScanner struct {
	src    []byte
	pos    int
	line   int
	idx    lineIndex
	table  keyPath
	arrays map[string]int // array-of-tables path -> elements seen so far
}

func indexLines(data []byte) lineIndex {
	s := &lineScanner{src: data, line: 1, idx: lineIndex{}, arrays: map[string]int{}}
	s.pos = len(data) - len(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	for s.pos < len(s.src) {
		start := s.pos
		s.statement()
		if s.pos == start { // anything unexpected: never loop forever
			s.skipLine()
		}
	}
	return s.idx
}

func (s *lineScanner) record(p keyPath, line int) {
	k := p.String()
	if _, ok := s.idx[k]; !ok {
		s.idx[k] = line
	}
}

func (s *lineScanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

// next consumes one byte, counting lines.
func (s *lineScanner) next() {
	if s.pos < len(s.src) {
		if s.src[s.pos] == '\n' {
			s.line++
		}
		s.pos++
	}
}

func (s *lineScanner) skipLine() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
	s.next()
}

func (s *lineScanner) skipSpaces() {
	for c := s.peek(); c == ' ' || c == '\t'; c = s.peek() {
		s.pos++
	}
}

// skipBlank skips whitespace, newlines and comments between statements.
func (s *lineScanner) skipBlank() {
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

func (s *lineScanner) skipComment() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
}

func (s *lineScanner) statement() {
	s.skipBlank()
	if s.pos >= len(s.src) {
		return
	}
	if s.peek() == '[' {
		s.header()
		return
	}
	s.keyValue()
}

// header handles [a.b] and [[a.b]].
func (s *lineScanner) header() {
	line := s.line
	s.pos++
	array := s.peek() == '['
	if array {
		s.pos++
	}
	keys, ok := s.keys()
	if !ok || s.peek() != ']' {
		s.skipLine()
		return
	}
	s.skipLine()

	var p keyPath
	for i, k := range keys {
		p = p.child(k)
		last := i == len(keys)-1
		if last && array {
			ps := p.String()
			s.arrays[ps]++
			s.record(p, line)
			p = p.at(s.arrays[ps] - 1)
		} else if n, ok := s.arrays[p.String()]; ok && !last {
			// A dotted header through an array of tables means its
			// latest element, as in [runners.kubernetes].
			s.record(p, line)
			p = p.at(n - 1)
		}
		s.record(p, line)
	}
	s.table = p
}

func (s *lineScanner) keyValue() {
	line := s.line
	keys, ok := s.keys()
	if !ok || s.peek() != '=' {
		s.skipLine()
		return
	}
	s.pos++
	p := s.table
	for _, k := range keys {
		p = p.child(k)
		s.record(p, line)
	}
	s.skipValue()
}

// keys reads a dotted key (bare, "basic" or 'literal' parts) and stops at
// the first byte after it that is not a space.
func (s *lineScanner) keys() ([]string, bool) {
	var keys []string
	for {
		s.skipSpaces()
		var k string
		switch c := s.peek(); {
		case c == '"':
			raw, ok := s.quoted('"')
			if !ok {
				return nil, false
			}
			if u, err := strconv.Unquote(raw); err == nil {
				k = u
			} else {
				k = raw[1 : len(raw)-1] // TOML-only escapes: close enough for a line number
			}
		case c == '\'':
			raw, ok := s.quoted('\'')
			if !ok {
				return nil, false
			}
			k = raw[1 : len(raw)-1]
		case c < 0x80 && common.IsBareKeyChar(rune(c)):
			start := s.pos
			for s.pos < len(s.src) && s.src[s.pos] < 0x80 && common.IsBareKeyChar(rune(s.src[s.pos])) {
				s.pos++
			}
			k = string(s.src[start:s.pos])
		default:
			return nil, false
		}
		keys = append(keys, k)
		s.skipSpaces()
		if s.peek() != '.' {
			return keys, true
		}
		s.pos++
	}
}

// quoted reads a one-line string starting at the opening quote and returns
// it with its quotes.
func (s *lineScanner) quoted(q byte) (string, bool) {
	start := s.pos
	s.pos++
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '\n':
			return "", false
		case c == '\\' && q == '"' && s.pos+1 < len(s.src) && s.src[s.pos+1] != '\n':
			s.pos += 2
			continue
		case c == q:
			s.pos++
			return string(s.src[start:s.pos]), true
		}
		s.pos++
	}
	s.pos = len(s.src)
	return "", false
}

// skipValue moves past one value, which may span lines, and the rest of its
// line.
func (s *lineScanner) skipValue() {
	depth := 0
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case '\n':
			s.next()
			if depth == 0 {
				return
			}
		case '#':
			s.skipComment()
		case '"', '\'':
			s.skipString(c)
		case '[', '{':
			depth++
			s.pos++
		case ']', '}':
			if depth > 0 {
				depth--
			}
			s.pos++
		default:
			s.pos++
		}
	}
}

// skipString moves past a basic or literal string, one-line or multi-line.
func (s *lineScanner) skipString(q byte) {
	triple := bytes.HasPrefix(s.src[s.pos:], []byte{q, q, q})
	if !triple {
		s.pos++
		for s.pos < len(s.src) {
			c := s.src[s.pos]
			switch {
			case c == '\n':
				return // unterminated: let the caller end the line
			case c == '\\' && q == '"' && s.pos+1 < len(s.src) && s.src[s.pos+1] != '\n':
				s.pos += 2
				continue
			}
			s.pos++
			if c == q {
				return
			}
		}
		return
	}
	s.pos += 3
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if c == '\\' && q == '"' {
			s.next()
			s.next()
			continue
		}
		if bytes.HasPrefix(s.src[s.pos:], []byte{q, q, q}) {
			s.pos += 3
			// Up to two more quotes belong to the content: """a""""".
			for i := 0; i < 2 && s.peek() == q; i++ {
				s.pos++
			}
			return
		}
		s.next()
	}
}
