package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v3"

	"kuberunner/helpers/suggest"
)

// exitStatus is the code of a command that has printed its own errors (a
// RunFunc); Main passes it on unchanged. It has no ExitCode method on
// purpose: urfave/cli would call os.Exit for one.
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// rootCommand is kuberunner with every registered command and the global
// flags (globalflags.go).
func rootCommand(stdout, stderr io.Writer) *cli.Command {
	root := &cli.Command{
		Name:           "kuberunner",
		Usage:          "a GitLab-compatible CI runner that runs each job in a Kubernetes pod",
		Version:        Version,
		Writer:         stdout,
		ErrWriter:      stderr,
		Flags:          globalFlags(),
		Commands:       commandsSorted(stdout, stderr),
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Action:         rootAction,
		HideVersion:    true,
	}
	withUsageErrors(root)
	return root
}

// withUsageErrors makes every flag-parsing error of cmd and its
// subcommands a *usageError that names the closest known flag.
func withUsageErrors(cmd *cli.Command) {
	cmd.OnUsageError = onUsageError
	for _, sub := range cmd.Commands {
		withUsageErrors(sub)
	}
}

func onUsageError(_ context.Context, cmd *cli.Command, err error, _ bool) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		msg = fmt.Sprintf("unknown flag --%s", name)
		if s := closestFlag(name, flagNames(cmd)); s != "" {
			msg += fmt.Sprintf("; did you mean --%s?", s)
		}
	}
	return usagef("%s: %s (see %q)", cmd.FullName(), msg, cmd.FullName()+" --help")
}

// closestFlag is the flag the operator most likely meant by name: the one
// flag it is the start of (--all for --all-runners), else the closest
// spelling. One-letter aliases are left out: "did you mean --l?" after
// --al helps nobody.
func closestFlag(name string, names []string) string {
	var long, starts []string
	for _, n := range names {
		if len(n) > 1 {
			long = append(long, n)
		}
		if len(n) > 1 && len(name) > 1 && strings.HasPrefix(n, name) {
			starts = append(starts, n)
		}
	}
	if len(starts) == 1 {
		return starts[0]
	}
	return suggest.Closest(name, long)
}

// flagNames are the long names of cmd's flags and its ancestors'.
func flagNames(cmd *cli.Command) []string {
	var names []string
	for _, c := range cmd.Lineage() {
		for _, f := range c.Flags {
			names = append(names, f.Names()...)
		}
	}
	return names
}

// groupAction runs for a command that only holds subcommands (the root,
// config, helper) when no known subcommand follows it.
func groupAction(_ context.Context, cmd *cli.Command) error {
	if !cmd.Args().Present() {
		_ = cli.ShowSubcommandHelp(cmd)
		return usagef("%s needs a command", cmd.FullName())
	}
	name := cmd.Args().First()
	var known []string
	for _, c := range cmd.Commands {
		known = append(known, c.Names()...)
	}
	msg := fmt.Sprintf("%s: unknown command %q", cmd.FullName(), name)
	if s := suggest.Closest(name, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usagef("%s (see %q)", msg, cmd.FullName()+" --help")
}

// rawCommand wraps a RunFunc that parses its own arguments.
func rawCommand(name, summary string, run RunFunc, stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:            name,
		Usage:           summary,
		SkipFlagParsing: true,
		Action: func(_ context.Context, cmd *cli.Command) error {
			return statusError(run(cmd.Args().Slice(), stdout, stderr))
		},
	}
}

func statusError(code int) error {
	if code == ExitOK {
		return nil
	}
	return &exitStatus{code}
}

// exitStatusCode reports the code an exitStatus carries.
func exitStatusCode(err error) (int, bool) {
	var es *exitStatus
	if errors.As(err, &es) {
		return es.code, true
	}
	return 0, false
}
