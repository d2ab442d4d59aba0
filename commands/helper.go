package commands

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"

	"kuberunner/helpers/exitmark"
	"kuberunner/helpers/tarstream"
)

// helperSubcommands are the helper's subcommands and their summaries; each
// parses its own flags, in the argv shapes the executor sends.
var helperSubcommands = [][2]string{
	{"wait", "keep the helper container alive until SIGTERM"},
	{"receive", "unpack the job's sources from stdin (--dir DIR)"},
	{"clone", "fetch the job's repository (request on stdin)"},
	{"artifacts-upload", "upload the job's artifacts (request on stdin)"},
	{"artifacts-download", "download the artifacts of earlier jobs (request on stdin)"},
	{"cache-extract", "restore the job's cache (request on stdin)"},
	{"cache-archive", "save the job's cache (request on stdin)"},
	{"report-exit", "NONCE SUBCOMMAND...: run SUBCOMMAND and end stderr with its exit marker"},
}

func init() {
	registerCommand("helper", func(stdout, stderr io.Writer) *cli.Command {
		cmd := &cli.Command{Name: "helper", Usage: "run inside the job pod's helper container", Action: helperGroupAction}
		for _, sc := range helperSubcommands {
			name := sc[0]
			sub := rawCommand(name, sc[1], func(args []string, stdout, stderr io.Writer) int {
				return helperCommand(append([]string{name}, args...), stdout, stderr)
			}, stdout, stderr)
			// wait takes no flags: urfave/cli parses them, so that
			// --help answers instead of waiting for a signal.
			sub.SkipFlagParsing = name != "wait"
			cmd.Commands = append(cmd.Commands, sub)
		}
		return cmd
	})
}

// helperCommand is what the helper image runs. `wait` keeps the container
// alive without a sleep loop until the pod is deleted; `receive` unpacks
// the job's sources from stdin into the shared builds volume; `clone`
// fetches the job's repository into it (helper_clone.go);
// `artifacts-upload` and `artifacts-download` move the job's artifacts
// (helper_artifacts.go); cache-extract and cache-archive restore and save
// the job's cache (helper_cache.go).
// helperGroupAction is helper without a known subcommand.
func helperGroupAction(ctx context.Context, cmd *cli.Command) error {
	if !cmd.Args().Present() {
		return groupAction(ctx, cmd)
	}
	return usagef("helper: unknown subcommand %q; use wait, receive, clone, artifacts-upload, artifacts-download, cache-extract or cache-archive", cmd.Args().First())
}

func helperCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: kuberunner helper wait | receive --dir DIR | clone [flags] < request.json | artifacts-upload|artifacts-download [flags] < request.json | cache-extract|cache-archive [flags] < request.json | report-exit NONCE SUBCOMMAND...")
		return ExitUsage
	}
	switch args[0] {
	case "wait":
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		return ExitOK
	case "report-exit":
		// report-exit NONCE SUBCOMMAND...: the executor's way to learn the
		// subcommand's exit status even over an exec stream that cannot
		// tell a cut from an exit (helpers/exitmark).
		const usage = "usage: kuberunner helper report-exit NONCE SUBCOMMAND [ARGS]"
		if len(args) == 2 && (args[1] == "-h" || args[1] == "--help") {
			fmt.Fprintln(stdout, usage)
			return ExitOK
		}
		if len(args) < 3 {
			fmt.Fprintln(stderr, usage)
			return ExitUsage
		}
		code := helperCommand(args[2:], stdout, stderr)
		fmt.Fprint(stderr, exitmark.Line(args[1], code))
		return code
	case "clone":
		return helperClone(args[1:], os.Stdin, stdout, stderr)
	case "artifacts-upload", "artifacts-download":
		return helperArtifacts(args[0], args[1:], os.Stdin, stdout, stderr)
	case "cache-extract", "cache-archive":
		return helperCache(args[0], args[1:], os.Stdin, stdout, stderr)
	case "receive":
		fs := flag.NewFlagSet("helper receive", flag.ContinueOnError)
		fs.SetOutput(stderr)
		dir := fs.String("dir", "", "directory to unpack the tar stream from stdin into")
		if err := fs.Parse(args[1:]); err != nil {
			return exitCode(flagError(err))
		}
		if *dir == "" {
			fmt.Fprintln(stderr, "helper receive: --dir is required")
			return ExitUsage
		}
		if err := tarstream.Extract(os.Stdin, *dir); err != nil {
			fmt.Fprintln(stderr, "helper receive:", err)
			return ExitError
		}
		return ExitOK
	}
	fmt.Fprintf(stderr, "helper: unknown subcommand %q; use wait, receive, clone, artifacts-upload, artifacts-download, cache-extract or cache-archive\n", args[0])
	return ExitUsage
}
