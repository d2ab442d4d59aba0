package exitmark

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const nonce = "0123456789abcdef"

// The filter's output is the command's stderr byte for byte, however the
// stream is split into writes.
func TestFilter(t *testing.T) {
	tests := []struct {
		name, in, want string
		code           int
		seen           bool
	}{
		{"marker after a line", "err\n" + Line(nonce, 3), "err\n", 3, true},
		{"marker after a partial line", "no newline" + Line(nonce, 0), "no newline", 0, true},
		{"marker alone", Line(nonce, 255), "", 255, true},
		{"no marker: the stream was cut", "err\nmore\n", "err\nmore\n", 0, false},
		{"cut inside the marker", "err" + Line(nonce, 1)[:10], "err" + Line(nonce, 1)[:10], 0, false},
		{"another nonce is output", Line("ffffffffffffffff", 0), Line("ffffffffffffffff", 0), 0, false},
		{"too many digits is output", word + nonce + " 1234\n", word + nonce + " 1234\n", 0, false},
		{"no digits is output", word + nonce + " \n", word + nonce + " \n", 0, false},
		{"blank lines before the marker", "a\n\n\n" + Line(nonce, 2), "a\n\n\n", 2, true},
		{"record separators in the output", "\x1e\n\x1e" + Line(nonce, 4), "\x1e\n\x1e", 4, true},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 2, 7, len(tt.in) + 1} {
			t.Run(tt.name, func(t *testing.T) {
				var out bytes.Buffer
				f := NewFilter(&out, nonce)
				for in := tt.in; in != ""; {
					n := min(size, len(in))
					w, err := f.Write([]byte(in[:n]))
					require.NoError(t, err)
					require.Equal(t, n, w)
					in = in[n:]
				}
				require.NoError(t, f.Flush())
				assert.Equal(t, tt.want, out.String(), "writes of %d", size)
				code, seen := f.Exit()
				assert.Equal(t, tt.seen, seen, "writes of %d", size)
				assert.Equal(t, tt.code, code, "writes of %d", size)
			})
		}
	}
}

// Shell's wrapper, run by this machine's sh, reports the status of a
// script that exits early, sets its own EXIT trap, or succeeds, and keeps
// stdin, stdout and stderr the script's.
func TestShell(t *testing.T) {
	tests := []struct {
		name, script, stdout, stderr string
		code                         int
	}{
		{"success", "echo out; echo err >&2\n", "out\n", "err\n", 0},
		{"set -e failure", "set -e\necho before\nfalse\necho after\n", "before\n", "", 1},
		{"exit code", "exit 42\n", "", "", 42},
		{"the script's own EXIT trap", "trap 'echo trapped >&2' EXIT\nexit 7\n", "", "trapped\n", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := Shell(nonce, []string{"sh"})
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdin = strings.NewReader(tt.script)
			var stdout, stderr bytes.Buffer
			f := NewFilter(&stderr, nonce)
			cmd.Stdout, cmd.Stderr = &stdout, f
			err := cmd.Run()
			require.NoError(t, f.Flush())
			assert.Equal(t, tt.code, cmd.ProcessState.ExitCode(), "%v", err)
			assert.Equal(t, tt.stdout, stdout.String())
			assert.Equal(t, tt.stderr, stderr.String())
			code, seen := f.Exit()
			assert.True(t, seen, "no marker in stderr")
			assert.Equal(t, tt.code, code)
		})
	}
}

// A live log shows each line whole as it is written: only bytes that may
// begin the marker wait, and a newline never does.
func TestFilterHoldsBackOnlyAMarkerStart(t *testing.T) {
	var out bytes.Buffer
	f := NewFilter(&out, nonce)
	_, _ = f.Write([]byte("line\n"))
	assert.Equal(t, "line\n", out.String())
	_, _ = f.Write([]byte("next\x1ekuberunner"))
	assert.Equal(t, "line\nnext", out.String())
	_, _ = f.Write([]byte("-exit 99\n"))
	assert.Equal(t, "line\nnext\x1ekuberunner-exit 99\n", out.String(), "another nonce: output after all")
}

// BenchmarkFilter is a megabyte of ordinary stderr through the filter.
func BenchmarkFilter(b *testing.B) {
	chunk := bytes.Repeat([]byte("compiling module 42 of 97: ok\n"), 1<<15/32)
	b.SetBytes(int64(len(chunk)) * 32)
	for b.Loop() {
		f := NewFilter(io.Discard, nonce)
		for range 32 {
			_, _ = f.Write(chunk)
		}
	}
}
