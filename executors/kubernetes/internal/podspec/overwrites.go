package podspec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"kuberunner/common"
)

// The job variables that overwrite a setting, GitLab Runner's names. Each
// works only when config.toml allows it (config/overwrites.go); the
// resource variables are KUBERNETES_ plus the key in capitals
// (config.Quantity, resourceVariable).
const (
	NamespaceOverwriteVariable      = "KUBERNETES_NAMESPACE_OVERWRITE"
	ServiceAccountOverwriteVariable = "KUBERNETES_SERVICE_ACCOUNT_OVERWRITE"
	PodLabelsVariablePrefix         = "KUBERNETES_POD_LABELS_"
	PodAnnotationsVariablePrefix    = "KUBERNETES_POD_ANNOTATIONS_"
	NodeSelectorVariablePrefix      = "KUBERNETES_NODE_SELECTOR_"
)

// OverwriteError is a job variable that asks for what config.toml does
// not allow, or that is not of the form it needs. The job fails with it
// before anything is created.
type OverwriteError struct {
	Variable string
	Value    string
	Key      string // the config.toml key that decides, "" for a form error
	Msg      string
}

func (e *OverwriteError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Variable, e.Value, e.Msg)
}

// shown is how a message may show a variable's value: quoted when the
// variable is public, else not at all (a project's CI/CD variable may be
// a secret, whatever it is used for).
func shown(vars common.JobVariables, name, value string) string {
	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].Key == name {
			if vars[i].Public && !vars[i].Masked {
				return fmt.Sprintf("%q", value)
			}
			break
		}
	}
	return "(value not shown: not a public variable)"
}

// overwriteNotes are the build-log lines of what a job's variables
// changed, and of variables that were ignored because config.toml does not
// allow them; they are public values (names, labels, sizes), never secrets.
type overwriteNotes []string

func (n *overwriteNotes) add(format string, args ...any) {
	*n = append(*n, fmt.Sprintf(format, args...))
}

// lookupOverwrite is the value of an overwrite variable. A masked one is
// refused: its value would be written into the pod spec, where whoever
// may read pods sees it (the same rule as a service's variables).
func lookupOverwrite(vars common.JobVariables, name string) (string, bool, error) {
	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].Key != name {
			continue
		}
		if vars[i].Masked && vars[i].Value != "" {
			return "", false, &OverwriteError{Variable: name, Value: shown(vars, name, ""),
				Msg: "is masked, but its value would be written into the pod spec, where whoever may read pods sees it; allowed: an unmasked variable"}
		}
		return vars[i].Value, vars[i].Value != "", nil
	}
	return "", false, nil
}

// publicVariables are the job's variables that may be written into the
// pod spec: a reference to any other expands to nothing there, as in a
// service's environment (serviceEnv).
func publicVariables(vars common.JobVariables) common.JobVariables {
	var out common.JobVariables
	for _, v := range vars {
		if v.Public && !v.Masked {
			out = append(out, v)
		}
	}
	return out
}

// overwrite is value, or the job's variable when it is set and allowed
// matches it (anywhere: the expression is not anchored, as on GitLab
// Runner). With allowed empty the variable is ignored, and the log says so.
func overwrite(value, allowed, key, variable string, vars common.JobVariables, notes *overwriteNotes) (string, error) {
	v, ok, err := lookupOverwrite(vars, variable)
	if err != nil || !ok {
		return value, err
	}
	if allowed == "" {
		notes.add("%s is set but %s is empty in config.toml: ignored", variable, key)
		return value, nil
	}
	if err := matchAllowed(allowed, key, variable, shown(vars, variable, v), v); err != nil {
		return value, err
	}
	notes.add("%s overwritten with %s by %s", strings.TrimSuffix(key, "_overwrite_allowed"), shown(vars, variable, v), variable)
	return v, nil
}

// matchAllowed checks value against allowed; display is how the error
// shows the value.
func matchAllowed(allowed, key, variable, display, value string) error {
	re, err := regexp.Compile(allowed)
	if err != nil {
		return &OverwriteError{Variable: variable, Value: display, Key: key, Msg: fmt.Sprintf("%s %q does not compile: %v", key, allowed, err)}
	}
	if !re.MatchString(value) {
		return &OverwriteError{Variable: variable, Value: display, Key: key, Msg: fmt.Sprintf("not allowed: it does not match %s %q", key, allowed)}
	}
	return nil
}

// mapOverwrite is base with the job's prefix* variables, each "key=value"
// (split at the first "="), laid over it in the order of their names.
// Each whole value must match allowed; with allowed empty they are
// ignored.
func mapOverwrite(base map[string]string, allowed, key, prefix string, vars common.JobVariables, notes *overwriteNotes) (map[string]string, error) {
	out := make(map[string]string, len(base))
	for k, v := range base {
		out[k] = v
	}
	names := variablesWithPrefix(vars, prefix)
	if len(names) > 0 && allowed == "" {
		notes.add("%s* variables are set but %s is empty in config.toml: ignored", prefix, key)
		return out, nil
	}
	for _, name := range names {
		v, _, err := lookupOverwrite(vars, name)
		if err != nil {
			return nil, err
		}
		display := shown(vars, name, v)
		if err := matchAllowed(allowed, key, name, display, v); err != nil {
			return nil, err
		}
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, &OverwriteError{Variable: name, Value: display, Msg: `not of the form "key=value"`}
		}
		out[k] = val
		notes.add("%s: %s set by %s", strings.TrimSuffix(key, "_overwrite_allowed"), display, name)
	}
	return out, nil
}

// variablesWithPrefix names the job's variables that start with prefix,
// once each, sorted, so the last word on a key does not depend on order.
func variablesWithPrefix(vars common.JobVariables, prefix string) []string {
	seen := map[string]bool{}
	var names []string
	for _, v := range vars {
		if strings.HasPrefix(v.Key, prefix) && !seen[v.Key] {
			seen[v.Key] = true
			names = append(names, v.Key)
		}
	}
	sort.Strings(names)
	return names
}
