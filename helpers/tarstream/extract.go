package tarstream

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Extract unpacks a tar stream into dir, creating dir if needed. It makes
// regular files, directories and symlinks, with the entries' permission bits
// (setuid, setgid and sticky are dropped). It refuses, with an *EntryError:
//
//   - names that are absolute or climb out with ".." (ErrUnsafePath);
//   - an entry whose path or any parent folder is a symlink, made by the
//     archive or already on disk (ErrSymlink);
//   - an entry whose path is already taken, except a directory entry for an
//     existing real directory (ErrExists);
//   - hard links, devices, pipes and other types (ErrUnsupportedType).
//
// Every component is checked with Lstat and files are opened with
// O_NOFOLLOW|O_EXCL, so that nothing is ever written through a symlink.
// Extract stops at the first refusal; entries before it stay on disk.
func Extract(r io.Reader, dir string) error {
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		// With GODEBUG=tarinsecurepath=0 the reader flags names that are not
		// local but still returns the header; extractEntry refuses them
		// with the entry's name.
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && hdr != nil) {
			return fmt.Errorf("read archive: %w", err)
		}
		if err := extractEntry(tr, hdr, dir); err != nil {
			return err
		}
	}
}

// extractEntry writes one entry, or returns the *EntryError refusing it.
func extractEntry(tr *tar.Reader, hdr *tar.Header, dir string) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // describes the archive (git archive puts the commit here), not a file
	}
	fail := func(err error) error {
		e := &EntryError{Name: hdr.Name, Err: err}
		var pe *pathError
		if errors.As(err, &pe) {
			e.Path, e.Err = filepath.ToSlash(pe.rel), pe.err
		}
		return e
	}
	rel, err := localName(hdr.Name)
	if err != nil {
		return fail(err)
	}
	switch hdr.Typeflag {
	case tar.TypeDir, tar.TypeReg, tar.TypeSymlink:
	default:
		return fail(fmt.Errorf("%w: %s", ErrUnsupportedType, typeName(hdr.Typeflag)))
	}
	if err := makeParents(dir, rel); err != nil {
		return fail(err)
	}
	target := filepath.Join(dir, rel)
	mode := fs.FileMode(hdr.Mode).Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		err = extractDir(target, rel == ".", mode|0o700)
	case tar.TypeSymlink:
		err = extractSymlink(target, hdr.Linkname)
	default:
		err = extractFile(target, tr, mode)
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// extractDir makes a directory, or keeps a real one already there. The
// mode is set through a descriptor opened without following symlinks, so
// that umask does not change it and a symlink cannot redirect it. dir
// itself (the entry "./") keeps its mode: the caller chose it.
func extractDir(p string, isRoot bool, mode fs.FileMode) error {
	if isRoot {
		return nil
	}
	exists, err := lstatDir(p)
	if err != nil {
		return err
	}
	if !exists {
		if err := os.Mkdir(p, mode); err != nil {
			return err
		}
	}
	d, err := os.OpenFile(p, os.O_RDONLY|openDirectory|openNoFollow, 0)
	if err != nil {
		return err
	}
	err = d.Chmod(mode)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// extractSymlink makes a symlink as the archive has it. Where it points is
// not checked: sources may link anywhere, and nothing is ever written
// through it.
func extractSymlink(p, target string) error {
	if err := mustNotExist(p); err != nil {
		return err
	}
	return os.Symlink(target, p)
}

// extractFile creates a regular file with the entry's content. O_EXCL and
// O_NOFOLLOW make open itself refuse anything already at p, including a
// symlink put there after the Lstat.
func extractFile(p string, content io.Reader, mode fs.FileMode) error {
	if err := mustNotExist(p); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY|openNoFollow, mode)
	if errors.Is(err, fs.ErrExist) {
		return ErrExists
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(f, content)
	if err == nil {
		err = f.Chmod(mode) // the mode asked for, whatever the umask
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// typeName names an entry type in a refusal, so that the message says what
// the archive holds rather than a type letter.
func typeName(t byte) string {
	switch t {
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "named pipe"
	}
	return fmt.Sprintf("type %q", t)
}
