package commands

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"syscall"

	"kuberunner/helpers/cachearchive"
	"kuberunner/helpers/gitsource"
)

const helperCacheUsage = `usage: kuberunner helper cache-extract|cache-archive [--builds-root DIR] < request.json

cache-extract downloads each cache's archive from its signed URLs (the key,
then its fallback keys, in order) and unpacks it into the project
directory. cache-archive packs what each cache's paths and untracked select
and uploads it to its signed URL, unless it is what was extracted for that
key. The request is one JSON object on stdin (cachearchive.Request):

  {"dir": "/builds/group/project", "state_dir": "/builds/.kuberunner-cache",
   "timeout_seconds": 600, "compression": "default",
   "caches": [{"key": "deps-protected", "paths": ["vendor/"], "untracked": false,
               "sources": [{"key": "deps-protected", "url": "https://..."}],
               "upload": {"url": "https://...", "max_size": 0}}]}

Progress goes to stdout, one line each; a line starting with "WARNING: " is
a cache that failed, which never fails the job. Exit status: 0 done (with
or without warnings), 1 a bad request or a stop by SIGTERM/SIGINT, 2 a bad
command line.

Flags:
`

// helperCache is `kuberunner helper cache-extract` and `cache-archive`.
func helperCache(cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := stopOnSignal(syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return finish(stderr, runHelperCache(ctx, cmd, args, stdin, stdout, stderr))
}

// runHelperCache parses the command line, reads the request and runs it.
func runHelperCache(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("helper "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), helperCacheUsage)
		fs.PrintDefaults()
	}
	root := fs.String("builds-root", gitsource.DefaultRoot, "dir and state_dir must be below this directory (change it only in tests)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usagef("helper %s: unexpected argument %q: the request is read from stdin", cmd, fs.Arg(0))
	}
	req, err := cachearchive.ReadRequest(stdin, strings.TrimSuffix(*root, "/"))
	if err != nil {
		return fmt.Errorf("helper %s: %w", cmd, err)
	}
	run := cachearchive.Extract
	if cmd == "cache-archive" {
		run = cachearchive.Archive
	}
	if err := run(ctx, req, cachearchive.Options{Out: escapeLines{stdout}}); err != nil {
		return fmt.Errorf("helper %s: %w", cmd, err)
	}
	return nil
}
