package buildlog

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"kuberunner/common"
)

// maskReference is the definition the streaming masker must agree with:
// scan left to right, replace the longest secret starting at each position,
// where a secret is a value or a prefix followed by its whole run (at least
// one) of token bytes. It is deliberately naive so that it is obviously
// right: it knows no horizon and no hold-back.
func maskReference(in string, values, prefixes []string) string {
	var b strings.Builder
	for i := 0; i < len(in); {
		best := 0
		for _, v := range values {
			if v != "" && len(v) > best && strings.HasPrefix(in[i:], v) {
				best = len(v)
			}
		}
		for _, p := range prefixes {
			if p == "" || !strings.HasPrefix(in[i:], p) {
				continue
			}
			end := i + len(p)
			for end < len(in) && common.IsTokenByte(in[end]) {
				end++
			}
			if end > i+len(p) && end-i > best {
				best = end - i
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
	return streamMaskedRules(common.MaskRules{Values: values}, chunks...)
}

func streamMaskedRules(rules common.MaskRules, chunks ...string) string {
	m := masker{set: newMaskSet(rules)}
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
			if got := maskReference(tt.in, tt.values, nil); got != tt.want {
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
			want := maskReference(tt.in, tt.values, nil)
			for i := 0; i <= len(tt.in); i++ {
				if got := streamMasked(tt.values, tt.in[:i], tt.in[i:]); got != want {
					t.Fatalf("split at %d: got %q, want %q", i, got, want)
				}
			}
			bytewise := make([]string, len(tt.in))
			for i := 0; i < len(tt.in); i++ { // bytes, not runes
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
		name     string
		values   []string
		writes   []string
		prefixes []string
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
		{
			// horizon is len("glpat-")+1 = 7: a token of 7 bytes is longer
			// than any other match could be, so it is masked at once and the
			// rest of it dropped as it comes.
			name:     "possible prefix is held",
			prefixes: []string{"glpat-"},
			writes:   []string{"id glp", "at-", "a", "bc", "d e"},
			after:    []string{"id ", "id ", "id [MASKED]", "id [MASKED]", "id [MASKED] e"},
			final:    "id [MASKED] e",
		},
		{
			name:     "prefix without a token byte is released",
			prefixes: []string{"glpat-"},
			writes:   []string{"see glpat-", " docs"},
			after:    []string{"see ", "see glpat- docs"},
			final:    "see glpat- docs",
		},
		{
			// A 12-byte value puts the horizon at 13: the token is held until
			// it is known not to be that value.
			name:     "token at the end of the stream is masked on close",
			values:   []string{"glpat-abcdef"},
			prefixes: []string{"glpat-"},
			writes:   []string{"id glpat-abc"},
			after:    []string{"id "},
			final:    "id [MASKED]",
		},
		{
			name:     "token past the horizon is masked at once",
			prefixes: []string{"glpat-"},
			writes:   []string{"id glpat-a", "bcdef", "gh", "ij k"},
			after:    []string{"id [MASKED]", "id [MASKED]", "id [MASKED]", "id [MASKED] k"},
			final:    "id [MASKED] k",
		},
		{
			name:     "longer value waits past the token's end",
			values:   []string{"glpat-ab cd"},
			prefixes: []string{"glpat-"},
			writes:   []string{"glpat-ab", " c", "e"},
			after:    []string{"", "", "[MASKED] ce"},
			final:    "[MASKED] ce",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := masker{set: newMaskSet(common.MaskRules{Values: tt.values, TokenPrefixes: tt.prefixes})}
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
	m := masker{set: newMaskSet(common.MaskRules{Values: []string{"secret"}})}
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

// TestMaskerTokenPrefixes checks token prefixes against the reference, in one
// write, cut at every position, and byte by byte.
func TestMaskerTokenPrefixes(t *testing.T) {
	tests := []struct {
		name     string
		values   []string
		prefixes []string
		in       string
		want     string
	}{
		{"at line start", nil, []string{"glpat-"}, "glpat-Ab3_x-9 rest\n", "[MASKED] rest\n"},
		{"middle of line", nil, []string{"glpat-"}, "token=glpat-abc123;ok\n", "token=[MASKED];ok\n"},
		{"end of line", nil, []string{"glpat-"}, "use glpat-abc\nnext", "use [MASKED]\nnext"},
		{"end of stream", nil, []string{"glpat-"}, "use glpat-abc", "use [MASKED]"},
		{"inside a word", nil, []string{"glpat-"}, "xglpat-abc", "x[MASKED]"},
		{"dots are token bytes", nil, []string{"glpat-"}, "glpat-abc.01.0x1y2z!", "[MASKED]!"},
		{"several tokens", nil, []string{"glpat-"}, "glpat-a glpat-b\tglpat-c", "[MASKED] [MASKED]\t[MASKED]"},
		{"prefix inside a token is part of it", nil, []string{"glpat-"}, "glpat-aglpat-b c", "[MASKED] c"},
		// GitLab masks a prefix followed by at least one token byte; the
		// prefix alone is no secret (it is in every doc about tokens).
		{"prefix alone at end", nil, []string{"glpat-"}, "prefix is glpat-", "prefix is glpat-"},
		{"prefix alone before space", nil, []string{"glpat-"}, "glpat- and glpat-\n", "glpat- and glpat-\n"},
		{"prefix before non-token byte", nil, []string{"glpat-"}, "glpat-!abc glpat-/x", "glpat-!abc glpat-/x"},
		{"non-ASCII ends a token", nil, []string{"glpat-"}, "glpat-abcé", "[MASKED]é"},
		{"incomplete prefix", nil, []string{"glpat-"}, "glpa glpatx glpat", "glpa glpatx glpat"},
		{"overlapping prefixes: longer", nil, []string{"gl", "glpat-"}, "glpat-abc x", "[MASKED] x"},
		{"overlapping prefixes: shorter", nil, []string{"gl", "glpat-"}, "glx gl- gl glpat-", "[MASKED] [MASKED] gl [MASKED]"},
		{"overlapping prefixes, order", nil, []string{"glpat-", "gl"}, "glpat- gla", "[MASKED] [MASKED]"},
		{"longest token among prefixes", nil, []string{"a", "ab:"}, "ab:cd e ab: f", "[MASKED] e [MASKED]: f"},
		{"prefix with non-token bytes", nil, []string{"token="}, "token=abc&token=&x", "[MASKED]&token=&x"},
		{"empty prefix ignored", nil, []string{""}, "abc def", "abc def"},
		{"duplicate prefixes", nil, []string{"glpat-", "glpat-"}, "glpat-x", "[MASKED]"},
		{"value then token", []string{"s3cr3t!!"}, []string{"glpat-"}, "s3cr3t!!glpat-abc", "[MASKED][MASKED]"},
		{"token then value", []string{"s3cr3t!!"}, []string{"glpat-"}, "glpat-abc s3cr3t!!", "[MASKED] [MASKED]"},
		// Leftmost wins: the token's run takes the value's token bytes.
		{"token runs into value", []string{"s3cr3t!!"}, []string{"glpat-"}, "glpat-abcs3cr3t!!", "[MASKED]!!"},
		{"value ends where token starts", []string{"pw=glp"}, []string{"glpat-"}, "pw=glpat-x", "[MASKED]at-x"},
		{"value longer than token", []string{"glpat-ab cd"}, []string{"glpat-"}, "glpat-ab cd glpat-ab ce", "[MASKED] [MASKED] ce"},
		{"value shorter than token", []string{"glpat-ab"}, []string{"glpat-"}, "glpat-abc glpat-ab", "[MASKED] [MASKED]"},
		{"value equal to prefix", []string{"glpat-"}, []string{"glpat-"}, "glpat- glpat-x", "[MASKED] [MASKED]"},
		{"token longer than horizon", []string{"abc"}, []string{"t-"}, "t-" + strings.Repeat("x", 50) + " abc", "[MASKED] [MASKED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := common.MaskRules{Values: tt.values, TokenPrefixes: tt.prefixes}
			if got := maskReference(tt.in, tt.values, tt.prefixes); got != tt.want {
				t.Fatalf("reference: got %q, want %q", got, tt.want)
			}
			if got := streamMaskedRules(rules, tt.in); got != tt.want {
				t.Fatalf("one write: got %q, want %q", got, tt.want)
			}
			for i := 0; i <= len(tt.in); i++ {
				if got := streamMaskedRules(rules, tt.in[:i], tt.in[i:]); got != tt.want {
					t.Fatalf("split at %d: got %q, want %q", i, got, tt.want)
				}
			}
			bytewise := make([]string, len(tt.in))
			for i := 0; i < len(tt.in); i++ { // bytes, not runes
				bytewise[i] = tt.in[i : i+1]
			}
			if got := streamMaskedRules(rules, bytewise...); got != tt.want {
				t.Fatalf("byte by byte: got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMaskerLongTokenBoundedHold streams a token far longer than any rule,
// in writes of several sizes: it must come out as one [MASKED], with no
// byte of it shown, while the writer never holds more than horizon-1 bytes.
// A quadratic masker would not finish: the token is a megabyte.
func TestMaskerLongTokenBoundedHold(t *testing.T) {
	const tokenLen = 1 << 20
	in := "id glpat-" + strings.Repeat("aB3_-.", tokenLen/6) + " done gl"
	want := "id [MASKED] done gl"
	rules := common.MaskRules{Values: []string{"hunter22"}, TokenPrefixes: []string{"gl", "glpat-"}}
	for _, size := range []int{1, 7, 4096, len(in)} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			set := newMaskSet(rules)
			if set.horizon != len("hunter22")+1 {
				t.Fatalf("horizon = %d, want %d", set.horizon, len("hunter22")+1)
			}
			m := masker{set: set}
			var out []byte
			for rest := in; len(rest) > 0; {
				n := min(size, len(rest))
				out = m.write(out, []byte(rest[:n]), false)
				rest = rest[n:]
				if len(m.held) >= set.horizon {
					t.Fatalf("held %d bytes, horizon %d", len(m.held), set.horizon)
				}
			}
			out = m.write(out, nil, true)
			if string(out) != want {
				t.Fatalf("got %.80q (len %d), want %q", out, len(out), want)
			}
		})
	}
}
