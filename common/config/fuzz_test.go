package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

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

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, warnings, err := Parse("fuzz.toml", data)
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
