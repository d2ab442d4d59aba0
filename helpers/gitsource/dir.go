package gitsource

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultRoot is where project directories live in the helper container:
// the builds volume shared with the build container.
const DefaultRoot = "/builds"

// projectDir checks that dir is an absolute path strictly below root with
// no symlink from root down, creates what is missing of it, and returns it
// cleaned and spelled from root as resolved. root itself is the
// operator's and may be reached through symlinks.
func projectDir(root, dir string) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", &DirError{Dir: dir, Err: errors.New("is not an absolute path")}
	}
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(dir))
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return "", &DirError{Dir: dir, Err: fmt.Errorf("%w %s", ErrOutsideRoot, root)}
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", &DirError{Dir: dir, Err: fmt.Errorf("the builds root: %w", err)}
	}
	cur := real
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		if err := realDir(cur); err != nil {
			return "", &DirError{Dir: dir, Err: err}
		}
	}
	return cur, nil
}

// realDir makes sure p is a directory and not a symlink, creating it when
// it does not exist.
func realDir(p string) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		err = os.Mkdir(p, 0o755)
		if !errors.Is(err, fs.ErrExist) { // someone may have made it meanwhile
			return err
		}
		fi, err = os.Lstat(p)
	}
	switch {
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: %s", ErrSymlinkInPath, p)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", p)
	}
	return nil
}

// emptyDir removes everything in dir and returns how many entries it
// held. os.RemoveAll removes a symlink itself, never what it points to,
// and opens each directory it descends into without following links.
func emptyDir(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return 0, err
		}
	}
	return len(entries), nil
}

// hasGitDir reports whether dir/.git is a real directory. A .git file
// (gitdir: elsewhere) or a symlink would send go-git outside dir; such a
// repository is not reused.
func hasGitDir(dir string) (bool, error) {
	fi, err := os.Lstat(filepath.Join(dir, ".git"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	}
	return fi.IsDir() && fi.Mode()&fs.ModeSymlink == 0, nil
}

// entryKind is what the index says a tracked path is.
type entryKind int

const (
	kindFile      entryKind = iota // a regular file, executable or not
	kindSymlink                    // a symlink
	kindSubmodule                  // a submodule's directory
)

// fits reports whether an entry on disk of type t is what the index
// holds, so that a checkout may write it in place. Anything else (a
// symlink where a file belongs, a directory where a file or a symlink
// belongs) must go first: go-git would write through it.
func (k entryKind) fits(t fs.FileMode) bool {
	switch k {
	case kindSymlink:
		return t&fs.ModeSymlink != 0
	case kindSubmodule:
		return t.IsDir()
	}
	return t.IsRegular()
}

// removeUntracked deletes everything under dir that tracked does not
// hold, ignored files too, as git clean -ffdx does, and every tracked path
// whose type on disk is not the index's; .git at the top is kept. tracked
// maps slash-separated paths to their kind; a directory is kept, and
// looked into, when a tracked path lies in it. Nothing is followed through
// a symlink. It returns how many entries it removed.
func removeUntracked(dir string, tracked map[string]entryKind) (int, error) {
	dirs := map[string]bool{}
	for p := range tracked {
		for d := p; ; {
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
			if dirs[d] {
				break
			}
			dirs[d] = true
		}
	}
	return clean(dir, "", tracked, dirs)
}

func clean(dir, rel string, tracked map[string]entryKind, dirs map[string]bool) (int, error) {
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		p := e.Name()
		if rel != "" {
			p = rel + "/" + p
		}
		kind, isTracked := tracked[p]
		switch {
		case p == ".git":
			continue
		case isTracked && kind.fits(e.Type()): // ReadDir's type is Lstat's
			continue
		case !isTracked && e.Type().IsDir() && dirs[p]:
			n, err := clean(dir, p, tracked, dirs)
			removed += n
			if err != nil {
				return removed, err
			}
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}
