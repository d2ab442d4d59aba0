package config

import (
	"strconv"
	"strings"

	"kuberunner/common"
)

// keyPath names a value of config.toml the way messages show it, for example
// runners[0].kubernetes.pull_policy. The same spelling is the key of the line
// index (config_lines.go), so the decoder can ask for a value's line.
type keyPath []pathElem

type pathElem struct {
	key     string
	index   int
	isIndex bool
}

// child returns a new path; it never shares the backing array, because
// sibling paths are built from the same parent.
func (p keyPath) child(key string) keyPath {
	out := make(keyPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, pathElem{key: key})
}

func (p keyPath) at(i int) keyPath {
	out := make(keyPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, pathElem{index: i, isIndex: true})
}

func (p keyPath) String() string {
	var b strings.Builder
	for i, e := range p {
		if e.isIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(common.TOMLKey(e.key))
	}
	return b.String()
}

// pattern is p's keys joined by dots, without indexes and unquoted: the
// spelling of numericRanges, where one row covers every runner and every
// element of an array.
func (p keyPath) pattern() string {
	keys := make([]string, 0, len(p))
	for _, e := range p {
		if !e.isIndex {
			keys = append(keys, e.key)
		}
	}
	return strings.Join(keys, ".")
}
