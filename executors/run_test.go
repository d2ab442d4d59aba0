package executors

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type fakeExecutor struct {
	prepareErr, runErr error
	calls              []string
	cleanupCtxErr      error
	cleanupDeadline    time.Time
}

func (f *fakeExecutor) Prepare(context.Context, Options) error {
	f.calls = append(f.calls, "prepare")
	return f.prepareErr
}

func (f *fakeExecutor) Run(context.Context) error {
	f.calls = append(f.calls, "run")
	return f.runErr
}

func (f *fakeExecutor) Cleanup(ctx context.Context) error {
	f.calls = append(f.calls, "cleanup")
	f.cleanupCtxErr = ctx.Err()
	f.cleanupDeadline, _ = ctx.Deadline()
	return nil
}

// timedExecutor has a cleanup bound of its own.
type timedExecutor struct {
	fakeExecutor
	timeout time.Duration
}

func (e *timedExecutor) CleanupTimeout() time.Duration { return e.timeout }

// An executor's own cleanup bound (cleanup_resources_timeout) replaces
// the default; without one, the default applies.
func TestRunCleanupTimeout(t *testing.T) {
	for _, tt := range []struct {
		name string
		exec Executor
		want time.Duration
	}{
		{"default", &fakeExecutor{}, cleanupTimeout},
		{"the executor's own", &timedExecutor{timeout: 5 * time.Minute}, 5 * time.Minute},
		{"zero is the default", &timedExecutor{}, cleanupTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			require.NoError(t, Run(context.Background(), tt.exec, Options{Log: nopLog{}}))
			var deadline time.Time
			switch e := tt.exec.(type) {
			case *fakeExecutor:
				deadline = e.cleanupDeadline
			case *timedExecutor:
				deadline = e.cleanupDeadline
			}
			require.WithinDuration(t, start.Add(tt.want), deadline, 5*time.Second)
		})
	}
}

type nopLog struct{}

func (nopLog) Println(...any)              {}
func (nopLog) Infoln(...any)               {}
func (nopLog) Warningln(...any)            {}
func (nopLog) Errorln(...any)              {}
func (nopLog) SectionStart(string, string) {}
func (nopLog) SectionEnd(string)           {}
func (nopLog) Stream() io.Writer           { return io.Discard }

func TestRunAlwaysCleansUp(t *testing.T) {
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		exec  *fakeExecutor
		calls []string
		err   error
	}{
		{"success", context.Background(), &fakeExecutor{}, []string{"prepare", "run", "cleanup"}, nil},
		{"prepare fails", context.Background(), &fakeExecutor{prepareErr: boom}, []string{"prepare", "cleanup"}, boom},
		{"run fails", context.Background(), &fakeExecutor{runErr: boom}, []string{"prepare", "run", "cleanup"}, boom},
		{"cancelled job still cleans up with a live context", cancelled, &fakeExecutor{runErr: context.Canceled}, []string{"prepare", "run", "cleanup"}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Run(tt.ctx, tt.exec, Options{Log: nopLog{}})
			require.ErrorIs(t, err, tt.err)
			require.Equal(t, tt.calls, tt.exec.calls)
			require.NoError(t, tt.exec.cleanupCtxErr)
		})
	}
}

func TestRegistry(t *testing.T) {
	Register("fake-for-test", func() Executor { return &fakeExecutor{} })
	e, err := New("fake-for-test")
	require.NoError(t, err)
	require.NotNil(t, e)
	_, err = New("docker")
	var unknown *UnknownExecutorError
	require.ErrorAs(t, err, &unknown)
	require.Contains(t, unknown.Known, "fake-for-test")
}
