package cachearchive

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"kuberunner/helpers/pathglob"
)

// Options are how Extract and Archive run.
type Options struct {
	// Out receives the lines for the build log, one per Write; a line
	// that starts with WarningPrefix is a warning.
	Out io.Writer
	// Client makes the requests; nil is a client of its own.
	Client *http.Client
}

// WarningPrefix starts a line of Out that the executor logs as a warning.
const WarningPrefix = "WARNING: "

// run is one command's run over a request.
type run struct {
	req    Request
	out    io.Writer
	client *http.Client
}

func newRun(req Request, opts Options) *run {
	c := opts.Client
	if c == nil {
		c = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	return &run{req: req, out: out, client: c}
}

func (r *run) say(format string, args ...any) { fmt.Fprintf(r.out, format+"\n", args...) }

func (r *run) warn(format string, args ...any) {
	fmt.Fprintf(r.out, WarningPrefix+format+"\n", args...)
}

// transferCtx bounds one download or upload.
func (r *run) transferCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Duration(r.req.TimeoutSeconds)*time.Second)
}

func rules(c Cache) pathglob.Rules { return pathglob.Rules{Paths: c.Paths, Untracked: c.Untracked} }
