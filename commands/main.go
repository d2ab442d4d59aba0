package commands

import (
	"fmt"
	"io"
	"sort"
	"sync"
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

// RunFunc runs one subcommand with the arguments after its name.
type RunFunc func(args []string, stdout, stderr io.Writer) int

type command struct {
	name, summary string
	run           RunFunc
}

var (
	registryMu sync.Mutex
	registry   = map[string]command{}
)

// Register adds a subcommand. Each command registers itself from its own
// file's init, so adding one touches no shared file. Registering a name
// twice is a programming error and panics at start-up.
func Register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("commands: %q registered twice", name))
	}
	registry[name] = command{name: name, summary: summary, run: run}
}

func lookup(name string) (command, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	c, ok := registry[name]
	return c, ok
}

func commandsSorted() []command {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]command, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Main runs kuberunner with args (without the program name) and returns the
// process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	switch args[0] {
	case "--version", "-version":
		return runVersion(nil, stdout, stderr)
	case "help", "--help", "-help", "-h":
		usage(stdout)
		return ExitOK
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "kuberunner: unknown command %q\n\n", args[0])
		usage(stderr)
		return ExitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kuberunner <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commandsSorted() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-14s %s\n", "help", "show this list")
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "kuberunner <command> -h" for a command's flags.`)
}
