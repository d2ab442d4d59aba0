package executors

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"kuberunner/common/config"
)

// Factory makes a fresh Executor for one job.
type Factory func() Executor

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes an executor available by name. Executors call it from
// their package's init; registering a name twice is a programming error.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic(fmt.Sprintf("executors: %q registered twice", name))
	}
	factories[name] = f
}

// UnknownExecutorError is returned by New for a name nobody registered.
type UnknownExecutorError struct {
	Name  string
	Known []string
}

func (e *UnknownExecutorError) Error() string {
	return fmt.Sprintf("executor %q is not supported; available: %s", e.Name, strings.Join(e.Known, ", "))
}

// New returns a fresh executor of the named kind.
func New(name string) (Executor, error) {
	mu.RLock()
	f, ok := factories[name]
	mu.RUnlock()
	if !ok {
		return nil, &UnknownExecutorError{Name: name, Known: Names()}
	}
	return f(), nil
}

// Names lists the registered executors, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Sweeper removes what the jobs of a runner that died mid-job left behind
// (pods, secrets). `kuberunner run` calls each runner's executor's
// sweeper when it starts.
type Sweeper func(ctx context.Context, runner *config.RunnerConfig) (SweepReport, error)

// SweepReport names objects as "pod ns/name", "secret ns/name".
type SweepReport struct {
	// Deleted had expired; Kept have not yet (a job may still run them).
	Deleted, Kept []string
}

var sweepers = map[string]Sweeper{}

// RegisterSweeper gives executor name a Sweeper; like Register, from init.
func RegisterSweeper(name string, s Sweeper) {
	mu.Lock()
	defer mu.Unlock()
	sweepers[name] = s
}

// Sweep runs the sweeper of the runner's executor; an executor without
// one leaves nothing behind, and Sweep does nothing.
func Sweep(ctx context.Context, runner *config.RunnerConfig) (SweepReport, error) {
	mu.RLock()
	s := sweepers[runner.Executor]
	mu.RUnlock()
	if s == nil {
		return SweepReport{}, nil
	}
	return s(ctx, runner)
}
