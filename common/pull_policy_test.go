package common

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePullPolicy(t *testing.T) {
	tests := []struct {
		in         string
		want       PullPolicy
		suggestion PullPolicy // only when an error is expected
		wantErr    bool
	}{
		{in: "always", want: PullPolicyAlways},
		{in: "if-not-present", want: PullPolicyIfNotPresent},
		{in: "never", want: PullPolicyNever},
		{in: "if_not_present", wantErr: true, suggestion: PullPolicyIfNotPresent},
		{in: "IfNotPresent", wantErr: true, suggestion: PullPolicyIfNotPresent},
		{in: "Always", wantErr: true, suggestion: PullPolicyAlways},
		{in: "NEVER", wantErr: true, suggestion: PullPolicyNever},
		{in: "alway", wantErr: true, suggestion: PullPolicyAlways},
		{in: "if-not-presnet", wantErr: true, suggestion: PullPolicyIfNotPresent},
		{in: "latest", wantErr: true},
		{in: "", wantErr: true},
		{in: " always", wantErr: true, suggestion: PullPolicyAlways},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePullPolicy(tt.in)
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			var upe *UnknownPullPolicyError
			require.ErrorAs(t, err, &upe)
			assert.Equal(t, tt.in, upe.Value)
			assert.Equal(t, tt.suggestion, upe.Suggestion)
			assert.Contains(t, err.Error(), "allowed: always, if-not-present, never")
			if tt.suggestion != "" {
				assert.Contains(t, err.Error(), `(did you mean "`+string(tt.suggestion)+`"?)`)
			}
		})
	}
}

func TestUnknownPullPolicyErrorMessage(t *testing.T) {
	_, err := ParsePullPolicy("if_not_present")
	assert.EqualError(t, err, `"if_not_present" is not a pull policy; allowed: always, if-not-present, never (did you mean "if-not-present"?)`)
	_, err = ParsePullPolicy("latest")
	assert.EqualError(t, err, `"latest" is not a pull policy; allowed: always, if-not-present, never`)
}

func TestPullPolicyStrings(t *testing.T) {
	tests := []struct {
		name string
		in   PullPolicies
		want string
	}{
		{"nil is the cluster default", nil, "(cluster default)"},
		{"empty is the cluster default", PullPolicies{}, "(cluster default)"},
		{"one", PullPolicies{PullPolicyAlways}, `["always"]`},
		{"two", PullPolicies{PullPolicyAlways, PullPolicyIfNotPresent}, `["always", "if-not-present"]`},
		{"repeat", PullPolicies{PullPolicyAlways, PullPolicyAlways}, `["always", "always"]`},
		{"explicit default entry", PullPolicies{PullPolicyDefault}, `[(cluster default)]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.String())
		})
	}
	assert.Equal(t, "(cluster default)", PullPolicyDefault.String())
	assert.Equal(t, "never", PullPolicyNever.String())
}

// The one decoder, fed as config.toml feeds it: a value decoded by the TOML
// parser.
func TestDecodePullPoliciesFromTOML(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    PullPolicies
		wantErr bool
	}{
		{"string", `pull_policy = "always"`, PullPolicies{PullPolicyAlways}, false},
		{"array", `pull_policy = ["always", "if-not-present"]`, PullPolicies{PullPolicyAlways, PullPolicyIfNotPresent}, false},
		{"repeats kept", `pull_policy = ["always", "always"]`, PullPolicies{PullPolicyAlways, PullPolicyAlways}, false},
		{"empty string is unset", `pull_policy = ""`, nil, false},
		{"empty array is unset", `pull_policy = []`, nil, false},
		{"absent", ``, nil, false},
		{"bad name", `pull_policy = "if_not_present"`, nil, true},
		{"bad entry", `pull_policy = ["always", "Never"]`, nil, true},
		{"empty entry", `pull_policy = ["always", ""]`, nil, true},
		{"number", `pull_policy = 1`, nil, true},
		{"number entry", `pull_policy = [1]`, nil, true},
		{"table", `pull_policy = {a = "always"}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			_, err := toml.Decode(tt.in, &doc)
			require.NoError(t, err)
			got, errs := DecodePullPolicies(doc["pull_policy"])
			if tt.wantErr {
				require.NotEmpty(t, errs)
				return
			}
			require.Empty(t, errs)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPullPoliciesUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    PullPolicies
		wantErr bool
	}{
		{"array", `{"pull_policy": ["always"]}`, PullPolicies{PullPolicyAlways}, false},
		{"array of two", `{"pull_policy": ["if-not-present", "always"]}`, PullPolicies{PullPolicyIfNotPresent, PullPolicyAlways}, false},
		{"string", `{"pull_policy": "never"}`, PullPolicies{PullPolicyNever}, false},
		{"null", `{"pull_policy": null}`, nil, false},
		{"absent", `{}`, nil, false},
		{"bad name", `{"pull_policy": ["if_not_present"]}`, nil, true},
		{"number", `{"pull_policy": 3}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var img Image
			err := json.Unmarshal([]byte(tt.in), &img)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, img.PullPolicies)
		})
	}

	t.Run("typed error survives json", func(t *testing.T) {
		var img Image
		err := json.Unmarshal([]byte(`{"name": "alpine", "pull_policy": "Always"}`), &img)
		var upe *UnknownPullPolicyError
		require.ErrorAs(t, err, &upe)
		assert.Equal(t, PullPolicyAlways, upe.Suggestion)
	})
	t.Run("wrong type is typed", func(t *testing.T) {
		var ps PullPolicies
		err := ps.UnmarshalJSON([]byte(`{"a": 1}`))
		var wt *WrongTypeError
		require.True(t, errors.As(err, &wt))
		assert.Equal(t, "a table", wt.Got)
	})
}
