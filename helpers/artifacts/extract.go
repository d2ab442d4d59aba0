package artifacts

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"kuberunner/helpers/pathglob"
)

// ErrUnsafeArchive is an archive ExtractZip refuses before writing
// anything: an entry that would land outside the directory by its name
// or a symlink's target, or of a type other than file, folder or symlink.
var ErrUnsafeArchive = errors.New("the archive is refused")

// errSymlinkInWay is a folder on an entry's way that is a symlink on
// disk: writing through it could land anywhere.
var errSymlinkInWay = errors.New("a symlink is in the way")

// maxLinkTarget bounds a symlink entry's content, its target.
const maxLinkTarget = 4096

// EntryError is an entry of an archive that was refused or failed.
type EntryError struct {
	Name string
	Err  error
}

func (e *EntryError) Error() string { return fmt.Sprintf("archive entry %q: %v", e.Name, e.Err) }
func (e *EntryError) Unwrap() error { return e.Err }

// ExtractZip unpacks the zip file at zipPath into dir, which must exist.
// Every entry is checked before the first is written (*EntryError wrapping
// ErrUnsafeArchive). Files already there are replaced, as GitLab Runner
// does, but never written through: a symlink in the way of a file is
// removed, not followed, and one in place of a folder is refused.
func ExtractZip(zipPath, dir string) (Result, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return Result{}, fmt.Errorf("reading the archive: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := checkEntry(f); err != nil {
			return Result{}, &EntryError{Name: f.Name, Err: err}
		}
	}
	var res Result
	for _, f := range zr.File {
		if err := extractEntry(f, dir, &res); err != nil {
			return res, &EntryError{Name: f.Name, Err: err}
		}
	}
	return res, restoreTimes(zr.File, dir)
}

// hasTime reports whether the entry records a time: an MS-DOS date of
// 0 (month 0) is none, whatever archive/zip makes of it.
func hasTime(f *zip.File) bool { return f.ModifiedDate != 0 && !f.Modified.IsZero() }

// restoreTimes gives files and folders their archived modification time,
// which tools such as make compare. It runs once every entry is written,
// since writing into a folder changes its time. A symlink keeps the time
// it was made with: setting one would set its target's.
func restoreTimes(files []*zip.File, dir string) error {
	for _, f := range files {
		if !hasTime(f) || f.Mode()&fs.ModeSymlink != 0 {
			continue
		}
		rel, _ := pathglob.CheckName(f.Name) // checked already
		if err := os.Chtimes(filepath.Join(dir, rel), f.Modified, f.Modified); err != nil {
			return &EntryError{Name: f.Name, Err: err}
		}
	}
	return nil
}

// checkEntry is the rule for one entry, from the archive alone.
func checkEntry(f *zip.File) error {
	rel, err := pathglob.CheckName(f.Name)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnsafeArchive, err)
	}
	switch mode := f.Mode(); {
	case mode.IsDir(), mode.IsRegular():
		return nil
	case mode&fs.ModeSymlink != 0:
		target, err := linkTarget(f)
		if err != nil {
			return err
		}
		return checkLinkTarget(rel, target)
	default:
		return fmt.Errorf("%w: %s is not a file, folder or symlink", ErrUnsafeArchive, f.Mode().Type())
	}
}

// checkLinkTarget refuses a symlink whose target, taken from the link's
// folder, leaves the directory: a later job would read through it.
func checkLinkTarget(rel, target string) error {
	if filepath.IsAbs(target) || !filepath.IsLocal(filepath.Join(filepath.Dir(rel), target)) {
		return fmt.Errorf("%w: a symlink to %q leads out of the project directory", ErrUnsafeArchive, target)
	}
	return nil
}

func linkTarget(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxLinkTarget || len(b) == 0 {
		return "", fmt.Errorf("%w: a symlink's target is empty or longer than %d bytes", ErrUnsafeArchive, maxLinkTarget)
	}
	return string(b), nil
}

// extractEntry writes one checked entry.
func extractEntry(f *zip.File, dir string, res *Result) error {
	rel, _ := pathglob.CheckName(f.Name) // checked already
	if err := makeParents(dir, rel); err != nil {
		return err
	}
	p := filepath.Join(dir, rel)
	switch mode := f.Mode(); {
	case mode.IsDir():
		res.Dirs++
		return makeDir(p, mode.Perm()|0o700)
	case mode&fs.ModeSymlink != 0:
		res.Symlinks++
		target, err := linkTarget(f)
		if err == nil {
			err = replaceWith(p, func() error { return os.Symlink(target, p) })
		}
		return err
	}
	res.Files++
	res.Bytes += int64(f.UncompressedSize64)
	return replaceWith(p, func() error { return writeFile(p, f) })
}

// makeParents creates the folders above rel one at a time, refusing a
// symlink where a folder is expected (os.MkdirAll would follow it).
func makeParents(dir, rel string) error {
	parent := filepath.Dir(rel)
	if parent == "." {
		return nil
	}
	cur := dir
	for _, part := range strings.Split(parent, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		if err := makeDir(cur, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// makeDir makes a folder or keeps the real one there.
func makeDir(p string, mode fs.FileMode) error {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.Mkdir(p, mode)
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s: %w", p, errSymlinkInWay)
	case !fi.IsDir():
		return fmt.Errorf("%s: a file is where a folder must be", p)
	}
	return nil
}

// replaceWith removes what is at p (a file or a symlink, never a folder)
// and makes the new entry there.
func replaceWith(p string, make func() error) error {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s: a folder is where a file must be", p)
	default:
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return make()
}

// writeFile creates p, refusing anything put there since the check, and
// copies the entry in; zip checks the content's CRC at its end.
func writeFile(p string, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	mode := f.Mode().Perm()
	out, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY|openNoFollow, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, rc)
	if err == nil {
		err = out.Chmod(mode)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
