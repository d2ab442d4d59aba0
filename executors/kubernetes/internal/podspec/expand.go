package podspec

import (
	"strings"

	"kuberunner/common"
)

// GitLab Runner's rules for variable values, which pipelines are written
// against: $NAME and ${NAME} become the last value of NAME, or nothing
// when there is none; $$ is one literal $. The shell's special parameters
// ($1, $?, $*, ${#}, ...) and a malformed ${...} become nothing too, as
// does a $ followed by any other character ("a$/b" is "a/b"), while a $
// that ends the value stays. Expansion is one level: a value is expanded
// with the values the others had before expansion, so "$B" where B is
// "$A/bin" gives "$A/bin". A raw variable is never expanded.

// ExpandValue expands s with vars.
func ExpandValue(s string, vars common.JobVariables) string {
	out, _ := expandRefs(s, vars)
	return out
}

// Expand expands every value of vars that is not raw, each with the
// values of vars as given. A value that takes in a variable that is not
// public (a CI/CD variable of the project, a masked one) is not public
// either: it now carries that secret, and must stay where secrets go.
func Expand(vars common.JobVariables) common.JobVariables {
	out := make(common.JobVariables, len(vars))
	for i, v := range vars {
		if !v.Raw {
			var secret bool
			v.Value, secret = expandRefs(v.Value, vars)
			v.Public = v.Public && !secret
		}
		out[i] = v
	}
	return out
}

// expandRefs expands s and reports whether it took in the value of a
// variable that is not public or is masked.
func expandRefs(s string, vars common.JobVariables) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, false
	}
	var b strings.Builder
	secret := false
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		name, n := reference(s[i+1:])
		i += n
		if name == "$" {
			b.WriteByte('$')
			continue
		}
		if v, ok := lookupVariable(vars, name); ok {
			b.WriteString(v.Value)
			secret = secret || (v.Value != "" && (!v.Public || v.Masked))
		}
	}
	return b.String(), secret
}

// reference reads the name after a $ at the start of s, and how many bytes
// of s it takes. A name that cannot be a variable comes back empty, and
// looks up nothing.
func reference(s string) (string, int) {
	switch {
	case s[0] == '{':
		return bracedReference(s)
	case isSpecialParameter(s[0]):
		return s[:1], 1
	}
	n := 0
	for n < len(s) && isNameByte(s[n]) {
		n++
	}
	return s[:n], n
}

// bracedReference reads ${NAME}: an empty or unclosed brace takes "${}"
// or "${" and names nothing.
func bracedReference(s string) (string, int) {
	end := strings.IndexByte(s, '}')
	switch {
	case end < 0:
		return "", 1
	case end == 1:
		return "", 2
	}
	return s[1:end], end + 1
}

// isSpecialParameter is a shell parameter that is not a variable: $$,
// $?, $1 and the like. Only $$ means something here: a literal $.
func isSpecialParameter(c byte) bool {
	return strings.IndexByte("*#$@!?-0123456789", c) >= 0
}

func isNameByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// lookupVariable is the last definition of name; the special parameters
// other than $$ are never variables.
func lookupVariable(vars common.JobVariables, name string) (common.JobVariable, bool) {
	if name == "" || isSpecialParameter(name[0]) && len(name) == 1 {
		return common.JobVariable{}, false
	}
	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].Key == name {
			return vars[i], true
		}
	}
	return common.JobVariable{}, false
}
