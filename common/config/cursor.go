package config

// cursor is a position in a TOML file, counting lines, with the moves the
// two scans of a file share: scanShape's pre-scan of untrusted input
// (depth.go) and indexLines' search for each key's line (lines.go). Both
// must agree with each other, and with the TOML parser, on where a comment,
// a string or a value ends, so that logic has this one owner; each scan
// keeps only what it records along the way.
//
// No move ever reads past the end of src or moves pos backwards, and each
// counts every newline it passes over exactly once, so line is always the
// 1-based line of pos.
type cursor struct {
	src  []byte
	pos  int
	line int
}

func newCursor(src []byte) cursor {
	return cursor{src: src, line: 1}
}

// peek returns the byte at pos, or 0 at the end of the input.
func (c *cursor) peek() byte {
	if c.pos < len(c.src) {
		return c.src[c.pos]
	}
	return 0
}

// next consumes one byte, counting lines.
func (c *cursor) next() {
	if c.pos < len(c.src) {
		if c.src[c.pos] == '\n' {
			c.line++
		}
		c.pos++
	}
}

// skipLine moves past the rest of the line and its newline.
func (c *cursor) skipLine() {
	c.skipComment()
	c.next()
}

// skipComment moves to the newline that ends the line, which stays for the
// caller: whether it ends a value is the caller's to decide.
func (c *cursor) skipComment() {
	for c.pos < len(c.src) && c.src[c.pos] != '\n' {
		c.pos++
	}
}

// skipSpaces moves past spaces and tabs, which may stand between the parts
// of a dotted key and around the '='.
func (c *cursor) skipSpaces() {
	for b := c.peek(); b == ' ' || b == '\t'; b = c.peek() {
		c.pos++
	}
}

// skipBlank moves past whitespace, newlines and comments: what may stand
// between statements, or between the entries of an inline table.
func (c *cursor) skipBlank() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\r', '\n':
			c.next()
		case '#':
			c.skipComment()
		default:
			return
		}
	}
}
