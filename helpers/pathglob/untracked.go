package pathglob

import (
	"fmt"
	"io/fs"
	"path/filepath"

	git "github.com/go-git/go-git/v5"
)

// UntrackedError is `untracked` asked for in a directory whose Git index
// cannot be read (no repository: GIT_STRATEGY none, or a broken one). It
// ends the iteration: what is untracked cannot be told.
type UntrackedError struct {
	Dir string
	Err error
}

func (e *UntrackedError) Error() string {
	return fmt.Sprintf("untracked: cannot read the Git index of %s: %v", e.Dir, e.Err)
}

func (e *UntrackedError) Unwrap() error { return e.Err }

// untrackedPattern names `untracked` in refusals and summaries.
const untrackedPattern = "untracked"

// walkUntracked yields every file and symlink below the directory that the
// index does not track. Like `git ls-files --others`, it ignores
// .gitignore, skips .git folders, and does not enter a folder the index
// tracks as a whole (a submodule).
func (s *Selection) walkUntracked(y *yielder, count *int) bool {
	tracked, err := s.trackedPaths()
	if err != nil {
		return y.fail(&UntrackedError{Dir: s.root, Err: err})
	}
	p := pattern{raw: untrackedPattern}
	err = filepath.WalkDir(s.real, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.real, full)
		name := filepath.ToSlash(rel)
		_, isTracked := tracked[name]
		if d.IsDir() {
			if name != "." && (d.Name() == ".git" || isTracked) {
				return filepath.SkipDir
			}
			return nil
		}
		if isTracked {
			return nil
		}
		return s.emitEntry(y, p, name, full, d, count)
	})
	return walkEnded(y, err)
}

// trackedPaths reads the index of the repository at the directory (not a
// parent's: the project directory is the repository).
func (s *Selection) trackedPaths() (map[string]struct{}, error) {
	repo, err := git.PlainOpen(s.real)
	if err != nil {
		return nil, err
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, err
	}
	out := make(map[string]struct{}, len(idx.Entries))
	for _, e := range idx.Entries {
		out[e.Name] = struct{}{}
	}
	return out, nil
}
