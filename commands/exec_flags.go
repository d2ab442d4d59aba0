package commands

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"kuberunner/common/buildlog"
	"kuberunner/common/config"
)

// listFlag collects a repeated flag such as --env. Set never fails, so the
// flag package never quotes a value back: a --masked-env value is a secret.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprintf("%d values", len(*l)) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// execFlags is the exec command line, parsed and checked for form. Whether
// the named files exist and the variables pass their rules is decided when
// they are loaded (exec_load.go), since those are refused inputs, not
// usage errors.
type execFlags struct {
	job                              string
	file, config, runner, kubeconfig string
	sources                          string
	format                           buildlog.Format
	env, masked                      []flagVariable
	timeout                          time.Duration
}

// flagVariable is one --env or --masked-env KEY=VALUE.
type flagVariable struct {
	flag       string // "--env" or "--masked-env", for messages
	key, value string
}

const execUsage = "usage: kuberunner exec JOB [--file .gitlab-ci.yml] [--config config.toml] [--runner NAME] [--kubeconfig PATH] [--env KEY=VALUE ...] [--masked-env KEY=VALUE ...] [--timeout 1h] [--log-format terminal|gitlab]"

// parseExecFlags reads the command line. Every error it returns is a
// *usageError (ExitUsage), or flag.ErrHelp for -h (ExitOK).
func parseExecFlags(args []string, stderr io.Writer) (execFlags, error) {
	var f execFlags
	var env, masked listFlag
	var format string
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, execUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.file, "file", ".gitlab-ci.yml", "the pipeline file to read the job from")
	fs.StringVar(&f.config, "config", "", "config.toml (default: $"+config.EnvVar+", then the system or home path; built-in defaults only when none of these names a file and none is at the default path)")
	fs.StringVar(&f.runner, "runner", "", "the [[runners]] entry to use, by name, when config.toml has several")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
	fs.StringVar(&f.sources, "sources", "", "directory copied into $CI_PROJECT_DIR (default: the pipeline file's directory)")
	fs.StringVar(&format, "log-format", "terminal", "build log format: terminal, or gitlab for GitLab's section markers")
	fs.Var(&env, "env", "a job variable KEY=VALUE (repeatable)")
	fs.Var(&masked, "masked-env", "a masked job variable KEY=VALUE, shown as [MASKED] in the log; the value needs at least 8 characters on one line (repeatable)")
	fs.DurationVar(&f.timeout, "timeout", time.Hour, "the job's timeout, more than zero")

	if err := parseInterspersed(fs, args, &f.job); err != nil {
		return f, err
	}
	if f.job == "" {
		fs.Usage()
		return f, usagef("exec needs the name of a job")
	}
	if f.timeout <= 0 {
		return f, usagef("--timeout %v: the timeout must be more than zero", f.timeout)
	}
	var err error
	if f.format, err = buildlog.ParseFormat(format); err != nil {
		return f, &usageError{err}
	}
	if f.env, err = splitVariables("--env", env); err != nil {
		return f, err
	}
	if f.masked, err = splitVariables("--masked-env", masked); err != nil {
		return f, err
	}
	return f, nil
}

// parseInterspersed lets the job name come before or after the flags, and
// refuses a second name.
func parseInterspersed(fs *flag.FlagSet, args []string, job *string) error {
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil
	}
	*job = rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usagef("exec takes one JOB, got also %q", fs.Args())
	}
	return nil
}

// flagError keeps -h a help request and makes every other parse error a
// usage error; the flag package has already printed it with the usage.
func flagError(err error) error {
	if err == flag.ErrHelp {
		return err
	}
	return &usageError{err}
}

// splitVariables splits each KEY=VALUE. An argument without "=" is a usage
// error that names the flag and the argument's position, never its text:
// a secret typed without its key would otherwise be printed.
func splitVariables(name string, args []string) ([]flagVariable, error) {
	out := make([]flagVariable, 0, len(args))
	for i, kv := range args {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usagef("%s (argument %d of %d): expected KEY=VALUE; the argument has no \"=\" and is not shown", name, i+1, len(args))
		}
		out = append(out, flagVariable{flag: name, key: k, value: v})
	}
	return out, nil
}
