package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"kuberunner/helpers/artifacts"
	"kuberunner/helpers/gitsource"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

const helperArtifactsUsage = `usage: kuberunner helper artifacts-upload [--builds-root DIR] < request.json
       kuberunner helper artifacts-download [--builds-root DIR] < request.json

artifacts-upload builds one of the job's artifacts from the project
directory (zip, gzip or raw) and streams it to GitLab's
POST /api/v4/jobs/:id/artifacts; artifacts-download fetches a dependency's
archive (GET /api/v4/jobs/:id/artifacts, direct_download) and unpacks it
into the project directory. The request is one JSON object on stdin
(helpers/artifacts UploadRequest, DownloadRequest), so the job token is
never in argv or a pod spec.

Progress goes to stdout, errors to stderr. Exit status: 0 done, 1 failed
(network, GitLab), 2 bad command line, 3 the job's files or archive are at
fault, 4 the dependency has no artifacts (404).

Flags:
`

// artifactsRetry bounds a transfer's retries: five tries over some
// fifteen seconds, and no wait of more than a minute whatever the server
// asks.
var artifactsRetry = network.RetryPolicy{MaxAttempts: 5, MaxRetryAfter: time.Minute}

// helperArtifacts is `kuberunner helper artifacts-upload|download`.
func helperArtifacts(kind string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := stopOnSignal(syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return runHelperArtifacts(ctx, kind, args, stdin, stdout, stderr)
}

// runHelperArtifacts is helperArtifacts under a context the caller
// controls.
func runHelperArtifacts(ctx context.Context, kind string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := artifactsFromRequest(ctx, kind, args, stdin, stdout, stderr)
	printErrors(stderr, err)
	var je *jobFaultError
	var me *missingError
	switch {
	case errors.As(err, &je):
		return artifacts.ExitJobFault
	case errors.As(err, &me):
		return artifacts.ExitMissing
	}
	return exitCode(err)
}

func artifactsFromRequest(ctx context.Context, kind string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("helper "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), helperArtifactsUsage)
		fs.PrintDefaults()
	}
	root := fs.String("builds-root", gitsource.DefaultRoot, "the project directory must be below this directory (change it only in tests)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usagef("helper %s: unexpected argument %q: the request is read from stdin", kind, fs.Arg(0))
	}
	out := &lineWriter{w: stdout}
	if kind == "artifacts-upload" {
		return uploadFromRequest(ctx, *root, stdin, out)
	}
	return downloadFromRequest(ctx, *root, stdin, out)
}

// jobFaultError is a failure of the job's own making (ExitJobFault).
type jobFaultError struct{ err error }

func (e *jobFaultError) Error() string { return e.err.Error() }
func (e *jobFaultError) Unwrap() error { return e.err }

// missingError is a dependency without artifacts (ExitMissing).
type missingError struct{ err error }

func (e *missingError) Error() string { return e.err.Error() }
func (e *missingError) Unwrap() error { return e.err }

// lineWriter prints the helper's lines for the build log, escaped so that
// a file name cannot restyle the log.
type lineWriter struct{ w io.Writer }

func (l *lineWriter) say(format string, args ...any) {
	fmt.Fprintln(l.w, safetext.Escape(fmt.Sprintf(format, args...)))
}

func (l *lineWriter) warn(format string, args ...any) { l.say("WARNING: "+format, args...) }

// jobClient is the helper's client for GitLab: the request's URL and TLS
// files, retries warned in the build log.
func jobClient(t artifacts.Target, out *lineWriter) (*network.Client, error) {
	hc := &http.Client{}
	caFile := ""
	if t.TLS != nil {
		tr, err := t.TLS.Transport(nil)
		if err != nil {
			return nil, err
		}
		hc.Transport, caFile = tr, t.TLS.CAFile
	}
	log := logrus.New()
	log.SetOutput(out.w)
	log.SetFormatter(buildLogFormatter{})
	return network.NewJobClient(network.Config{URL: t.URL, HTTPClient: hc, CAFile: caFile, Logger: log, Retry: artifactsRetry})
}

// buildLogFormatter writes a logrus entry as a build-log line:
// "WARNING: message (key=value, ...)".
type buildLogFormatter struct{}

func (buildLogFormatter) Format(e *logrus.Entry) ([]byte, error) {
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strings.ToUpper(e.Level.String()) + ": " + e.Message)
	for i, k := range keys {
		b.WriteString(map[bool]string{true: " (", false: ", "}[i == 0])
		fmt.Fprintf(&b, "%s=%v", k, e.Data[k])
	}
	if len(keys) > 0 {
		b.WriteString(")")
	}
	return []byte(safetext.Escape(b.String()) + "\n"), nil
}

// sizeText is n bytes for a person: 512 B, 1.0 KiB, 200.0 MiB.
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// where names the host a transfer went to or came from.
func where(tr network.Transfer) string {
	if tr.Redirected {
		return tr.Host + " (object storage, without the job token)"
	}
	return tr.Host
}
