package buildlog

import (
	"bytes"
	"strings"
	"testing"
)

// maskReference is the definition the streaming masker must agree with:
// scan left to right, replace the longest value starting at each position.
// It is deliberately naive so that it is obviously right.
func maskReference(in string, values []string) string {
	var b strings.Builder
	for i := 0; i < len(in); {
		best := 0
		for _, v := range values {
			if v != "" && len(v) > best && strings.HasPrefix(in[i:], v) {
				best = len(v)
			}
		}
		if best == 0 {
			b.WriteByte(in[i])
			i++
			continue
		}
		b.WriteString(maskToken)
		i += best
	}
	return b.String()
}

// streamMasked writes chunks through a fresh masker and returns the output.
func streamMasked(values []string, chunks ...string) string {
	m := masker{set: newMaskSet(values)}
	var out []byte
	for _, c := range chunks {
		out = m.write(out, []byte(c), false)
	}
	return string(m.write(out, nil, true))
}

func TestMaskerTable(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		in     string
		want   string
	}{
		{"no values", nil, "a secret", "a secret"},
		{"empty value ignored", []string{""}, "abc", "abc"},
		{"one value", []string{"hunter2"}, "pw=hunter2!", "pw=[MASKED]!"},
		{"repeated", []string{"ab"}, "ababxab", "[MASKED][MASKED]x[MASKED]"},
		{"several values", []string{"foo", "bar"}, "foo and bar", "[MASKED] and [MASKED]"},
		{"longest wins at same start", []string{"sec", "secret"}, "a secret", "a [MASKED]"},
		{"shorter when longer does not complete", []string{"sec", "secret"}, "a secre", "a [MASKED]re"},
		{"leftmost wins over overlap", []string{"abc", "cde"}, "abcde", "[MASKED]de"},
		{"value inside a longer one", []string{"bc", "abcd"}, "abcd abc", "[MASKED] a[MASKED]"},
		{"self-overlapping value", []string{"aab"}, "aaab", "a[MASKED]"},
		{"duplicate values", []string{"x", "x"}, "xyx", "[MASKED]y[MASKED]"},
		{"unterminated prefix at end", []string{"secret"}, "sec", "sec"},
		{"multibyte", []string{"pässwörd"}, "is pässwörd.", "is [MASKED]."},
		{"newline inside value", []string{"a\nb"}, "x a\nb y", "x [MASKED] y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maskReference(tt.in, tt.values); got != tt.want {
				t.Fatalf("reference: got %q, want %q", got, tt.want)
			}
			if got := streamMasked(tt.values, tt.in); got != tt.want {
				t.Fatalf("one write: got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMaskerEverySplit cuts the input at every position, and also feeds it one
// byte at a time, so a value split across writes is always caught.
func TestMaskerEverySplit(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		in     string
	}{
		{"one value", []string{"hunter2"}, "log: hunter2 and hunter2\n"},
		{"prefix-sharing values", []string{"sec", "secret", "secretive"}, "a secretive secret sec secre"},
		{"overlapping values", []string{"abc", "bcd", "cdef"}, "abcdef bcdef cdefab"},
		{"self-overlapping", []string{"aaab"}, "aaaaaabaaab"},
		{"value at both ends", []string{"xy"}, "xy middle xy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := maskReference(tt.in, tt.values)
			for i := 0; i <= len(tt.in); i++ {
				if got := streamMasked(tt.values, tt.in[:i], tt.in[i:]); got != want {
					t.Fatalf("split at %d: got %q, want %q", i, got, want)
				}
			}
			bytewise := make([]string, len(tt.in))
			for i := range tt.in {
				bytewise[i] = tt.in[i : i+1]
			}
			if got := streamMasked(tt.values, bytewise...); got != want {
				t.Fatalf("byte by byte: got %q, want %q", got, want)
			}
		})
	}
}

// TestMaskerHoldsOnlyWhatItMust checks what comes out right after each write,
// before Close: output must not wait longer than the masking needs.
func TestMaskerHoldsOnlyWhatItMust(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		writes []string
		// after[i] is the output released once writes[0..i] are in.
		after []string
		final string
	}{
		{
			name:   "unrelated bytes pass at once",
			values: []string{"secret"},
			writes: []string{"hello ", "world\n"},
			after:  []string{"hello ", "hello world\n"},
			final:  "hello world\n",
		},
		{
			name:   "possible start is held, then masked",
			values: []string{"secret"},
			writes: []string{"pw: sec", "ret!"},
			after:  []string{"pw: ", "pw: [MASKED]!"},
			final:  "pw: [MASKED]!",
		},
		{
			name:   "held bytes released when they turn out harmless",
			values: []string{"secret"},
			writes: []string{"pw: sec", "ond"},
			after:  []string{"pw: ", "pw: second"},
			final:  "pw: second",
		},
		{
			name:   "prompt without newline flushed on close",
			values: []string{"secret"},
			writes: []string{"Continue? [y/N] s"},
			after:  []string{"Continue? [y/N] "},
			final:  "Continue? [y/N] s",
		},
		{
			name:   "short match waits for a longer candidate",
			values: []string{"ab", "abcd"},
			writes: []string{"xab", "c", "d"},
			after:  []string{"x", "x", "x[MASKED]"},
			final:  "x[MASKED]",
		},
		{
			name:   "short match taken once the longer one fails",
			values: []string{"ab", "abcd"},
			writes: []string{"xab", "z"},
			after:  []string{"x", "x[MASKED]z"},
			final:  "x[MASKED]z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := masker{set: newMaskSet(tt.values)}
			var out []byte
			for i, w := range tt.writes {
				out = m.write(out, []byte(w), false)
				if string(out) != tt.after[i] {
					t.Fatalf("after write %d: got %q, want %q", i, out, tt.after[i])
				}
			}
			out = m.write(out, nil, true)
			if string(out) != tt.final {
				t.Fatalf("after close: got %q, want %q", out, tt.final)
			}
		})
	}
}

// TestMaskerDoesNotKeepCallerBuffer guards the io.Writer rule that p must not
// be retained: the caller reuses its buffer between writes.
func TestMaskerDoesNotKeepCallerBuffer(t *testing.T) {
	m := masker{set: newMaskSet([]string{"secret"})}
	buf := []byte("x sec")
	out := m.write(nil, buf, false)
	copy(buf, "zzzzz")
	out = m.write(out, []byte("ret"), true)
	if want := "x [MASKED]"; string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
	if bytes.Contains(out, []byte("z")) {
		t.Fatalf("masker kept the caller's buffer: %q", out)
	}
}
