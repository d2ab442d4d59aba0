package podspec

import (
	"sort"
	"strings"

	"kuberunner/common"
)

// HookVariablesDir is where a hook's file-type variables are written in
// the helper container: its own /tmp, which no other container sees.
const HookVariablesDir = "/tmp/kuberunner-variables"

// HookScript is the POSIX sh program of a get_sources hook
// (pre_get_sources_script, post_get_sources_script), fed on stdin to sh in
// the helper container. Like StepScript it echoes each command and stops
// at the first that fails, in $CI_PROJECT_DIR.
//
// The job's variables are exported at its top, with the values the job's
// secret holds. We chose this over giving the helper container the secret
// with envFrom: the values then exist only in the hook's shell, for as long
// as it runs, and never in the environment of the helper's long-lived
// process (`helper wait`) or of the clone, where a job variable such as
// GODEBUG or HTTPS_PROXY would change how kuberunner itself behaves; and the
// pod spec stays as it is. Like the clone request with its token, the
// script travels on the exec's stdin: no value is in an argv or the pod
// spec.
func HookScript(lines []string, vars common.JobVariables) string {
	var b strings.Builder
	b.WriteString("set -e\n")
	b.WriteString("if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi\n")
	data := secretData(vars)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("export " + k + "=" + shellQuote(string(data[k])) + "\n")
	}
	writeHookFiles(&b, FileVariables(vars))
	b.WriteString("mkdir -p \"$CI_PROJECT_DIR\"\ncd \"$CI_PROJECT_DIR\"\n")
	for _, cmd := range lines {
		b.WriteString("printf '\\033[32;1m$ %s\\033[0;m\\n' " + shellQuote(echoed(cmd)) + "\n")
		b.WriteString(cmd)
		b.WriteString("\n")
	}
	return b.String()
}

// writeHookFiles writes each file-type variable to a file of its own under
// HookVariablesDir, readable by the helper's user alone, and points the
// variable at it, as StepScript does in the build container.
func writeHookFiles(b *strings.Builder, files common.JobVariables) {
	if len(files) == 0 {
		return
	}
	b.WriteString("(umask 077 && mkdir -p " + HookVariablesDir + ")\n")
	for _, v := range files {
		path := HookVariablesDir + "/" + v.Key
		b.WriteString("(umask 077 && printf '%s' \"$" + v.Key + "\" > " + path + ")\n")
		b.WriteString("export " + v.Key + "=" + path + "\n")
	}
}
