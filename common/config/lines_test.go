package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIndexLines(t *testing.T) {
	src := "\xef\xbb\xbf" + `a = "x # not a comment \" still = string"
b = """
c = 1
"""""
d = '''
[e]
'''
f = [ { g = 1 },
  { g = 2 } ]
"h.i" . j = 1   # a dotted key with a quoted part
[k . "l.m"]
n = 'lit\'
[[o]]
[[o]]
p = 1
[o.q]
r = 1
`
	idx := indexLines([]byte(src))
	tests := []struct {
		path keyPath
		want int
	}{
		{keyPath{}.child("a"), 1},
		{keyPath{}.child("b"), 2},
		{keyPath{}.child("d"), 5},
		{keyPath{}.child("f"), 8},
		{keyPath{}.child("f").at(1).child("g"), 8}, // inside an inline array: falls back to f
		{keyPath{}.child("h.i"), 10},
		{keyPath{}.child("h.i").child("j"), 10},
		{keyPath{}.child("k").child("l.m"), 11},
		{keyPath{}.child("k").child("l.m").child("n"), 12},
		{keyPath{}.child("o"), 13},
		{keyPath{}.child("o").at(0), 13},
		{keyPath{}.child("o").at(1), 14},
		{keyPath{}.child("o").at(1).child("p"), 15},
		{keyPath{}.child("o").at(1).child("q").child("r"), 17},
		{keyPath{}.child("c"), 0},
		{keyPath{}.child("e"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.path.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, idx.line(tt.path))
		})
	}
}

func TestIndexLinesNeverLoops(t *testing.T) {
	for _, src := range []string{"", "[", "[[", "\"", "a = \"\\", "a = '''", "a = \"\"\"\\", "= 1", "[a.\"b", "a.", "\x00\xff"} {
		t.Run(src, func(t *testing.T) {
			assert.NotPanics(t, func() { indexLines([]byte(src)) })
		})
	}
}
