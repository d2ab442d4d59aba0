package commands

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"kuberunner/helpers/exitmark"
	"kuberunner/helpers/tarstream"
)

func init() {
	Register("helper", "run inside the job pod's helper container (wait, receive, clone, cache-extract, cache-archive)", helperCommand)
}

// helperCommand is what the helper image runs. `wait` keeps the container
// alive without a sleep loop until the pod is deleted; `receive` unpacks
// the job's sources from stdin into the shared builds volume; `clone`
// fetches the job's repository into it (helper_clone.go);
// `artifacts-upload` and `artifacts-download` move the job's artifacts
// (helper_artifacts.go); cache-extract and cache-archive restore and save
// the job's cache (helper_cache.go).
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
		if len(args) < 3 {
			fmt.Fprintln(stderr, "usage: kuberunner helper report-exit NONCE SUBCOMMAND [ARGS]")
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
