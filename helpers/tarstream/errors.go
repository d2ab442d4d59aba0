package tarstream

import (
	"errors"
	"fmt"
)

// Sentinels carried by EntryError.Err, for callers and tests to branch on
// with errors.Is.
var (
	// ErrUnsafePath is an entry that would land outside the target
	// directory: by its name (absolute, or climbing with "..") or through a
	// symlink (ErrSymlink, which wraps it).
	ErrUnsafePath = errors.New("escapes the target directory")
	// ErrSymlink is an entry whose path, or one of whose parent folders, is
	// a symlink. Writing through it could land anywhere, so it is refused
	// whether the archive made the symlink or it was already there.
	ErrSymlink = fmt.Errorf("%w: a symlink is in the way", ErrUnsafePath)
	// ErrExists is an entry whose path is already taken by something other
	// than a directory, or a parent folder that is not a directory. An
	// archive from Write names each path once, so a second entry for a
	// path is broken or hostile; replacing silently would let it undo what
	// the first one made.
	ErrExists = errors.New("already exists")
	// ErrUnsupportedType is an entry that is not a regular file, directory
	// or symlink. Hard links can point at any file on the volume, devices
	// and pipes have no place in sources; Write never makes any of them.
	ErrUnsupportedType = errors.New("entry type not supported")
)

// EntryError is an archive entry Extract refused or failed to write.
type EntryError struct {
	// Name is the entry's name as the archive spells it.
	Name string
	// Path is the part of the name that is at fault, relative to the
	// target directory, when that is a parent folder rather than the whole
	// name: "link" for "link/file" when link is a symlink. Empty otherwise.
	Path string
	// Err is one of the sentinels above, possibly wrapped with detail, or
	// the file system's error.
	Err error
}

func (e *EntryError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("archive entry %q: %s: %v", e.Name, e.Path, e.Err)
	}
	return fmt.Sprintf("archive entry %q: %v", e.Name, e.Err)
}

func (e *EntryError) Unwrap() error { return e.Err }

// pathError is a refusal about one parent folder of an entry; Extract turns
// it into an EntryError with Path set.
type pathError struct {
	rel string
	err error
}

func (e *pathError) Error() string { return e.rel + ": " + e.err.Error() }

func (e *pathError) Unwrap() error { return e.err }
