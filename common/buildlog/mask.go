package buildlog

import (
	"bytes"
	"sort"
)

// maskToken replaces every masked value in the build log, as in GitLab.
const maskToken = "[MASKED]"

// maskSet is the immutable list of values to hide, shared by every writer of
// one build log.
type maskSet struct {
	// byFirst lists, per first byte, the values starting with it, longest
	// first: trying the longest candidate first is what makes the longest
	// match win, and the per-byte index keeps the common case (a byte that
	// starts no value) to one lookup.
	byFirst [256][][]byte
	empty   bool
}

func newMaskSet(values []string) *maskSet {
	s := &maskSet{empty: true}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		s.byFirst[v[0]] = append(s.byFirst[v[0]], []byte(v))
		s.empty = false
	}
	for i := range s.byFirst {
		c := s.byFirst[i]
		sort.SliceStable(c, func(a, b int) bool { return len(c[a]) > len(c[b]) })
	}
	return s
}

// matchAt looks for a masked value at the start of s. It returns the length of
// the longest value found, or wait=true when s is cut short and a value longer
// than any full match could still begin here. final means no more data
// follows, so nothing can be waited for.
func (s *maskSet) matchAt(b []byte, final bool) (n int, wait bool) {
	for _, v := range s.byFirst[b[0]] {
		if len(b) >= len(v) {
			if bytes.Equal(b[:len(v)], v) {
				return len(v), false
			}
			continue
		}
		if !final && bytes.HasPrefix(v, b) {
			return 0, true
		}
	}
	return 0, false
}

// masker is the streaming state of one writer: the tail it holds back because
// it could still be the start of a masked value.
type masker struct {
	set  *maskSet
	held []byte
}

// write appends to dst what can be released of held+p with masked values
// replaced, and keeps back the shortest tail that could still begin a masked
// value. With final, nothing is kept back.
//
// Scanning left to right and holding from the first undecided position keeps
// the output identical to masking the whole stream at once, whatever the
// write boundaries were.
func (m *masker) write(dst, p []byte, final bool) []byte {
	buf := p
	if len(m.held) > 0 {
		buf = append(m.held, p...)
	}
	if m.set.empty {
		m.held = nil
		return append(dst, buf...)
	}
	i, run := 0, 0
	for i < len(buf) {
		if len(m.set.byFirst[buf[i]]) == 0 {
			i++
			continue
		}
		n, wait := m.set.matchAt(buf[i:], final)
		if wait {
			break
		}
		if n == 0 {
			i++
			continue
		}
		dst = append(dst, buf[run:i]...)
		dst = append(dst, maskToken...)
		i += n
		run = i
	}
	dst = append(dst, buf[run:i]...)
	// Copy the tail: buf may be the caller's p, which io.Writer forbids keeping.
	m.held = append([]byte(nil), buf[i:]...)
	if len(m.held) == 0 {
		m.held = nil
	}
	return dst
}

// maskString masks a complete text, such as a log message.
func (s *maskSet) maskString(text string) string {
	if s.empty {
		return text
	}
	m := masker{set: s}
	return string(m.write(nil, []byte(text), true))
}
