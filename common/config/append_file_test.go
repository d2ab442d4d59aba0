//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Concurrent appends each keep their runner: without a lock, each read
// the same file and the last rename won, so runners were lost while every
// caller reported success. Several rounds, because one may pass by luck.
func TestAppendRunnerConcurrently(t *testing.T) {
	const writers, rounds = 8, 5
	for round := range rounds {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			start := make(chan struct{})
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = AppendRunner(path, testEntry(fmt.Sprintf("r%d", i)))
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				require.NoError(t, err, "writer %d", i)
			}
			var names []string
			for _, r := range loadRunners(t, path) {
				names = append(names, r.Name)
			}
			want := make([]string, writers)
			for i := range want {
				want[i] = fmt.Sprintf("r%d", i)
			}
			assert.ElementsMatch(t, want, names)
		})
	}
}

// A config.toml that is a symbolic link stays one: the runner is written
// to the link's target, and the temporary file is made next to the target
// so that the rename stays on its file system.
func TestAppendRunnerWritesThroughASymlink(t *testing.T) {
	tests := []struct {
		name     string
		existing string // the target's text; "" for a missing target
	}{
		{"to a file", "concurrent = 2\n"},
		{"to an empty file", "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			linkDir, targetDir := t.TempDir(), t.TempDir()
			target := filepath.Join(targetDir, "real.toml")
			require.NoError(t, os.WriteFile(target, []byte(tt.existing), 0o600))
			link := filepath.Join(linkDir, "config.toml")
			require.NoError(t, os.Symlink(target, link))

			require.NoError(t, AppendRunner(link, testEntry("a")))

			info, err := os.Lstat(link)
			require.NoError(t, err)
			assert.Equal(t, os.ModeSymlink, info.Mode().Type(), "the link is still a link")
			dest, err := os.Readlink(link)
			require.NoError(t, err)
			assert.Equal(t, target, dest)
			require.Len(t, loadRunners(t, target), 1)
			entries, err := os.ReadDir(linkDir)
			require.NoError(t, err)
			require.Len(t, entries, 1, "nothing but the link in its directory")
		})
	}

	t.Run("a link to a missing file is refused", func(t *testing.T) {
		dir := t.TempDir()
		link := filepath.Join(dir, "config.toml")
		require.NoError(t, os.Symlink(filepath.Join(dir, "gone.toml"), link))

		err := AppendRunner(link, testEntry("a"))

		require.Error(t, err)
		assert.Contains(t, err.Error(), link+": a symbolic link to "+filepath.Join(dir, "gone.toml")+", which does not exist")
		_, serr := os.Lstat(filepath.Join(dir, "gone.toml"))
		assert.ErrorIs(t, serr, os.ErrNotExist)
	})
}

// config.toml is read the way every named file is (helpers/namedfile): a
// device or a named pipe is refused without reading it or blocking on it,
// and a file over MaxFileSize is refused without reading it whole. The
// file is left as it was. Each call must return within a few seconds:
// os.ReadFile blocked on a pipe forever (and on /dev/zero it ran out of
// memory).
func TestAppendRunnerRefusesWhatIsNotAConfigFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	zero := filepath.Join(dir, "zero.toml")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	large := filepath.Join(dir, "large.toml")
	require.NoError(t, os.WriteFile(large, []byte("# "+strings.Repeat("x", MaxFileSize)+"\n"), 0o600))

	tests := []struct {
		name, path, want string
	}{
		{"a named pipe", fifo, fifo + ": not a regular file (it is a named pipe)"},
		{"a link to /dev/zero", zero, zero + ": not a regular file (it is a character device)"},
		{"over the size limit", large, large + ": the file is 8388611 bytes, over the limit of 8 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- AppendRunner(tt.path, testEntry("a")) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("AppendRunner is still reading after 5 s")
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := os.Stat("/dev/zero.lock")
	assert.ErrorIs(t, err, os.ErrNotExist, "no lock file is made next to what is not a config file")
	info, err := os.Stat(large)
	require.NoError(t, err)
	assert.Equal(t, int64(MaxFileSize+3), info.Size(), "the large file is unchanged")
}

// The lock is config.toml.lock's, which the rename does not replace: an
// append waits while another holder has it, and goes on when it is
// released.
func TestAppendRunnerWaitsForTheLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	holder, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(holder.Fd()), syscall.LOCK_EX))

	done := make(chan error, 1)
	go func() { done <- AppendRunner(path, testEntry("a")) }()
	select {
	case err := <-done:
		t.Fatalf("AppendRunner did not wait for the lock: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing written while the lock is held")

	require.NoError(t, holder.Close())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("AppendRunner still waits after the lock was released")
	}
	require.Len(t, loadRunners(t, path), 1)
}
