package buildlog

import (
	"bytes"
	"strings"
	"testing"

	"kuberunner/common"
)

// FuzzMaskWriter writes input through Log.Stream in chunks whose sizes
// come from the fuzzer, and checks that the output is the input with the
// values and prefixed tokens replaced, the same whatever the write
// boundaries; that no value, and no prefix followed by a token byte, shows;
// and that the stream never holds back horizon bytes or more.
func FuzzMaskWriter(f *testing.F) {
	f.Add("pw=hunter2 and hunter2\n", "hunter2", "", "", "", []byte{3, 1, 4})
	f.Add("a secretive secret sec", "secret", "secretive", "", "", []byte{1})
	f.Add("abcdef bcdef", "abc", "bcd", "", "", []byte{2, 5})
	f.Add("aaaaab", "aab", "ab", "", "", []byte{1, 1, 1})
	f.Add("", "x", "y", "", "", []byte{})
	f.Add("id glpat-abc.01-x_Y z glpat- glp", "", "", "glpat-", "", []byte{1, 1, 1})
	f.Add("glpat-abc gla gl- gl ", "", "", "gl", "glpat-", []byte{2, 3, 1})
	f.Add("ab:cd e ab: f", "", "", "a", "ab:", []byte{1})
	f.Add("s3cr3t!glpat-x glpat-ab cd glpat-ab ce", "s3cr3t!", "glpat-ab cd", "glpat-", "", []byte{0, 7, 2})
	f.Add("t-"+strings.Repeat("x", 100)+" t-y", "abc", "", "t-", "", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, input, v1, v2, p1, p2 string, cuts []byte) {
		values, prefixes := []string{v1, v2}, []string{p1, p2}
		rules := common.MaskRules{Values: values, TokenPrefixes: prefixes}
		var out bytes.Buffer
		l := NewWithRules(&out, LogFormatTerminal, rules)
		w := l.Stream()
		sw := w.(*streamWriter)
		rest := []byte(input)
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if i < len(cuts) {
				n = min(int(cuts[i])%8+1, n)
			}
			if k, err := w.Write(rest[:n]); err != nil || k != n {
				t.Fatalf("Write = %d, %v", k, err)
			}
			rest = rest[n:]
			if len(sw.m.held) >= l.masks.horizon {
				t.Fatalf("held %d bytes, horizon %d", len(sw.m.held), l.masks.horizon)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if want := maskReference(input, values, prefixes); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
		if whole := l.masks.maskString(input); got != whole {
			t.Fatalf("split writes gave %q, one write %q", got, whole)
		}
		// A rule made of bytes of the mask token can be spelt by the token
		// itself ("MASK"), and a value can straddle a token and the text
		// after it; only rules sharing no byte with the token are
		// guaranteed absent.
		for _, v := range values {
			if v != "" && !strings.ContainsAny(v, maskToken) && strings.Contains(got, v) {
				t.Fatalf("value %q appears in output %q", v, got)
			}
		}
		for _, p := range prefixes {
			if p == "" || strings.ContainsAny(p, maskToken) {
				continue
			}
			for i := 0; ; {
				k := strings.Index(got[i:], p)
				if k < 0 {
					break
				}
				i += k + len(p)
				if i < len(got) && common.IsTokenByte(got[i]) {
					t.Fatalf("prefix %q followed by token byte %q in output %q", p, got[i], got)
				}
				i -= len(p) - 1
			}
		}
	})
}
