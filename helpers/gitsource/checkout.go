package gitsource

import (
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// checkout makes the worktree the requested commit as a detached HEAD,
// discarding local changes. In a reused repository, what an earlier job
// left is removed first (so that no symlink it made is written through)
// and again after (what the new commit no longer tracks).
func (s *session) checkout(repo *git.Repository, reused bool) error {
	h, err := s.commit(repo)
	if err != nil {
		return err
	}
	removed := 0
	if reused {
		n, err := cleanWorktree(repo, s.dir)
		if err != nil {
			return err
		}
		removed += n
	}
	s.printf("Checking out %s as detached HEAD (ref %s)...", shortSHA(h.String()), s.refName())
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: h, Force: true}); err != nil {
		return fmt.Errorf("checking out %s: %w", h, err)
	}
	if reused {
		n, err := cleanWorktree(repo, s.dir)
		if err != nil {
			return err
		}
		removed += n
	}
	if removed > 0 {
		s.printf("Removed %d untracked files and directories left by earlier jobs", removed)
	}
	return nil
}

// cleanWorktree removes from dir, repo's worktree, what its index does not
// track as it is (see removeUntracked).
func cleanWorktree(repo *git.Repository, dir string) (int, error) {
	tracked, err := trackedPaths(repo)
	if err != nil {
		return 0, err
	}
	n, err := removeUntracked(dir, tracked)
	if err != nil {
		return n, fmt.Errorf("removing untracked files: %w", err)
	}
	return n, nil
}

// trackedPaths lists the index: every file, symlink and submodule of the
// commit checked out last. A repository never checked out has none.
func trackedPaths(repo *git.Repository) (map[string]entryKind, error) {
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	paths := make(map[string]entryKind, len(idx.Entries))
	for _, e := range idx.Entries {
		switch e.Mode {
		case filemode.Symlink:
			paths[e.Name] = kindSymlink
		case filemode.Submodule:
			paths[e.Name] = kindSubmodule
		default:
			paths[e.Name] = kindFile
		}
	}
	return paths, nil
}

// skipCheckout is GIT_CHECKOUT=false: the fetch is all. A commit the fetch
// did not bring is worth a warning, not a failure: the job asked not to
// use it.
func (s *session) skipCheckout(repo *git.Repository) error {
	_, err := s.commit(repo)
	var missing *CommitNotFoundError
	switch {
	case errors.As(err, &missing):
		s.printf("WARNING: %v", err)
	case err != nil:
		return err
	}
	s.printf("Skipping the checkout: GIT_CHECKOUT is false")
	if s.req.SubmoduleStrategy == SubmodulesNormal || s.req.SubmoduleStrategy == SubmodulesRecursive {
		s.printf("WARNING: submodules are not fetched: there is no checkout to put them in (GIT_CHECKOUT is false)")
	}
	return nil
}

// refName is how progress lines name the ref: the ref, or the refspecs'
// first source when the request names none.
func (s *session) refName() string {
	if s.req.Ref != "" {
		return s.req.Ref
	}
	specs, err := s.req.refSpecs()
	if err != nil || len(specs) == 0 {
		return "unknown"
	}
	return specs[0].Src()
}
