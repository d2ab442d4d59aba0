package ciyaml

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// longLine is a file with about n bytes on one line: the variable LONG in
// the style given, or for "flow list" a hidden key's list of n/2 entries
// (a script that long is over maxScriptItems).
func longLine(n int, style string) []byte {
	v := strings.Repeat("x", n)
	switch style {
	case "double-quoted":
		v = `"` + v + `"`
	case "single-quoted":
		v = "'" + v + "'"
	case "flow list":
		return []byte("job:\n  script: [echo]\n.list: [" + strings.Repeat("x,", n/2) + "]\n")
	}
	return []byte("job:\n  script: [echo]\n  variables:\n    LONG: " + v + "\n")
}

// TestLineReaderScansEachByteOnce reads through lineReader and checks that
// it searched each byte for a newline exactly once. Searching from the
// current position on every Read made one long line quadratic; counting the
// bytes searched catches that on any machine, fast or slow. Most cases go
// through yaml.v3, whose reads are what made it quadratic; the 8 MiB one
// reads 512 bytes at a time as yaml.v3 does, without the cost of parsing.
func TestLineReaderScansEachByteOnce(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		viaYAML   bool
		wantLines int
	}{
		{"1 MiB line", longLine(1<<20, "plain"), true, 4},
		{"8 MiB line", longLine(8<<20, "plain"), false, 4},
		{"no final newline", []byte("a: " + strings.Repeat("x", 5000)), true, 1},
		{"lines around the read size", []byte("a: " + strings.Repeat("x", 508) + "\nb: " + strings.Repeat("x", 509) + "\nc: " + strings.Repeat("x", 510) + "\n"), true, 3},
		{"many short lines", []byte(strings.Repeat("- x\n", 10000)), true, 10000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &lineReader{data: tt.data}
			if tt.viaYAML {
				decodeAll(t, r)
			} else if _, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{r}, make([]byte, 512)); err != nil {
				t.Fatal(err)
			}
			if r.scanned != len(tt.data) {
				t.Fatalf("searched %d bytes for newlines in %d bytes of input, want each once", r.scanned, len(tt.data))
			}
			if r.read != tt.wantLines {
				t.Fatalf("counted %d lines, want %d", r.read, tt.wantLines)
			}
		})
	}
}

// decodeAll parses every document r holds, as readTop does.
func decodeAll(t *testing.T, r io.Reader) {
	t.Helper()
	dec := yaml.NewDecoder(r)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestParseLongLineAllocsLinear parses a long line at two sizes, eight times
// apart, and checks that the bytes allocated grow no faster than the input,
// with slack for the allocator: memory quadratic in the line (copying what
// was read so far for each chunk, say) would allocate about 64 times as
// much. Bytes, not seconds, so a slow machine cannot fail it. Searching
// without allocating is TestLineReaderScansEachByteOnce's part.
func TestParseLongLineAllocsLinear(t *testing.T) {
	tests := []struct {
		style string
		small int // bytes; the big input is 8 times as long
	}{
		{"plain", 32 << 10},
		{"double-quoted", 32 << 10},
		{"single-quoted", 32 << 10},
		// A node every two bytes costs hundreds of bytes each: smaller.
		{"flow list", 8 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.style, func(t *testing.T) {
			small, big := tt.small, 8*tt.small
			a, b := parseAllocs(t, longLine(small, tt.style)), parseAllocs(t, longLine(big, tt.style))
			if ratio := float64(b) / float64(a); ratio > 2*8 {
				t.Fatalf("%d bytes allocated for %d bytes, %d for %d: grows %.1fx for 8x the input", a, small, b, big, ratio)
			}
		})
	}
}

// parseAllocs returns the bytes Parse allocates for data, which must parse.
func parseAllocs(t *testing.T, data []byte) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := Parse("ci.yml", data, "job")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongValueErrorStaysShort: an error quotes a bad value, but not all of
// a value that is megabytes long.
func TestLongValueErrorStaysShort(t *testing.T) {
	data := []byte("job:\n  script: [echo]\n  variables:\n    X: {value: a, expand: " + strings.Repeat("é", 1<<15) + "}\n")
	_, _, err := Parse("ci.yml", data, "job")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if msg := err.Error(); len(msg) > 300 || !strings.Contains(msg, "(65536 bytes)") {
		t.Fatalf("message of %d bytes: %.300s", len(msg), msg)
	}
}

func TestFileSizeLimit(t *testing.T) {
	over := make([]byte, maxFileSize+1)
	for i := range over {
		over[i] = '#'
	}
	path := filepath.Join(t.TempDir(), "big.yml")
	if err := os.WriteFile(path, over, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file string
		read       func() error
	}{
		{"Parse", "ci.yml", func() error { _, _, err := Parse("ci.yml", over, "job"); return err }},
		{"Jobs", "ci.yml", func() error { _, err := Jobs("ci.yml", over); return err }},
		{"Load", path, func() error { _, _, err := Load(path, "job"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read()
			var e *Error
			if !errors.Is(err, ErrFileTooLarge) || !errors.As(err, &e) || e.File != tt.file {
				t.Fatalf("err = %v, want an *Error for %s with ErrFileTooLarge", err, tt.file)
			}
			if !strings.Contains(err.Error(), tt.file) || !strings.Contains(err.Error(), "8 MiB") {
				t.Fatalf("message %q should name the file and the limit", err)
			}
		})
	}
	t.Run("at the limit", func(t *testing.T) {
		if err := checkSize("ci.yml", maxFileSize); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkParseLongLine parses one long variable value; ns/op should grow
// in step with the size (MB/s roughly constant).
func BenchmarkParseLongLine(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1MiB", 1 << 20}, {"4MiB", 4 << 20}} {
		data := longLine(size.n, "plain")
		b.Run(size.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Parse("ci.yml", data, "job"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
