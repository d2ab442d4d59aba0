package config

import "errors"

// scanShape reports whether tables, arrays and inline tables in data nest
// at most maxDepth levels and weigh at most maxWeight, and if not, at which
// line and which limit was passed (errDepth or errWeight).
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
func scanShape(data []byte, maxDepth, maxWeight int) (line int, over error) {
	s := &depthScanner{cursor: newCursor(data), maxDepth: maxDepth, maxWeight: maxWeight}
	s.statements(s.header, s.keyValue)
	return s.overLine, s.over
}

// Which limit scanShape found passed.
var (
	errDepth  = errors.New("too deep")
	errWeight = errors.New("too heavy")
)

type depthScanner struct {
	cursor
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

// keyValue reads a = v, or a.b.c = v: table a at depth table+1, b below
// it, and the key c in b, so v sits n-1 levels below the current table.
func (s *depthScanner) keyValue() bool {
	n, _ := s.key(nil)
	if n == 0 || s.peek() != '=' {
		s.skipLine()
		return true
	}
	s.pos++
	if s.enter(s.table+1, n) {
		s.value(s.table + n - 1)
	}
	return s.over == nil
}

// header reads [a.b] (tables at depths 1 and 2) or [[a.b]] (and the
// element, a table inside the array, at depth 3).
func (s *depthScanner) header() bool {
	s.pos++
	array := 0
	if s.peek() == '[' {
		s.pos++
		array = 1
	}
	n, _ := s.key(nil)
	if !s.enter(1, n+array) {
		return false
	}
	s.table = n + array
	s.skipLine()
	return true
}

// value moves past one value whose key lives at depth base, counting the
// arrays and inline tables it opens, and past the rest of its line.
func (s *depthScanner) value(base int) {
	s.stack, s.inline = s.stack[:0], s.inline[:0]
	cur := base // depth of the table or array the next value sits in
	s.skipValue(func(b byte) bool {
		n := len(s.stack)
		switch b {
		case '[', '{':
			if !s.enter(cur+1, 1) {
				return false
			}
			cur++
			s.stack = append(s.stack, cur)
			s.inline = append(s.inline, b == '{')
			return b == '[' || s.inlineKey(&cur)
		case ',':
			if n > 0 {
				cur = s.stack[n-1]
				return !s.inline[n-1] || s.inlineKey(&cur)
			}
		default: // ']' or '}'
			if n > 0 {
				s.stack, s.inline = s.stack[:n-1], s.inline[:n-1]
			}
			cur = base
			if n > 1 {
				cur = s.stack[n-2]
			}
		}
		return true
	})
}

// inlineKey reads the key of an inline table's entry, if one follows, and
// moves *cur to the table its value goes in: {a.b.c = v} puts v two levels
// below the inline table.
func (s *depthScanner) inlineKey(cur *int) bool {
	s.skipBlank()
	n, _ := s.key(nil)
	if n == 0 {
		return true // "{}" or "{ }": nothing to count
	}
	if !s.enter(*cur+1, n) {
		return false
	}
	*cur += n - 1
	s.skipSpaces()
	if s.peek() == '=' {
		s.pos++
	}
	return true
}
