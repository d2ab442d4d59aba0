package podspec

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"kuberunner/common"
	"kuberunner/common/config"
)

// Variables is the job's environment in override order: predefined
// variables, then the runner's `environment`, then the job's own. Later
// entries win, as in GitLab.
func Variables(job *common.Job, runner *config.RunnerConfig, dir string) (common.JobVariables, error) {
	v := common.JobVariables{
		{Key: "CI", Value: "true", Public: true},
		{Key: "GITLAB_CI", Value: "true", Public: true},
		{Key: "CI_SERVER", Value: "yes", Public: true},
		{Key: "CI_DISPOSABLE_ENVIRONMENT", Value: "true", Public: true},
		{Key: "CI_JOB_ID", Value: strconv.FormatInt(job.ID, 10), Public: true},
		{Key: "CI_JOB_NAME", Value: job.JobInfo.Name, Public: true},
		{Key: "CI_JOB_STAGE", Value: job.JobInfo.Stage, Public: true},
		{Key: "CI_PROJECT_NAME", Value: path.Base(dir), Public: true},
		{Key: "CI_PROJECT_DIR", Value: dir, Public: true},
		{Key: "CI_BUILDS_DIR", Value: BuildsDir, Public: true},
		{Key: "CI_RUNNER_DESCRIPTION", Value: runner.Name, Public: true},
		{Key: "CI_RUNNER_EXECUTABLE_ARCH", Value: "linux/amd64", Public: true},
	}
	for i, kv := range runner.Environment {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("runner %q environment[%d] is not KEY=VALUE (the value is not shown: it may be secret)", runner.Name, i)
		}
		v = append(v, common.JobVariable{Key: k, Value: val, Public: true})
	}
	v = append(v, job.Variables...)
	for _, jv := range v {
		if err := common.ValidateVariableName(jv.Key); err != nil {
			return nil, err
		}
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

// expand replaces $VAR and ${VAR} in s with job variables, so config.toml
// may say image = "${IMAGE_NAME}:${IMAGE_VERSION}". An unknown variable
// expands to nothing, as in a shell.
func expand(s string, vars common.JobVariables) string {
	return os.Expand(s, func(k string) string {
		val, _ := Lookup(vars, k)
		return val
	})
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
