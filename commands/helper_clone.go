package commands

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"kuberunner/helpers/gitsource"
	"kuberunner/helpers/safetext"
)

const helperCloneUsage = `usage: kuberunner helper clone [--timeout D] [--builds-root DIR] < request.json

Fetches the job's repository at the job's commit into the project directory,
with go-git (no git binary). The request is one JSON object on stdin, so the
job token is never in argv or in a pod spec:

  {"dir": "/builds/group/project",
   "repo_url": "https://host/group/project.git",   (may carry the token as userinfo)
   "ref": "main", "ref_type": "branch",            ("branch" or "tag")
   "sha": "<40 hex digits>", "before_sha": "<40 hex digits>",
   "refspecs": ["+refs/heads/main:refs/remotes/origin/main"],  (optional)
   "depth": 20,                                    (GIT_DEPTH; 0: full history)
   "strategy": "fetch",                            (GIT_STRATEGY: clone, fetch, none, empty)
   "checkout": true,                               (GIT_CHECKOUT; default true)
   "submodule_strategy": "none",                   (GIT_SUBMODULE_STRATEGY: none, normal, recursive)
   "submodule_depth": 1,                           (GIT_SUBMODULE_DEPTH; optional, default depth)
   "submodule_paths": [":(exclude)big"],           (GIT_SUBMODULE_PATHS; optional)
   "fetch_flags": ["--prune", "--quiet"],          (GIT_FETCH_EXTRA_FLAGS; optional)
   "lfs_skip_smudge": false,                       (GIT_LFS_SKIP_SMUDGE; optional)
   "token": "TOKEN",                               (CI_JOB_TOKEN; optional)
   "tls": {"ca_file": "/etc/ca.pem", "ca": "PEM",  (the runner's tls-* files; optional:
           "cert": "PEM", "key": "PEM"}}            the CA adds to the system's roots)

Progress goes to stdout, errors to stderr. Exit status: 0 done, 1 failed or
stopped by SIGTERM/SIGINT, 2 bad command line.

Flags:
`

// helperClone is `kuberunner helper clone`: gitsource.Run on the request
// read from stdin, stopped cleanly by SIGTERM or SIGINT.
func helperClone(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := stopOnSignal(syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return runHelperClone(ctx, args, stdin, stdout, stderr)
}

// runHelperClone is helperClone under a context the caller controls.
func runHelperClone(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return finish(stderr, cloneFromRequest(ctx, args, stdin, stdout, stderr))
}

// cloneFromRequest parses the command line, reads the request and runs
// it. Its error is a *usageError for a bad command line.
func cloneFromRequest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("helper clone", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), helperCloneUsage)
		fs.PrintDefaults()
	}
	timeout := fs.Duration("timeout", gitsource.DefaultNetworkTimeout, "limit for each network operation")
	root := fs.String("builds-root", gitsource.DefaultRoot, "the project directory must be below this directory (change it only in tests)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	switch {
	case fs.NArg() > 0:
		return usagef("helper clone: unexpected argument %q: the request is read from stdin", fs.Arg(0))
	case *timeout <= 0:
		return usagef("helper clone: --timeout %v: the timeout must be more than zero", *timeout)
	case *root == "":
		return usagef("helper clone: --builds-root must not be empty")
	}
	req, err := gitsource.ReadRequest(stdin)
	if err == nil {
		err = gitsource.Run(ctx, req, gitsource.Options{Out: escapeLines{stdout}, Root: *root, NetworkTimeout: *timeout})
	}
	if err != nil {
		return &cloneError{err}
	}
	return nil
}

// cloneError prefixes the command's name and drops the blank ends of a
// server's message, which printErrors would print as empty ERROR lines.
type cloneError struct{ err error }

func (e *cloneError) Error() string { return "helper clone: " + strings.TrimSpace(e.err.Error()) }
func (e *cloneError) Unwrap() error { return e.err }

// escapeLines escapes what could restyle the build log in each line
// gitsource prints (a line may quote a server's message). gitsource writes
// one line per Write.
type escapeLines struct{ w io.Writer }

func (e escapeLines) Write(p []byte) (int, error) {
	line := strings.TrimSuffix(string(p), "\n")
	if _, err := io.WriteString(e.w, safetext.Escape(line)+"\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}

// stopOnSignal returns a context cancelled, with a cause that names the
// signal, by the first of sigs; stop releases the signals.
func stopOnSignal(sigs ...os.Signal) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(fmt.Errorf("stopped by %s", signalName(s)))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return s.String()
}
