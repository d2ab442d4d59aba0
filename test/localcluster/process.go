package localcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a component process started by this package.
type proc struct {
	name   string
	exited chan struct{} // closed once the process exits, if we started it
	err    error         // its exit status, valid after exited is closed
}

func (c *Cluster) pidFile(name string) string { return c.path("run", name+".pid") }

// start launches a component in its own session (so it outlives `up` and the
// test process that may have started it) with output appended to its log.
// Only the log file is inherited: a component holding our stdout would keep
// `go test` or `make` waiting for EOF.
func (c *Cluster) start(name, bin string, args []string, env []string) (*proc, error) {
	for _, d := range []string{"run", "logs"} {
		if err := os.MkdirAll(c.path(d), 0o755); err != nil {
			return nil, err
		}
	}
	logf, err := os.OpenFile(c.LogPath(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "\n==== %s: starting %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	if err := os.WriteFile(c.pidFile(name), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return nil, err
	}
	p := &proc{name: name, exited: make(chan struct{})}
	// Reap it if it dies while we run, so that a crashed component is seen as
	// dead (not a zombie) and its exit status can be reported.
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// pid returns the live process recorded for component name, or 0. A pid file
// whose process is gone, a zombie, or some unrelated program that reused the
// pid (its command line does not mention our state dir) counts as not running.
func (c *Cluster) pid(name string) int {
	b, err := os.ReadFile(c.pidFile(name))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	if !c.ownsProcess(pid) {
		return 0
	}
	return pid
}

// ownsProcess reports whether pid is alive and runs with our state dir in its
// command line, which every component's flags include.
func (c *Cluster) ownsProcess(pid int) bool {
	if !alive(pid) {
		return false
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return err == nil && bytes.Contains(cmdline, []byte(c.Dir))
}

// alive reports whether pid exists and is not a finished zombie. A
// multi-threaded process's main thread turns zombie before its other threads
// have exited, and those still hold its files — a listening socket, say — so
// a zombie with threads left counts as alive.
func alive(pid int) bool {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may contain spaces.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	if stat[i+2] != 'Z' {
		return true
	}
	tasks, err := os.ReadDir(filepath.Join(dir, "task"))
	return err == nil && len(tasks) > 1
}

// stop sends SIGTERM to component name, escalating to SIGKILL after grace,
// and waits until it is gone. A component that is not running is fine.
func (c *Cluster) stop(name string, grace time.Duration) error {
	pid := c.pid(name)
	if pid == 0 {
		_ = os.Remove(c.pidFile(name))
		return nil
	}
	if err := killAndWait(pid, grace); err != nil {
		return fmt.Errorf("stop %s (pid %d): %w", name, pid, err)
	}
	return os.Remove(c.pidFile(name))
}

// killAndWait terminates pid: SIGTERM, then SIGKILL after grace.
func killAndWait(pid int, grace time.Duration) error {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if waitGone(pid, grace) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	if waitGone(pid, 10*time.Second) {
		return nil
	}
	return errors.New("still alive after SIGKILL")
}

// waitGone polls until pid is gone or a zombie. The process is usually not our
// child (it was started by an earlier `up`), so there is nothing to wait(2) on.
func waitGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for delay := 5 * time.Millisecond; ; delay = min(delay*2, 100*time.Millisecond) {
		if !alive(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(delay)
	}
}

// tail returns the last n lines of path, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
