package commands

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/urfave/cli/v3"
)

// Version is set at build time with
// -ldflags "-X kuberunner/commands.Version=v1.2.3".
var Version = "dev"

// Revision is the commit the binary was built from, set the same way; GitLab
// shows it next to the version.
var Revision = "unknown"

// Exit codes, the same for every command (exitcode.go maps errors to them).
// 2 follows the flag package's convention for usage errors.
const (
	// ExitOK: the job succeeded, or the command did what was asked.
	ExitOK = 0
	// ExitError: the job failed, or the input was refused (a file that
	// cannot be read or has errors, a variable that breaks a rule).
	ExitError = 1
	// ExitUsage: the command line is wrong: an unknown command or flag, a
	// missing argument, a flag value that can never be right.
	ExitUsage = 2
	// ExitInterrupted: a second SIGINT or SIGTERM ended exec without waiting
	// for cleanup, 128+SIGINT as a shell reports an interrupted command.
	ExitInterrupted = 130
)

// RunFunc runs a helper subcommand with the arguments after its name: the
// helper's subcommands parse their own flags, in the argv shapes the
// executor sends (helper.go, rawCommand).
type RunFunc func(args []string, stdout, stderr io.Writer) int

// builder makes a fresh command each run: urfave/cli keeps parse state in
// the Command, so concurrent Main calls (tests) must not share one.
type builder func(stdout, stderr io.Writer) *cli.Command

var (
	registryMu sync.Mutex
	registry   = map[string]builder{}
)

// registerCommand adds a command built with urfave/cli. Each command
// registers itself from its own file's init, so adding one touches no
// shared file. Registering a name twice is a programming error and panics
// at start-up.
func registerCommand(name string, b builder) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("commands: %q registered twice", name))
	}
	registry[name] = b
}

func commandsSorted(stdout, stderr io.Writer) []*cli.Command {
	registryMu.Lock()
	defer registryMu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*cli.Command, 0, len(names))
	for _, n := range names {
		out = append(out, registry[n](stdout, stderr))
	}
	return out
}

// Main runs kuberunner with args (without the program name) and returns the
// process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := rootCommand(stdout, stderr)
	err := root.Run(context.Background(), append([]string{"kuberunner"}, args...))
	return finish(stderr, err)
}
