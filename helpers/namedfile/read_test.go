//go:build unix

package namedfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Repeat("a", size)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small", 10)
	exact := write("exact", 16)
	over := write("over", 17)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	unreadable := write("unreadable", 1)
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		path  string
		check func(t *testing.T, data []byte, err error)
	}{
		{"small file", small, func(t *testing.T, data []byte, err error) {
			if err != nil || len(data) != 10 {
				t.Fatalf("got %d bytes, %v", len(data), err)
			}
		}},
		{"exactly the limit", exact, func(t *testing.T, data []byte, err error) {
			if err != nil || len(data) != 16 {
				t.Fatalf("got %d bytes, %v", len(data), err)
			}
		}},
		{"a symlink to a file is that file", link, func(t *testing.T, data []byte, err error) {
			if err != nil || len(data) != 10 {
				t.Fatalf("got %d bytes, %v", len(data), err)
			}
		}},
		{"one byte over", over, func(t *testing.T, _ []byte, err error) {
			var tl *TooLargeError
			if !errors.As(err, &tl) || tl.Size != 17 || tl.Limit != 16 || tl.Path != over {
				t.Fatalf("err = %#v", err)
			}
		}},
		{"missing", filepath.Join(dir, "nope"), func(t *testing.T, _ []byte, err error) {
			if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"directory", dir, func(t *testing.T, _ []byte, err error) {
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), "is a directory, not a regular file") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"named pipe is refused without blocking", fifo, func(t *testing.T, _ []byte, err error) {
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), fifo+" is a named pipe") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"device", "/dev/zero", func(t *testing.T, _ []byte, err error) {
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), "a character device") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"unreadable", unreadable, func(t *testing.T, _ []byte, err error) {
			if os.Geteuid() == 0 {
				t.Skip("root reads files without permission")
			}
			if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), unreadable) {
				t.Fatalf("err = %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var data []byte
			var err error
			go func() { defer close(done); data, err = Read(tt.path, 16) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Read blocked")
			}
			tt.check(t, data, err)
			if cerr := Check(tt.path); (cerr == nil) != (err == nil || isTooLarge(err)) {
				t.Fatalf("Check = %v, Read = %v: they must agree on everything but size", cerr, err)
			}
		})
	}
}

func isTooLarge(err error) bool {
	var tl *TooLargeError
	return errors.As(err, &tl)
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{8 << 20, "8 MiB"},
		{64 << 10, "64 KiB"},
		{1000, "1000 bytes"},
		{(8 << 20) + 1, "8388609 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatSize(tt.in); got != tt.want {
				t.Fatalf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
