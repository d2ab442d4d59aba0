package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The cursor's moves decide where both scans think a string, key or value
// ends; these pin the edge cases each relies on.

func TestCursorSkipString(t *testing.T) {
	tests := []struct {
		src    string
		closed bool
		rest   string // what is left after the move
		lines  int    // newlines passed over
	}{
		{`"a\"b" x`, true, " x", 0},
		{`'a\' x`, true, " x", 0},
		{"\"open\nx", false, "\nx", 0}, // left open: the newline stays
		{`"a\`, false, "", 0},
		{"\"\"\"a\n\\\"\"\"\"\"\" x", true, " x", 1}, // """a\n\"""""" : two quotes belong to the content
		{"'''a\n''' x", true, " x", 1},
		{"'''a\n", false, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			c := newCursor([]byte(tt.src))
			assert.Equal(t, tt.closed, c.skipString(tt.src[0]))
			assert.Equal(t, tt.rest, string(c.src[c.pos:]))
			assert.Equal(t, 1+tt.lines, c.line)
		})
	}
}

func TestCursorKey(t *testing.T) {
	tests := []struct {
		src   string
		parts []string
		ok    bool
		rest  string
	}{
		{"a = 1", []string{"a"}, true, "= 1"},
		{` a . "b.c" .'d'= 1`, []string{"a", `"b.c"`, "'d'"}, true, "= 1"},
		{"a. = 1", []string{"a"}, false, "= 1"},
		{"= 1", nil, false, "= 1"},
		{"\"open\n", nil, false, "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			c := newCursor([]byte(tt.src))
			var parts []string
			n, ok := c.key(func(raw []byte) { parts = append(parts, string(raw)) })
			assert.Equal(t, tt.parts, parts)
			assert.Equal(t, len(tt.parts), n)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.rest, string(c.src[c.pos:]))
		})
	}
}

func TestCursorSkipValue(t *testing.T) {
	src := "[1, { a = \"]\" }, # ]\n 2 ] # done\nnext"
	c := newCursor([]byte(src))
	var punct []byte
	c.skipValue(func(b byte) bool { punct = append(punct, b); return true })
	assert.Equal(t, "[,{},]", string(punct))
	assert.Equal(t, "next", string(c.src[c.pos:]))
	assert.Equal(t, 3, c.line)

	c = newCursor([]byte("[[[1]]]\n"))
	c.skipValue(func(b byte) bool { return b != '[' })
	assert.Equal(t, "[[1]]]\n", string(c.src[c.pos:]), "punct stops the walk")
}

func TestCursorStatementsNeverLoop(t *testing.T) {
	for _, src := range []string{"", "[", "=", "\x00", "a = 1\n=\n[b]"} {
		c := newCursor([]byte(src))
		none := func() bool { return true }
		c.statements(none, none) // neither moves the cursor
		assert.Equal(t, len(src), c.pos, "%q", src)
	}
}
