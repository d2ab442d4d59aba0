package podspec

import (
	"fmt"
	"strings"

	"kuberunner/common"
	"kuberunner/common/config"
)

// RunInfo is what the job's variables need that the job does not carry:
// what the runner process knows of this run of it.
type RunInfo struct {
	// ProjectDir is $CI_PROJECT_DIR (ProjectDir).
	ProjectDir string
	// Version and Revision name the kuberunner build.
	Version, Revision string
	// ConcurrentID and ConcurrentProjectID number the job among those its
	// runner runs at the same time (executors.Slot).
	ConcurrentID, ConcurrentProjectID int
	// Extra are predefined variables that other parts of the runner set,
	// such as CI_SERVER_TLS_CA_FILE: the one place they come in. They
	// follow the built-in ones, so the runner's environment and the job's
	// own variables still override them.
	Extra common.JobVariables
}

// Variables is the job's environment in override order: predefined
// variables, then the runner's `environment`, then the job's own; later
// entries win, as on GitLab Runner. Values that are not raw are expanded
// once, with GitLab Runner's rules (Expand), so a job's variable may use
// a predefined or a runner variable.
func Variables(job *common.Job, runner *config.RunnerConfig, run RunInfo) (common.JobVariables, error) {
	env, err := runnerEnvironment(runner)
	if err != nil {
		return nil, err
	}
	v := append(predefined(job, runner, run), env...)
	v = append(v, job.Variables...)
	for i, jv := range v {
		if err := common.ValidateVariableName(jv.Key); err != nil {
			return nil, err
		}
		// Registry credentials, even from the runner's environment or the
		// pipeline file, must not reach a service's env in the pod spec;
		// Expand then keeps what refers to them secret too.
		if jv.Key == common.DockerAuthConfigVariable {
			v[i].Public = false
		}
	}
	return Expand(v), nil
}

// runnerEnvironment is config.toml's environment, KEY=VALUE each.
func runnerEnvironment(runner *config.RunnerConfig) (common.JobVariables, error) {
	var v common.JobVariables
	for i, kv := range runner.Environment {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("runner %q environment[%d] is not KEY=VALUE (the value is not shown: it may be secret)", runner.Name, i)
		}
		v = append(v, common.JobVariable{Key: k, Value: val, Public: true})
	}
	return v, nil
}

// Lookup returns the last value of key, as the shell would see it.
func Lookup(vars common.JobVariables, key string) (string, bool) {
	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].Key == key {
			return vars[i].Value, true
		}
	}
	return "", false
}

// secretData is the job's variables as the job secret holds them: the last
// value of each key.
func secretData(vars common.JobVariables) map[string][]byte {
	out := make(map[string][]byte, len(vars))
	for _, v := range vars {
		out[v.Key] = []byte(v.Value)
	}
	return out
}

// FileVariables keeps the last definition of each file-type variable.
func FileVariables(vars common.JobVariables) common.JobVariables {
	last := map[string]common.JobVariable{}
	var order []string
	for _, v := range vars {
		if _, seen := last[v.Key]; !seen {
			order = append(order, v.Key)
		}
		last[v.Key] = v
	}
	var out common.JobVariables
	for _, k := range order {
		if last[k].File {
			out = append(out, last[k])
		}
	}
	return out
}

// MaskedInImages warns about masked variables expanded into an image name:
// the name is written into the pod spec, which anyone who may read pods
// sees, and masking only covers the build log.
func MaskedInImages(spec *JobSpec, vars common.JobVariables) []string {
	var out []string
	for _, c := range spec.Containers {
		for _, v := range vars {
			if v.Masked && v.Value != "" && strings.Contains(c.Image, v.Value) {
				out = append(out, fmt.Sprintf("The image of container %q uses the masked variable %s: image names are stored in the pod spec, where whoever may read pods sees them", c.Name, v.Key))
				break
			}
		}
	}
	return out
}
