package common

import (
	"bytes"
	"encoding/json"
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
		cfg, warnings, err := ParseConfig("fuzz.toml", data)
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
			var ce *ConfigError
			if !errors.As(e, &ce) {
				t.Fatalf("not a *ConfigError: %T %v", e, e)
			}
			if ce.Line < 0 || ce.Line > lines {
				t.Fatalf("error line %d outside 0..%d: %v", ce.Line, lines, ce)
			}
			_ = ce.Error()
		}
	})
}

func FuzzParsePullPolicy(f *testing.F) {
	for _, s := range []string{"always", "if-not-present", "never", "if_not_present", "Always", "IfNotPresent", "", "latest", "alwyas", "ñever"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePullPolicy(s)
		if err == nil {
			if string(p) != s || p.String() != s {
				t.Fatalf("%q parsed as %q", s, p)
			}
			if p.KubernetesName() == "" {
				t.Fatalf("%q has no Kubernetes name", s)
			}
			return
		}
		var upe *UnknownPullPolicyError
		if !errors.As(err, &upe) {
			t.Fatalf("untyped error %T", err)
		}
		if upe.Suggestion != "" {
			if _, err := ParsePullPolicy(string(upe.Suggestion)); err != nil {
				t.Fatalf("suggested %q, which does not parse", upe.Suggestion)
			}
		}
		_ = err.Error()

		// The JSON forms must agree with ParsePullPolicy.
		quoted, _ := json.Marshal(s)
		var ps PullPolicies
		if err := ps.UnmarshalJSON(quoted); err == nil && s != "" {
			t.Fatalf("JSON accepted %q", s)
		}
		if err := ps.UnmarshalJSON(append(append([]byte("["), quoted...), ']')); err == nil {
			t.Fatalf("JSON array accepted %q", s)
		}
	})
}
