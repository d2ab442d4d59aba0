package commands

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"kuberunner/helpers/safetext"
)

// usageError is a command line that can never work as written. Commands
// return it from flag parsing; exitCode maps it to ExitUsage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef builds a *usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// flagError keeps -h a help request and makes every other parse error a
// usage error; the flag package has already printed it with the usage.
// The helper's subcommands parse with the flag package, in the argv
// shapes the executor sends.
func flagError(err error) error {
	if err == flag.ErrHelp {
		return err
	}
	return &usageError{err}
}

// exitCode is the one mapping from a command's result to its exit code:
// nil and a help request succeed, a usage error is ExitUsage, anything else
// (a refused input, a failed job) is ExitError.
func exitCode(err error) int {
	var ue *usageError
	if code, ok := exitStatusCode(err); ok {
		return code
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	}
	return ExitError
}

// printErrors writes err as "ERROR: " lines, one per joined error and per
// line of each, with control characters escaped: errors quote job names,
// runner names and file contents, none of which may drive the terminal.
// A help request prints nothing (the flag package has printed the usage).
func printErrors(w io.Writer, err error) {
	if _, printed := exitStatusCode(err); printed || err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	for _, e := range splitErrors(err) {
		for _, line := range strings.Split(e.Error(), "\n") {
			fmt.Fprintln(w, "ERROR:", safetext.Escape(line))
		}
	}
}

// finish prints err and returns its exit code: the tail of every command.
func finish(w io.Writer, err error) int {
	printErrors(w, err)
	return exitCode(err)
}

// splitErrors undoes errors.Join so each problem gets its own line. An error
// that wraps a joined error keeps its own text, which already holds them all.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}
