package podspec

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
)

// serviceEnv is a service container's environment. GitLab Runner gives a
// service the job's public variables and those the runner sets, never the
// project's secret ones, then the service's own `variables`, expanded
// with those alone (so a reference to a secret is empty there). All of it
// goes into the pod spec as plain env, which whoever may read pods sees:
// so a value that is not public, or masked, or took one in when expanded
// (Expand), never does. vars are the job's, already expanded.
func serviceEnv(service string, vars, own common.JobVariables) ([]corev1.EnvVar, error) {
	var shared common.JobVariables
	for _, v := range vars {
		if v.Public && !v.Masked {
			shared = append(shared, v)
		}
	}
	ownVars, err := serviceVariables(service, own)
	if err != nil {
		return nil, err
	}
	// One level, as for the job: each own value with the values as given.
	scope := append(append(common.JobVariables{}, shared...), ownVars...)
	for i, v := range ownVars {
		if !v.Raw {
			ownVars[i].Value = ExpandValue(v.Value, scope)
		}
	}
	return envVars(append(shared, ownVars...)), nil
}

// serviceVariables checks a service's own variables. They are the text of
// the pipeline file (GitLab sends them without a public flag), so they are
// public; one marked masked cannot go into the pod spec and is refused.
func serviceVariables(service string, own common.JobVariables) (common.JobVariables, error) {
	out := make(common.JobVariables, 0, len(own))
	for _, v := range own {
		if err := common.ValidateVariableName(v.Key); err != nil {
			return nil, &ConfigError{Msg: fmt.Sprintf("service %q: variables: %v", service, err)}
		}
		if v.Masked {
			return nil, &ConfigError{Msg: fmt.Sprintf("service %q: variable %s is masked, but a service's variables are written into the pod spec, where whoever may read pods sees them; allowed: unmasked values", service, v.Key)}
		}
		v.Public = true
		out = append(out, v)
	}
	return out, nil
}

// envVars is the last value of each name, in the order names first
// appear: one entry per name, as the shell would see them.
func envVars(vars common.JobVariables) []corev1.EnvVar {
	at := map[string]int{}
	var out []corev1.EnvVar
	for _, v := range vars {
		if i, ok := at[v.Key]; ok {
			out[i].Value = v.Value
			continue
		}
		at[v.Key] = len(out)
		out = append(out, corev1.EnvVar{Name: v.Key, Value: v.Value})
	}
	return out
}
