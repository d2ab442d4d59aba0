package commands

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
)

const fakeExecutorName = "commands-test-fake"

// fakeExecutor runs the test's functions in place of a cluster. The
// registry makes a new executor per job; nextFake is the one it hands out.
type fakeExecutor struct {
	run     func(ctx context.Context) error
	cleanup func(ctx context.Context) error
}

func (f *fakeExecutor) Prepare(context.Context, executors.Options) error { return nil }
func (f *fakeExecutor) Run(ctx context.Context) error                    { return f.run(ctx) }
func (f *fakeExecutor) Cleanup(ctx context.Context) error                { return f.cleanup(ctx) }

var (
	registerFake sync.Once
	nextFake     *fakeExecutor
)

func useFake(t *testing.T, f *fakeExecutor) *config.RunnerConfig {
	t.Helper()
	registerFake.Do(func() {
		executors.Register(fakeExecutorName, func() executors.Executor { return nextFake })
	})
	nextFake = f
	return &config.RunnerConfig{Name: "fake", Executor: fakeExecutorName}
}

// exitRecorder stands in for os.Exit.
type exitRecorder struct{ codes chan int }

func (e exitRecorder) exit(code int) { e.codes <- code }

func TestInterrupts(t *testing.T) {
	const budget = 100 * time.Millisecond
	started := make(chan struct{}, 1)
	// hung is a job that ignores its context until the test lets it go.
	hung := make(chan struct{})
	waitForCancel := func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}
	tests := []struct {
		name        string
		run         func(ctx context.Context) error
		cleanup     func(ctx context.Context) error
		signals     int
		wantCode    int
		wantExit    int // 0: os.Exit must not be called
		wantLog     []string
		wantCleanup error // what Cleanup's context ended with; nil: still live
		wantStderr  []string
	}{
		{
			name:     "no signal: the job succeeds",
			run:      func(context.Context) error { started <- struct{}{}; return nil },
			cleanup:  func(context.Context) error { return nil },
			wantCode: ExitOK,
			wantLog:  []string{"Job succeeded"},
		},
		{
			name:       "first signal cancels the job, cleanup runs with a live context",
			run:        waitForCancel,
			cleanup:    func(ctx context.Context) error { return ctx.Err() },
			signals:    1,
			wantCode:   ExitError,
			wantLog:    []string{"ERROR: Job failed: canceled (interrupted by interrupt)", "failure_reason: unknown_failure"},
			wantStderr: []string{"Received interrupt: cancelling the job; cleanup may take up to 100ms. Send it again to exit at once."},
		},
		{
			name: "a hung cleanup is cut at the budget",
			run:  waitForCancel,
			cleanup: func(ctx context.Context) error {
				<-ctx.Done()
				return context.Cause(ctx)
			},
			signals:     1,
			wantCode:    ExitError,
			wantLog:     []string{"WARNING: Cleanup: cleanup took longer than the 9s allowed after an interrupt"},
			wantCleanup: errCleanupBudget,
		},
		{
			name:       "second signal exits at once",
			run:        func(ctx context.Context) error { started <- struct{}{}; <-hung; return nil },
			cleanup:    func(context.Context) error { return nil },
			signals:    2,
			wantExit:   ExitInterrupted,
			wantStderr: []string{"Received interrupt again: exiting without waiting for cleanup"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cleanupCause error
			fake := &fakeExecutor{run: tt.run, cleanup: func(ctx context.Context) error {
				err := tt.cleanup(ctx)
				cleanupCause = context.Cause(ctx)
				return err
			}}
			runner := useFake(t, fake)
			sigs := make(chan os.Signal, 2)
			exits := exitRecorder{codes: make(chan int, 1)}
			var stderr, out bytes.Buffer
			in, stop := watchInterrupts(sigs, budget, &stderr, exits.exit)
			defer stop()
			log := buildlog.New(&out, buildlog.LogFormatTerminal, nil)

			done := make(chan int, 1)
			go func() { done <- runJob(in, log, &common.Job{}, runner, "") }()
			<-started
			for range tt.signals {
				sigs <- os.Interrupt
				time.Sleep(10 * time.Millisecond)
			}

			if tt.wantExit != 0 {
				select {
				case code := <-exits.codes:
					assert.Equal(t, tt.wantExit, code)
				case <-time.After(5 * time.Second):
					t.Fatal("the second signal did not exit")
				}
				// The real os.Exit ends here; let the fake job finish so
				// nothing writes after the test.
				close(hung)
				<-done
			} else {
				select {
				case code := <-done:
					assert.Equal(t, tt.wantCode, code)
				case <-time.After(5 * time.Second):
					t.Fatal("the job did not end within the cleanup budget")
				}
				select {
				case code := <-exits.codes:
					t.Fatalf("exited with %d", code)
				default:
				}
				assert.ErrorIs(t, cleanupCause, tt.wantCleanup)
				if tt.wantCleanup == nil {
					assert.NoError(t, cleanupCause)
				}
			}
			require.NoError(t, log.Close())
			for _, s := range tt.wantLog {
				assert.Contains(t, out.String(), s)
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr.String(), s)
			}
		})
	}
}

func TestInterruptWithSIGTERM(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	var stderr bytes.Buffer
	in, stop := watchInterrupts(sigs, time.Hour, &stderr, func(int) { t.Error("exited") })
	defer stop()
	sigs <- syscall.SIGTERM
	<-in.job.Done()
	ie, ok := in.interrupted()
	require.True(t, ok)
	assert.Equal(t, syscall.SIGTERM, ie.Signal)
	assert.NoError(t, in.budget.Err(), "the budget runs from the signal, not yet spent")
}

func TestBudgetedCleanupWithoutInterrupt(t *testing.T) {
	var seen error
	e := budgetedCleanup{
		Executor: &fakeExecutor{cleanup: func(ctx context.Context) error { seen = ctx.Err(); return nil }},
		budget:   context.Background(),
	}
	require.NoError(t, e.Cleanup(context.Background()))
	assert.NoError(t, seen, "no interrupt, no cut")
}

// TestRunJobEscapesNames: a runner name with an escape sequence or a
// newline reaches the build log escaped, so it can neither retitle the
// terminal nor forge a "Job succeeded" line.
func TestRunJobEscapesNames(t *testing.T) {
	tests := []struct {
		name, runner, want string
	}{
		{"terminal title", "r\x1b]0;pwned\x07", `  on r\x1b]0;pwned\a (executor commands-test-fake)`},
		{"forged line", "r\nJob succeeded", `  on r\nJob succeeded (executor commands-test-fake)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := useFake(t, &fakeExecutor{
				run:     func(context.Context) error { return errors.New("boom") },
				cleanup: func(context.Context) error { return nil },
			})
			runner.Name = tt.runner
			in, stop := watchInterrupts(make(chan os.Signal), time.Hour, &bytes.Buffer{}, func(int) {})
			defer stop()
			var out bytes.Buffer
			log := buildlog.New(&out, buildlog.LogFormatTerminal, nil)
			assert.Equal(t, ExitError, runJob(in, log, &common.Job{}, runner, ""))
			require.NoError(t, log.Close())
			assert.Contains(t, out.String(), tt.want+"\n")
			for _, line := range strings.Split(out.String(), "\n") {
				assert.NotEqual(t, "Job succeeded", line)
			}
			assert.NotContains(t, out.String(), "\x07")
		})
	}
}
