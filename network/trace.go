package network

import (
	"context"
	"fmt"
	"hash/crc32"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"kuberunner/common"
)

// Defaults for zero fields of TraceOptions.
const (
	// DefaultOutputLimitKiB is the runner's output_limit when unset.
	DefaultOutputLimitKiB = 4096
	DefaultOutputLimit    = DefaultOutputLimitKiB * 1024
	// MaxPatchSize is the most one PATCH carries.
	MaxPatchSize = 1 << 20
	// DefaultTraceInterval is the time between patches until the server
	// says otherwise in X-GitLab-Trace-Update-Interval.
	DefaultTraceInterval = 3 * time.Second
	// DefaultKeepAlive: after this long without sending anything, a
	// keep-alive update tells GitLab the job still runs.
	DefaultKeepAlive = 30 * time.Second
)

// TraceOptions tunes a Trace; the zero value uses the defaults.
type TraceOptions struct {
	// OutputLimit is the most log bytes kept and sent (output_limit × 1024).
	OutputLimit int
	// PatchSize is the most bytes per PATCH; 0 or more than MaxPatchSize
	// is MaxPatchSize.
	PatchSize int
	// Interval is the time between patches until the server sets it.
	Interval time.Duration
	// KeepAlive is the silence after which a keep-alive is sent.
	KeepAlive time.Duration
	// Log receives the trace's warnings, with the caller's fields (the
	// daemon's runner, job and project); nil is the client's logger.
	Log logrus.FieldLogger
}

// Trace is one job's log on its way to GitLab. Write keeps bytes in
// memory (bounded by OutputLimit) and never blocks on the network; a
// background loop sends what is new at the server's interval, from where
// the server says it is. The whole log is kept so that it can be resent.
//
// The build log writes to it; masking has happened before. Safe for
// concurrent use.
type Trace struct {
	client  *Client
	jobID   int64
	token   string
	reasons []string
	opts    TraceOptions
	signals *signals
	log     logrus.FieldLogger

	mu       sync.Mutex
	buf      []byte
	limitHit bool
	finished bool
	// sent is how much of buf the server holds.
	sent     int
	interval time.Duration
	// lastContact is when the server last heard from us.
	lastContact time.Time

	// sendMu keeps one request at a time for this job.
	sendMu sync.Mutex

	stop     chan struct{}
	loopDone chan struct{}
}

// StartTrace starts sending job's log. ctx bounds the background loop;
// Finish ends it in any case.
func (c *Client) StartTrace(ctx context.Context, job *common.Job, opts TraceOptions) *Trace {
	if opts.OutputLimit <= 0 {
		opts.OutputLimit = DefaultOutputLimit
	}
	if opts.PatchSize <= 0 || opts.PatchSize > MaxPatchSize {
		opts.PatchSize = MaxPatchSize
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultTraceInterval
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = DefaultKeepAlive
	}
	log := opts.Log
	if log == nil {
		log = c.log
	}
	t := &Trace{
		client:      c,
		jobID:       job.ID,
		token:       job.Token,
		reasons:     job.Features.FailureReasons,
		opts:        opts,
		signals:     newSignals(),
		log:         log.WithField("job", job.ID),
		interval:    opts.Interval,
		lastContact: c.clock.Now(),
		stop:        make(chan struct{}),
		loopDone:    make(chan struct{}),
	}
	go t.loop(ctx)
	return t
}

// Write keeps p for sending. Past the output limit it keeps what fits,
// adds one line saying the log was cut, and drops the rest; it still
// reports len(p) so that the job is not failed by its own output.
func (t *Trace) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.finished {
		return 0, ErrTraceFinished
	}
	if t.limitHit {
		return len(p), nil
	}
	room := t.opts.OutputLimit - len(t.buf)
	if len(p) <= room {
		t.buf = append(t.buf, p...)
		return len(p), nil
	}
	t.buf = append(t.buf, p[:room]...)
	t.buf = append(t.buf, limitNotice(t.opts.OutputLimit)...)
	t.limitHit = true
	return len(p), nil
}

// limitNotice is the line that ends a log cut at limit bytes.
func limitNotice(limit int) string {
	return fmt.Sprintf("\n\x1b[0;33mWARNING: the log reached output_limit (%d bytes): later output is dropped, the job goes on.\x1b[0;m\n", limit)
}

// Checksum is "crc32:<8 hex>" (IEEE) over the whole log kept, the value
// the final update sends.
func (t *Trace) Checksum() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE(t.buf))
}

// Size is the length of the whole log kept, the final update's bytesize.
func (t *Trace) Size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buf)
}

// Truncated reports whether the output limit was reached.
func (t *Trace) Truncated() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limitHit
}
