package gitsource

import (
	"context"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

// remoteName is the one remote the helper fetches from.
const remoteName = git.DefaultRemoteName

// fetch points origin at the repository URL (without credentials: the
// build container can read .git/config) and fetches exactly the refspecs,
// without tags unless GIT_FETCH_EXTRA_FLAGS has --tags, to the requested
// depth.
func (s *session) fetch(ctx context.Context, repo *git.Repository) error {
	specs, err := s.req.refSpecs()
	if err != nil {
		return err
	}
	if err := setRemote(repo, remoteName, s.url.String(), specs); err != nil {
		return fmt.Errorf("configuring remote %s: %w", remoteName, err)
	}
	if s.depth() > 0 {
		s.printf("Fetching changes from %s with git depth set to %d...", s.url, s.depth())
	} else {
		s.printf("Fetching changes from %s with full history (GIT_DEPTH is 0)...", s.url)
	}
	err = s.network(ctx, "fetching "+s.url.String(), func(ctx context.Context) error {
		return repo.FetchContext(ctx, &git.FetchOptions{
			RemoteName: remoteName,
			RefSpecs:   specs,
			Depth:      s.depth(),
			Auth:       s.auth,
			Tags:       s.flags.Tags,
			Force:      true,
			Prune:      s.flags.Prune,
		})
	})
	var noRef git.NoMatchingRefSpecError
	var stopped *stoppedError
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.As(err, &noRef):
		return fmt.Errorf("fetching %s: %w: %w (was the branch or tag deleted?)", s.url, ErrRefNotFound, err)
	case errors.As(err, &stopped):
		return err // already says what and why
	}
	return fmt.Errorf("fetching %w", describeTransportError(err, s.url.String(), s.auth != nil))
}

// setRemote makes name fetch specs from url, replacing whatever an
// earlier job configured.
func setRemote(repo *git.Repository, name, url string, specs []config.RefSpec) error {
	if err := repo.DeleteRemote(name); err != nil && !errors.Is(err, git.ErrRemoteNotFound) {
		return err
	}
	_, err := repo.CreateRemote(&config.RemoteConfig{Name: name, URLs: []string{url}, Fetch: specs})
	return err
}

// commit returns the hash of the requested commit, or a
// *CommitNotFoundError when the fetch did not bring it.
func (s *session) commit(repo *git.Repository) (plumbing.Hash, error) {
	h := plumbing.NewHash(s.req.SHA)
	_, err := repo.CommitObject(h)
	switch {
	case errors.Is(err, plumbing.ErrObjectNotFound):
		return h, &CommitNotFoundError{SHA: h.String(), Depth: s.depth()}
	case err != nil:
		return h, fmt.Errorf("reading commit %s: %w", h, err)
	}
	return h, nil
}
