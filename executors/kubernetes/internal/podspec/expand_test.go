package podspec

import (
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func TestExpandValue(t *testing.T) {
	vars := common.JobVariables{
		{Key: "A", Value: "x", Public: true}, {Key: "HOME", Value: "/root", Public: true},
		{Key: "V", Value: "1"}, {Key: "V", Value: "2"}, {Key: "_u1", Value: "u"},
	}
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"$A/bin", "x/bin"},
		{"${A}/bin", "x/bin"},
		{"${A}A", "xA"},
		{"$AA", ""},
		{"$_u1$V", "u2"},
		{"${HOME}${V}", "/root2"},
		{"$$", "$"},
		{"$$A", "$A"},
		{"$$$A", "$x"},
		{"$$$$", "$$"},
		{"${$}", "$"},
		{"price: 5$", "price: 5$"},
		{"a$/b", "a/b"},
		{"a$ b", "a b"},
		{"$MISSING/x", "/x"},
		{"${MISSING}", ""},
		{"$1$?$*$#$@$!$-", ""},
		{"${1}x", "x"},
		{"${}x", "x"},
		{"${A", "A"},
		{"${A:-default}", ""},
		{"${A B}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, ExpandValue(tt.in, vars))
		})
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name string
		vars common.JobVariables
		key  string
		want string
		// public is whether the expanded variable may go where public
		// values go (a service's environment in the pod spec).
		public bool
	}{
		{name: "reference", vars: common.JobVariables{{Key: "B", Value: "$A/bin", Public: true}, {Key: "A", Value: "x", Public: true}}, key: "B", want: "x/bin", public: true},
		{name: "raw stays literal", vars: common.JobVariables{{Key: "A", Value: "x"}, {Key: "C", Value: "$A", Raw: true, Public: true}}, key: "C", want: "$A", public: true},
		{name: "one level only", vars: common.JobVariables{{Key: "A", Value: "x"}, {Key: "B", Value: "$A/bin"}, {Key: "C", Value: "$B/sub"}}, key: "C", want: "$A/bin/sub"},
		{name: "the last value, unexpanded", vars: common.JobVariables{{Key: "A", Value: "old"}, {Key: "B", Value: "$A"}, {Key: "A", Value: "$$new"}}, key: "B", want: "$$new"},
		{name: "itself", vars: common.JobVariables{{Key: "PATH", Value: "/bin"}, {Key: "PATH", Value: "$PATH:/opt"}}, key: "PATH", want: "$PATH:/opt:/opt"},
		{name: "escaped dollar", vars: common.JobVariables{{Key: "P", Value: "pa$$word", Public: true}}, key: "P", want: "pa$word", public: true},
		{name: "unknown is empty", vars: common.JobVariables{{Key: "P", Value: "$NOPE/.cache", Public: true}}, key: "P", want: "/.cache", public: true},
		{name: "predefined", vars: common.JobVariables{
			{Key: "CI_PROJECT_DIR", Value: "/builds/g/p", Public: true},
			{Key: "PIP_CACHE_DIR", Value: "$CI_PROJECT_DIR/.cache/pip", Public: true},
		}, key: "PIP_CACHE_DIR", want: "/builds/g/p/.cache/pip", public: true},
		{name: "runner variable", vars: common.JobVariables{
			{Key: "MIRROR", Value: "https://mirror.example", Public: true},
			{Key: "PIP_INDEX_URL", Value: "${MIRROR}/simple", Public: true},
		}, key: "PIP_INDEX_URL", want: "https://mirror.example/simple", public: true},
		{name: "a secret taken in is not public", vars: common.JobVariables{
			{Key: "TOKEN", Value: "s3cr3t-value"},
			{Key: "URL", Value: "https://u:$TOKEN@host", Public: true},
		}, key: "URL", want: "https://u:s3cr3t-value@host"},
		{name: "a masked value taken in is not public", vars: common.JobVariables{
			{Key: "TOKEN", Value: "s3cr3t-value", Public: true, Masked: true},
			{Key: "URL", Value: "$TOKEN", Public: true},
		}, key: "URL", want: "s3cr3t-value"},
		{name: "an empty secret taints nothing", vars: common.JobVariables{
			{Key: "TOKEN"},
			{Key: "URL", Value: "x$TOKEN", Public: true},
		}, key: "URL", want: "x", public: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Expand(tt.vars)
			require.Len(t, got, len(tt.vars))
			v, ok := lookupVariable(got, tt.key)
			require.True(t, ok)
			require.Equal(t, tt.want, v.Value)
			require.Equal(t, tt.public, v.Public)
		})
	}
}

func TestExpandKeepsTheInput(t *testing.T) {
	in := common.JobVariables{{Key: "A", Value: "x"}, {Key: "B", Value: "$A"}}
	_ = Expand(in)
	require.Equal(t, "$A", in[1].Value)
}
