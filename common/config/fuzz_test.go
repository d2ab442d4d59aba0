package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// memoryBound is what parsing n bytes of config.toml may allocate: linear
// in the input, with room for the fixed costs. A TOML library that builds
// a map per level of nesting passes it quickly (an inline table nested a
// few thousand levels deep took gigabytes), which is what this catches.
func memoryBound(n int) uint64 {
	return 64*uint64(n) + 32<<20
}

// allocated is how many bytes f allocated on the heap. TotalAlloc only
// grows, so a collection during f does not hide anything.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func FuzzParseConfig(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.toml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("[[runners]]\n[runners.kubernetes]\npull_policy = [\"always\", 1, \"x\"]\n"))
	f.Add([]byte("runners = [{kubernetes = {services = [{name = \"a\", pull_policy = \"never\"}]}}]\n"))

	f.Add([]byte("a = " + nest("{b = ", "1", "}", 5000)))
	f.Add([]byte(strings.Repeat("a.", 5000) + "b = 1\n"))
	f.Add([]byte("token = \"not-a-real-token-1234\"\nurl = \"https://user:pw-123456@gitlab.example.com\"\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		var cfg *Config
		var warnings []Warning
		var err error
		if got := allocated(func() { cfg, warnings, err = Parse("fuzz.toml", data) }); got > memoryBound(len(data)) {
			t.Fatalf("parsing %d bytes allocated %d bytes, over the bound of %d", len(data), got, memoryBound(len(data)))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, w := range warnings {
			if w.Line < 0 || w.Line > lines {
				t.Fatalf("warning line %d outside 1..%d: %v", w.Line, lines, w)
			}
		}
		if err == nil {
			if cfg == nil {
				t.Fatal("no error and no config")
			}
			return
		}
		if cfg != nil {
			t.Fatal("a config with an error")
		}
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			t.Fatalf("error is not joined: %T", err)
		}
		for _, e := range joined.Unwrap() {
			var ce *Error
			if !errors.As(e, &ce) {
				t.Fatalf("not a *Error: %T %v", e, e)
			}
			if ce.Line < 0 || ce.Line > lines {
				t.Fatalf("error line %d outside 0..%d: %v", ce.Line, lines, ce)
			}
			_ = ce.Error()
		}
	})
}
