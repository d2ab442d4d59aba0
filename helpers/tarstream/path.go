package tarstream

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// localName turns an entry name into a clean path relative to the target
// directory. Absolute names and names that climb out with ".." are refused
// rather than trimmed: Write never makes them, so they are hostile.
func localName(name string) (string, error) {
	p := filepath.FromSlash(name)
	if !filepath.IsLocal(p) {
		return "", ErrUnsafePath
	}
	return filepath.Clean(p), nil
}

// makeParents creates the folders above rel inside dir one at a time,
// checking each with Lstat first. os.MkdirAll would follow a symlink where
// a folder is expected, which is exactly the way out of dir. A failure is a
// *pathError naming the folder.
func makeParents(dir, rel string) error {
	parent := filepath.Dir(rel)
	if parent == "." {
		return nil
	}
	done := ""
	for _, part := range strings.Split(parent, string(filepath.Separator)) {
		done = filepath.Join(done, part)
		exists, err := lstatDir(filepath.Join(dir, done))
		if err == nil && !exists {
			err = os.Mkdir(filepath.Join(dir, done), 0o755)
		}
		if err != nil {
			return &pathError{rel: done, err: err}
		}
	}
	return nil
}

// lstatDir reports whether p exists as a real directory. Anything else at
// p is an error: ErrSymlink for a symlink, ErrExists for a file.
func lstatDir(p string) (bool, error) {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, notDir(fi)
}

// notDir is nil for a real directory and the reason it is not one
// otherwise.
func notDir(fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return ErrSymlink
	case !fi.IsDir():
		return fmt.Errorf("%w and is not a directory", ErrExists)
	}
	return nil
}

// mustNotExist is the check before creating a file or a symlink at p: a
// symlink there is ErrSymlink, anything else ErrExists.
func mustNotExist(p string) error {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return ErrSymlink
	}
	return ErrExists
}
