package namedfile

import (
	"fmt"
	"io"
	"os"
)

// MaxSize is the cap on configuration files a person names (config.toml,
// .gitlab-ci.yml): real ones are kilobytes, and parsing costs memory in
// proportion to size, so a stray multi-gigabyte file is refused before it
// is read in full.
const MaxSize = 8 << 20

// Read returns the contents of the regular file at path, at most limit
// bytes. Errors carry the path: a missing or unreadable file is the
// *fs.PathError from the open (errors.Is(err, fs.ErrNotExist) works), a
// directory, pipe or device is a *NotRegularError, and a file over limit is
// a *TooLargeError.
//
// The file is opened without blocking (openFlags) and its type is checked
// on the open descriptor, so swapping the path for a pipe between a check
// and the open cannot make Read hang; reading stops one byte past the
// limit, so a file that grows while being read cannot exhaust memory.
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	if info.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: info.Size(), Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// Check reports whether path names a readable regular file, for a path
// handed on to a library that reads it itself (a kubeconfig for client-go),
// so that a typo is reported as such instead of as the library's fallback.
// It opens the file the way Read does and reads nothing.
func Check(path string) error {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return &NotRegularError{Path: path, Mode: info.Mode()}
	}
	return nil
}
