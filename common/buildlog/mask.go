package buildlog

import (
	"bytes"
	"sort"

	"kuberunner/common"
)

// maskToken replaces every masked value and every prefixed token in the
// build log, as in GitLab.
const maskToken = "[MASKED]"

// maskSet is the immutable set of rules, shared by every writer of one build
// log. It hides two kinds of secret:
//
//   - values (common.MaskRules.Values): the exact bytes;
//   - tokens (common.MaskRules.TokenPrefixes): a prefix such as "glpat-"
//     followed by one or more token bytes (common.IsTokenByte), the whole
//     run of them, however long. A prefix with no token byte after it ("glpat-"
//     at the end of a line or before a space) is not a token and is shown, as
//     in GitLab.
//
// Secrets are found left to right; where several start at the same byte the
// longest wins, and the text after a secret is searched from its end. The
// whole secret becomes one maskToken.
type maskSet struct {
	// values and prefixes list, per first byte, the rules starting with it.
	// values are longest first: trying the longest candidate first is what
	// makes the longest match win. starts says whether any rule starts with
	// a byte, so the common case (a byte that starts none) is one lookup.
	values   [256][][]byte
	prefixes [256][][]byte
	starts   [256]bool
	// horizon is one more than the longest value or prefix. A token that has
	// reached horizon bytes from its start is longer than any value, and every
	// token through another prefix at that start ends where it ends, so the
	// token is certain to be the longest match there: it is masked at once
	// and the rest of its run dropped as it arrives. That bounds what a writer
	// holds back to horizon-1 bytes, whatever the token's length.
	horizon int
	empty   bool
}

func newMaskSet(rules common.MaskRules) *maskSet {
	s := &maskSet{empty: true}
	longest := 0
	add := func(index *[256][][]byte, list []string) {
		seen := map[string]bool{}
		for _, v := range list {
			// An empty value would match everywhere, an empty prefix would
			// hide every word: both are ignored.
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			index[v[0]] = append(index[v[0]], []byte(v))
			s.starts[v[0]] = true
			s.empty = false
			longest = max(longest, len(v))
		}
	}
	add(&s.values, rules.Values)
	add(&s.prefixes, rules.TokenPrefixes)
	for i := range s.values {
		c := s.values[i]
		sort.SliceStable(c, func(a, b int) bool { return len(c[a]) > len(c[b]) })
	}
	s.horizon = longest + 1
	return s
}

// matchAt decides what secret, if any, starts at b[0]. It returns the length
// n of the longest one (0 for none); open reports that it is a token that
// runs on past b[n-1], so the token bytes that follow belong to it too. wait
// reports that b is cut short and more bytes could change the answer; with
// final, no more bytes follow and it never waits.
//
// The work is bounded by the rules starting with b[0] and by horizon, never
// by the length of a token or of b.
func (s *maskSet) matchAt(b []byte, final bool) (n int, open, wait bool) {
	for _, p := range s.prefixes[b[0]] {
		if len(b) < len(p) {
			if !final && bytes.HasPrefix(p, b) {
				wait = true
			}
			continue
		}
		if !bytes.Equal(b[:len(p)], p) {
			continue
		}
		j := len(p)
		for j < len(b) && j < s.horizon && common.IsTokenByte(b[j]) {
			j++
		}
		switch {
		case j >= s.horizon:
			// horizon > len(p), so at least one token byte was seen.
			return j, true, false
		case j == len(b) && !final:
			// Either the byte after the prefix has not arrived yet or the
			// token may run on: both are decided by the next byte.
			wait = true
		case j > len(p):
			n = max(n, j)
		}
	}
	for _, v := range s.values[b[0]] {
		if len(v) <= n {
			break // longest first: nothing after this can beat n
		}
		if len(b) >= len(v) {
			if bytes.Equal(b[:len(v)], v) {
				n = len(v)
				break
			}
			continue
		}
		if !final && bytes.HasPrefix(v, b) {
			wait = true
			break
		}
	}
	if wait {
		return 0, false, true
	}
	return n, false, false
}

// masker is the streaming state of one writer: the tail it holds back because
// it could still be the start of a secret, and whether it is inside a token
// already masked, whose remaining bytes are dropped.
type masker struct {
	set     *maskSet
	held    []byte
	inToken bool
}

// write appends to dst what can be released of held+p with secrets
// replaced, and keeps back the shortest tail that could still begin a
// secret (fewer than set.horizon bytes). With final, nothing is kept back.
//
// Scanning left to right and holding from the first undecided position keeps
// the output identical to masking the whole stream at once, whatever the
// write boundaries were. Each byte is looked at a bounded number of times
// (by the rules, not by the input), so masking is linear in the log's size.
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
		if m.inToken {
			if common.IsTokenByte(buf[i]) {
				i++
				run = i
				continue
			}
			m.inToken = false
		}
		if !m.set.starts[buf[i]] {
			i++
			continue
		}
		n, open, wait := m.set.matchAt(buf[i:], final)
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
		m.inToken = open
	}
	dst = append(dst, buf[run:i]...)
	// Copy the tail: buf may be the caller's p, which io.Writer forbids keeping.
	m.held = append([]byte(nil), buf[i:]...)
	if len(m.held) == 0 {
		m.held = nil
	}
	if final {
		m.inToken = false
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
