package common

import (
	"encoding/json"
	"errors"
	"testing"
)

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
