package podspec

import (
	"strings"

	"kuberunner/common"
)

// StepScript is the POSIX sh program for one step, fed to `sh` on stdin so
// that no command line limit applies. Like GitLab's shells it echoes each
// command before running it and stops at the first failing command; the
// shell's exit status is the step's.
//
// Variables need no exports here: the build container gets them from the
// job's secret, and exec'd processes inherit the container's environment.
// File-type variables are written to files under $CI_BUILDS_DIR/.variables
// and the variable then names the file, as GitLab does.
func StepScript(step common.Step, vars common.JobVariables) string {
	var b strings.Builder
	b.WriteString("set -e\n")
	b.WriteString("if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi\n")
	b.WriteString(archExport)
	for _, v := range vars {
		if v.File {
			b.WriteString("mkdir -p \"$CI_BUILDS_DIR/.variables\"\n")
			b.WriteString("printf '%s' \"$" + v.Key + "\" > \"$CI_BUILDS_DIR/.variables/" + v.Key + "\"\n")
			b.WriteString("export " + v.Key + "=\"$CI_BUILDS_DIR/.variables/" + v.Key + "\"\n")
		}
	}
	b.WriteString("mkdir -p \"$CI_PROJECT_DIR\"\ncd \"$CI_PROJECT_DIR\"\n")
	for _, cmd := range step.Script {
		b.WriteString("printf '\\033[32;1m$ %s\\033[0;m\\n' " + shellQuote(echoed(cmd)) + "\n")
		b.WriteString(cmd)
		b.WriteString("\n")
	}
	return b.String()
}

// echoed is what the log shows of a command: a multi-line command shows its
// first line and says that it was collapsed, so the log stays readable.
func echoed(cmd string) string {
	cmd = strings.TrimRight(cmd, "\n")
	if first, _, multi := strings.Cut(cmd, "\n"); multi {
		return first + " # collapsed multi-line command"
	}
	return cmd
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
