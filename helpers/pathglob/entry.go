package pathglob

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Entry is one selected path.
type Entry struct {
	// Path is slash-separated and relative to the directory, spelled as
	// the rules reach it: the name it gets in an archive.
	Path string
	// Info is the path's own Lstat information; a symlink is not followed.
	Info fs.FileInfo
	// Link is a symlink's target as written, for IsSymlink entries.
	Link string
}

// IsDir is true for a real directory (never for a symlink to one).
func (e Entry) IsDir() bool { return e.Info.IsDir() }

// IsSymlink is true for a symlink, whose target stays inside the directory.
func (e Entry) IsSymlink() bool { return e.Info.Mode()&fs.ModeSymlink != 0 }

// IsRegular is true for a regular file.
func (e Entry) IsRegular() bool { return e.Info.Mode().IsRegular() }

// Open opens a regular Entry for reading. The last component is opened
// without following a symlink, so that a file swapped for a link after the
// walk is not read through.
func (s *Selection) Open(e Entry) (*os.File, error) {
	return os.OpenFile(filepath.Join(s.real, filepath.FromSlash(e.Path)), os.O_RDONLY|openNoFollow, 0)
}
