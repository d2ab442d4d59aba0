package safetext

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "build:linux", "build:linux"},
		{"empty", "", ""},
		{"spaces, tabs and backslashes stay", "a b\tc\\x1b", "a b\tc\\x1b"},
		{"unicode letters stay", "déploiement 部署", "déploiement 部署"},
		{"escape sequence that retitles the terminal", "job\x1b]0;pwned\x07", `job\x1b]0;pwned\a`},
		{"newline that forges a line", "job\nJob succeeded", `job\nJob succeeded`},
		{"carriage return", "job\rJob succeeded", `job\rJob succeeded`},
		{"DEL and C1 controls", "a\x7fb\u009bc", `a\x7fb\u009bc`},
		{"bidi override", "a\u202eb", `a\u202eb`},
		{"invalid UTF-8 byte", "a\xffb", `a\xffb`},
		{"NUL", "a\x00b", `a\x00b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Fatalf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "job", "a\x1b[31mb", "x\ny", "\xff\xfe", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if r != '\t' && !unicode.IsPrint(r) {
				t.Fatalf("Escape(%q) = %q keeps %U", s, got, r)
			}
		}
	})
}

func TestCapAndShort(t *testing.T) {
	tests := []struct {
		name, in   string
		n          int
		cap, short string
	}{
		{"short enough", "build", 8, "build", "build"},
		{"exactly n", "build", 5, "build", "build"},
		{"cut", "build:linux", 5, "build… (11 bytes)", "build… (11 bytes)"},
		{"not inside a character", "ab部署", 4, "ab… (8 bytes)", "ab… (8 bytes)"},
		{"escaped, then longer than n", "a\x1bb", 4, "a\x1bb", `a\x1… (3 bytes)`},
		{"invalid UTF-8 has no boundary to find", "\x80\x80\x80\x80\x80\x80", 4, "\x80… (6 bytes)", `\x80… (6 bytes)`},
		{"zero", "abc", 0, "… (3 bytes)", "… (3 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cap(tt.in, tt.n); got != tt.cap {
				t.Errorf("Cap(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.cap)
			}
			if got := Short(tt.in, tt.n); got != tt.short {
				t.Errorf("Short(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.short)
			}
		})
	}
}
