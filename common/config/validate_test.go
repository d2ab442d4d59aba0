package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func TestDuplicateRunnerNames(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // full messages; nil means the file loads
	}{
		{"distinct names", "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"b\"\n", nil},
		{"unnamed runners may repeat", "[[runners]]\n[[runners]]\n", nil},
		{
			"second of two",
			"[[runners]]\n  name = \"ci\"\n[[runners]]\n  limit = 1\n  name = \"ci\"\n",
			[]string{`config.toml:5: runners[1].name: runner name "ci" is already used by runners[0] (line 2); allowed: a name no other [[runners]] entry has`},
		},
		{
			"every repeat names the first",
			"[[runners]]\nname = \"ci\"\n[[runners]]\nname = \"ci\"\n[[runners]]\nname = \"ci\"\n",
			[]string{
				`config.toml:4: runners[1].name: runner name "ci" is already used by runners[0] (line 2); allowed: a name no other [[runners]] entry has`,
				`config.toml:6: runners[2].name: runner name "ci" is already used by runners[0] (line 2); allowed: a name no other [[runners]] entry has`,
			},
		},
		{
			"control characters in the name are escaped",
			"[[runners]]\nname = \"a\\u001b]0;x\"\n[[runners]]\nname = \"a\\u001b]0;x\"\n",
			[]string{`config.toml:4: runners[1].name: runner name "a\x1b]0;x" is already used by runners[0] (line 2); allowed: a name no other [[runners]] entry has`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte(tt.src))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var got []string
			for _, ce := range configErrors(t, err) {
				got = append(got, ce.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// The environment check is common.ValidateVariableName's, so config check
// refuses exactly the names the executor would.
func TestEnvironmentNames(t *testing.T) {
	tests := []struct {
		entry string
		want  string // "" when accepted
	}{
		{"A=1", ""},
		{"_x9=", ""},
		{"A=B=C", ""},
		{"A B=1", `config.toml:2: runners[0].environment[0]: "A B" is not a valid variable name; allowed: letters, digits and _, not starting with a digit`},
		{"1A=1", `config.toml:2: runners[0].environment[0]: "1A" is not a valid variable name; allowed: letters, digits and _, not starting with a digit`},
		{"=1", `config.toml:2: runners[0].environment[0]: the variable name before "=" is empty; allowed: letters, digits and _, not starting with a digit`},
		{"NOEQUALS", `config.toml:2: runners[0].environment[0]: the entry has no "=" (it is not shown, as it may hold a secret); allowed: "KEY=VALUE"`},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte("[[runners]]\nenvironment = [\""+tt.entry+"\"]\n"))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			errs := configErrors(t, err)
			require.Len(t, errs, 1)
			assert.EqualError(t, errs[0], tt.want)
			if k, _, ok := cut(tt.entry); ok && k != "" {
				var bad *common.InvalidVariableNameError
				assert.ErrorAs(t, errs[0], &bad)
			}
		})
	}
}

func cut(kv string) (string, string, bool) {
	for i := range kv {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}
