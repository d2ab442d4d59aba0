package buildlog

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzMaskWriter writes input through Log.Stream in chunks whose sizes
// come from the fuzzer, and checks that the output is the input with the
// values replaced (whatever the write boundaries), and that no value shows.
func FuzzMaskWriter(f *testing.F) {
	f.Add("pw=hunter2 and hunter2\n", "hunter2", "", []byte{3, 1, 4})
	f.Add("a secretive secret sec", "secret", "secretive", []byte{1})
	f.Add("abcdef bcdef", "abc", "bcd", []byte{2, 5})
	f.Add("aaaaab", "aab", "ab", []byte{1, 1, 1})
	f.Add("", "x", "y", []byte{})
	f.Fuzz(func(t *testing.T, input, v1, v2 string, cuts []byte) {
		values := []string{v1, v2}
		var out bytes.Buffer
		l := New(&out, LogFormatTerminal, values)
		w := l.Stream()
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
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if want := maskReference(input, values); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
		for _, v := range values {
			// A value made of bytes of the mask token can be spelt by the
			// token itself ("MASK"), and a value can straddle a token and
			// the text after it; only values sharing no byte with the token
			// are guaranteed absent.
			if v != "" && !strings.ContainsAny(v, maskToken) && strings.Contains(got, v) {
				t.Fatalf("value %q appears in output %q", v, got)
			}
		}
	})
}
