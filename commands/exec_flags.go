package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"kuberunner/common/buildlog"
	"kuberunner/common/config"
)

// listFlag collects a repeated flag such as --env, each value whole: a
// StringSliceFlag would split a value at its commas. Set never fails, so
// no parse error ever quotes a value back: a --masked-env value is a
// secret.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprintf("%d values", len(*l)) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
func (l *listFlag) Get() any           { return []string(*l) }

// execFlags is the exec command line, parsed and checked for form. Whether
// the named files exist and the variables pass their rules is decided when
// they are loaded (exec_load.go), since those are refused inputs, not
// usage errors.
type execFlags struct {
	job                      string
	file, runner, kubeconfig string
	sources                  string
	config                   config.Location
	format                   buildlog.Format
	env, masked              []flagVariable
	timeout                  time.Duration
}

// flagVariable is one --env or --masked-env KEY=VALUE.
type flagVariable struct {
	flag       string // "--env" or "--masked-env", for messages
	key, value string
}

// execVariables are the values of --env and --masked-env, filled by
// urfave/cli as it parses.
type execVariables struct{ env, masked listFlag }

// execFlagList is exec's flags; the variables' flags fill v.
func execFlagList(v *execVariables) []cli.Flag {
	cfg := configFlag()
	cfg.Usage += "; with none named and none at the default path, exec uses a kubernetes runner with built-in defaults"
	return []cli.Flag{
		&cli.StringFlag{Name: "file", Value: ".gitlab-ci.yml", Usage: "the pipeline file to read the job from"},
		cfg,
		&cli.StringFlag{Name: "runner", Usage: "the [[runners]] entry to use, by name, when config.toml has several"},
		&cli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)"},
		&cli.StringFlag{Name: "sources", Usage: "directory copied into $CI_PROJECT_DIR (default: the pipeline file's directory)"},
		// Local: exec's --log-format is the build log's, not the global
		// flag of the daemon's log; urfave/cli lets it shadow that one.
		&cli.StringFlag{Name: "log-format", Value: "terminal", Usage: "build log format: terminal, or gitlab for GitLab's section markers"},
		&cli.GenericFlag{Name: "env", Value: &v.env, HideDefault: true, Usage: "a job variable KEY=VALUE (repeatable)"},
		&cli.GenericFlag{Name: "masked-env", Value: &v.masked, HideDefault: true,
			Usage: "a masked job variable KEY=VALUE, shown as [MASKED] in the log; the value needs at least 8 characters on one line (repeatable)"},
		&cli.DurationFlag{Name: "timeout", Value: time.Hour, Usage: "the job's timeout, more than zero"},
	}
}

// readExecFlags reads the parsed command line. Every error it returns is a
// *usageError (ExitUsage).
func readExecFlags(cmd *cli.Command, v *execVariables) (execFlags, error) {
	f := execFlags{file: cmd.String("file"), config: configLocation(cmd), runner: cmd.String("runner"),
		kubeconfig: cmd.String("kubeconfig"), sources: cmd.String("sources"), timeout: cmd.Duration("timeout")}
	switch args := cmd.Args().Slice(); len(args) {
	case 0:
		return f, usagef("exec needs the name of a job (see %q)", "kuberunner exec --help")
	case 1:
		f.job = args[0]
	default:
		return f, usagef("exec takes one JOB, got also %q", args[1:])
	}
	if f.timeout <= 0 {
		return f, usagef("--timeout %v: the timeout must be more than zero", f.timeout)
	}
	var err error
	if f.format, err = buildlog.ParseFormat(cmd.String("log-format")); err != nil {
		return f, &usageError{err}
	}
	if f.env, err = splitVariables("--env", v.env); err != nil {
		return f, err
	}
	if f.masked, err = splitVariables("--masked-env", v.masked); err != nil {
		return f, err
	}
	return f, nil
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
