package config

import (
	"bytes"

	"kuberunner/common"
)

// The TOML pieces both scans step over without understanding them: strings,
// dotted keys and values. They are read only as far as needed to know where
// they end, which is all the scans need and all they may trust of the input.

// skipString moves past a basic or literal string, one-line or multi-line,
// starting at its opening quote q, and reports whether it was closed. A
// one-line string left open stops before the newline, for the caller to end
// the line.
func (c *cursor) skipString(q byte) bool {
	if bytes.HasPrefix(c.src[c.pos:], []byte{q, q, q}) {
		return c.skipMultiLine(q)
	}
	c.pos++
	for c.pos < len(c.src) {
		b := c.src[c.pos]
		switch {
		case b == '\n':
			return false
		case b == '\\' && q == '"' && c.pos+1 < len(c.src) && c.src[c.pos+1] != '\n':
			c.pos += 2
			continue
		}
		c.pos++
		if b == q {
			return true
		}
	}
	return false
}

// skipMultiLine moves past a """basic""" or ”'literal”' multi-line string
// starting at its opening quotes.
func (c *cursor) skipMultiLine(q byte) bool {
	c.pos += 3
	for c.pos < len(c.src) {
		if q == '"' && c.src[c.pos] == '\\' {
			c.next()
			c.next()
			continue
		}
		if bytes.HasPrefix(c.src[c.pos:], []byte{q, q, q}) {
			c.pos += 3
			// Up to two more quotes belong to the content: """a""""".
			for i := 0; i < 2 && c.peek() == q; i++ {
				c.pos++
			}
			return true
		}
		c.next()
	}
	return false
}

// key moves past a dotted key of bare, "basic" and 'literal' parts, calling
// part (if not nil) with each part as written, quotes included, and stops at
// the first byte after the key that is not a space. It returns how many
// parts it read, and false if it stopped at something that is not a part:
// none at all, one after a dot, or a string left open.
func (c *cursor) key(part func(raw []byte)) (n int, ok bool) {
	for {
		c.skipSpaces()
		start := c.pos
		switch b := c.peek(); {
		case b == '"' || b == '\'':
			if !c.skipString(b) {
				return n, false
			}
		case common.IsBareKeyChar(rune(b)):
			for c.pos < len(c.src) && common.IsBareKeyChar(rune(c.src[c.pos])) {
				c.pos++
			}
		default:
			return n, false
		}
		n++
		if part != nil {
			part(c.src[start:c.pos])
		}
		c.skipSpaces()
		if c.peek() != '.' {
			return n, true
		}
		c.pos++
	}
}

// skipValue moves past one value, which spans lines while an array or
// inline table is open, and the rest of its line. Each '[', '{', ',', ']'
// and '}' outside strings and comments is handed, once the cursor is past
// it, to punct (if not nil), which returns false to stop there.
func (c *cursor) skipValue(punct func(b byte) bool) {
	open := 0 // arrays and inline tables not yet closed
	for c.pos < len(c.src) {
		switch b := c.src[c.pos]; b {
		case '\n':
			c.next()
			if open == 0 {
				return
			}
		case '#':
			c.skipComment()
		case '"', '\'':
			c.skipString(b)
		case '[', '{', ',', ']', '}':
			c.pos++
			switch {
			case b == '[' || b == '{':
				open++
			case b != ',' && open > 0:
				open--
			}
			if punct != nil && !punct(b) {
				return
			}
		default:
			c.pos++
		}
	}
}

// statements reads the input statement by statement, past the blank lines
// and comments between them, calling header at each one that starts with
// '[' and keyValue at every other, until the input ends or one of them
// returns false. A statement that moves the cursor nowhere is skipped to the
// next line, so no input makes a scan loop forever.
func (c *cursor) statements(header, keyValue func() bool) {
	for c.pos < len(c.src) {
		start := c.pos
		c.skipBlank()
		more := true
		switch {
		case c.pos >= len(c.src):
		case c.peek() == '[':
			more = header()
		default:
			more = keyValue()
		}
		if c.pos == start {
			c.skipLine()
		}
		if !more {
			return
		}
	}
}
