package podspec

import (
	"strconv"
	"strings"

	"kuberunner/common"
	"kuberunner/common/config"
)

// Values of CI_JOB_STATUS, GitLab's: running during the script steps, and
// in after_script the job's result so far.
const (
	JobStatusRunning  = "running"
	JobStatusSuccess  = "success"
	JobStatusFailed   = "failed"
	JobStatusCanceled = "canceled"
)

// bashPaths are where images keep bash, in the order GitLab Runner probes
// them.
var bashPaths = []string{"/usr/local/bin/bash", "/usr/bin/bash", "/bin/bash"}

// StepShell is the command that runs a step's script, which it reads on
// stdin, for the runner's shell: for bash (and ""), the image's bash if it
// has one, else sh, as on GitLab Runner, whose "bash" shell falls back to
// sh; for sh, sh. The choice is made in the container by the command
// itself, so it costs no API request; the script then says which shell it
// got (StepOptions.AnnounceShell).
func StepShell(shell string) []string {
	if shell == config.ShellSh {
		return shellCommand(nil)
	}
	return shellCommand(bashPaths)
}

// shellCommand execs the first of paths that is executable, else sh.
// BASH_VERSION is unset for sh so that an inherited value cannot make the
// script believe it runs in bash.
func shellCommand(paths []string) []string {
	var b strings.Builder
	for _, p := range paths {
		b.WriteString("[ -x " + p + " ] && exec " + p + "\n")
	}
	b.WriteString("unset BASH_VERSION\nexec sh\n")
	return []string{"sh", "-c", b.String()}
}

// StepOptions is what a step's script needs besides the step itself.
type StepOptions struct {
	// Files are the job's file-type variables (FileVariables).
	Files common.JobVariables
	// JobStatus is CI_JOB_STATUS for this step, one of the JobStatus
	// values.
	JobStatus string
	// AnnounceShell makes the script print which shell runs it: the
	// job's first step does.
	AnnounceShell bool
	// Trace is CI_DEBUG_TRACE: the shell prints each command as it runs
	// it, with its variables expanded, on stderr.
	Trace bool
}

// announceShell tells bash from sh by BASH_VERSION, which bash sets itself
// whatever the environment holds.
const announceShell = `if [ -n "${BASH_VERSION:-}" ]; then printf 'Running the script with bash %s\n' "$BASH_VERSION"; else echo 'Running the script with sh: the image has no bash'; fi` + "\n"

// StepScript is the program for one step, fed to StepShell on stdin so
// that no command line limit applies. It is POSIX sh, so it runs the same
// in bash, dash and busybox sh; the job's own commands get whichever
// shell runs it. Like GitLab's shells it echoes each command before
// running it and stops at the first failing command; the shell's exit
// status is the step's, and pipefail is on where the shell has it (bash,
// busybox; not dash).
//
// Variables need no exports here: the build container gets them from the
// job's secret, and exec'd processes inherit the container's environment.
// CI_JOB_STATUS changes between steps, so the script sets it. File-type
// variables are written to files under $CI_BUILDS_DIR/.variables and the
// variable then names the file, as GitLab does.
func StepScript(step common.Step, opts StepOptions) string {
	var b strings.Builder
	b.WriteString("set -e\n")
	b.WriteString("if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi\n")
	b.WriteString(archExport)
	if opts.AnnounceShell {
		b.WriteString(announceShell)
	}
	b.WriteString("export CI_JOB_STATUS=" + shellQuote(opts.JobStatus) + "\n")
	for _, v := range opts.Files {
		if v.File {
			b.WriteString("mkdir -p \"$CI_BUILDS_DIR/" + fileVariablesDir + "\"\n")
			b.WriteString("printf '%s' \"$" + v.Key + "\" > \"$CI_BUILDS_DIR/" + fileVariablesDir + "/" + v.Key + "\"\n")
			b.WriteString("export " + v.Key + "=\"$CI_BUILDS_DIR/" + fileVariablesDir + "/" + v.Key + "\"\n")
		}
	}
	b.WriteString("mkdir -p \"$CI_PROJECT_DIR\"\ncd \"$CI_PROJECT_DIR\"\n")
	if opts.Trace {
		b.WriteString("set -x\n")
	}
	for _, cmd := range step.Script {
		b.WriteString("printf '\\033[32;1m$ %s\\033[0;m\\n' " + shellQuote(echoed(cmd)) + "\n")
		b.WriteString(cmd)
		b.WriteString("\n")
	}
	return b.String()
}

// DebugTrace is whether the job asks for shell tracing: CI_DEBUG_TRACE
// true, read as GitLab Runner reads it (strconv.ParseBool: 1, t, true,
// TRUE, ...).
func DebugTrace(vars common.JobVariables) bool {
	v, _ := Lookup(vars, "CI_DEBUG_TRACE")
	on, _ := strconv.ParseBool(v)
	return on
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
