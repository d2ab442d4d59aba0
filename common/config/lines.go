package config

import (
	"bytes"
	"strconv"
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
// lines: cursor's moves, shared with scanShape so the two agree. Keys inside inline tables and arrays are not recorded: line() falls
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
	cursor
	idx    lineIndex
	table  keyPath
	arrays map[string]int // array-of-tables path -> elements seen so far
}

func indexLines(data []byte) lineIndex {
	s := &lineScanner{cursor: newCursor(data), idx: lineIndex{}, arrays: map[string]int{}}
	s.pos = len(data) - len(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	s.statements(s.header, s.keyValue)
	return s.idx
}

func (s *lineScanner) record(p keyPath, line int) {
	k := p.String()
	if _, ok := s.idx[k]; !ok {
		s.idx[k] = line
	}
}

// header handles [a.b] and [[a.b]]. It, like keyValue, always lets the
// scan go on: the input has passed the parser, nothing in it is too much.
func (s *lineScanner) header() bool {
	line := s.line
	s.pos++
	array := s.peek() == '['
	if array {
		s.pos++
	}
	keys, ok := s.keys()
	if !ok || s.peek() != ']' {
		s.skipLine()
		return true
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
	return true
}

func (s *lineScanner) keyValue() bool {
	line := s.line
	keys, ok := s.keys()
	if !ok || s.peek() != '=' {
		s.skipLine()
		return true
	}
	s.pos++
	p := s.table
	for _, k := range keys {
		p = p.child(k)
		s.record(p, line)
	}
	s.skipValue(nil)
	return true
}

// keys reads a dotted key and returns its parts, unquoted.
func (s *lineScanner) keys() ([]string, bool) {
	var keys []string
	_, ok := s.key(func(raw []byte) {
		keys = append(keys, keyName(raw))
	})
	return keys, ok
}

// keyName is the name a key part stands for: a bare part as written, a
// quoted one without its quotes and, in "basic" ones, its escapes.
func keyName(raw []byte) string {
	switch raw[0] {
	case '"':
		if u, err := strconv.Unquote(string(raw)); err == nil {
			return u
		}
		return string(raw[1 : len(raw)-1]) // TOML-only escapes: close enough for a line number
	case '\'':
		return string(raw[1 : len(raw)-1])
	}
	return string(raw)
}
