package gitsource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// MaxSubmoduleNesting is how deep SubmodulesRecursive goes: a submodule
// of a submodule is level 2.
const MaxSubmoduleNesting = 10

// allBranches is the fetch refspec of a submodule's remote, as git
// submodule sets it.
const allBranches = config.RefSpec("+refs/heads/*:refs/remotes/origin/*")

// updateSubmodules does what GIT_SUBMODULE_STRATEGY asks once the commit
// is checked out.
func (s *session) updateSubmodules(ctx context.Context, repo *git.Repository) error {
	levels := 0
	switch s.req.SubmoduleStrategy {
	case SubmodulesNormal:
		levels = 1
	case SubmodulesRecursive:
		levels = MaxSubmoduleNesting
	}
	if levels == 0 {
		if n, err := countSubmodules(repo); err == nil && n > 0 {
			s.printf("Not fetching submodules (this commit has %d): GIT_SUBMODULE_STRATEGY is none", n)
		}
		return nil
	}
	s.printf("Updating submodules (GIT_SUBMODULE_STRATEGY %s)...", s.req.SubmoduleStrategy)
	n, err := s.submodulesOf(ctx, repo, s.dir, "", s.url, 1, levels)
	if err == nil && n == 0 && len(s.req.SubmodulePaths) == 0 {
		s.printf("This commit has no submodules")
	}
	return err
}

// submodulesOf fetches and checks out each submodule of repo (whose
// worktree is dir, at prefix below the project directory, fetched from
// parent), then theirs down to level max. It returns how many it updated
// at this level.
func (s *session) submodulesOf(ctx context.Context, repo *git.Repository, dir, prefix string, parent *url.URL, level, max int) (int, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return 0, err
	}
	subs, err := wt.Submodules()
	if err != nil {
		return 0, fmt.Errorf("reading .gitmodules in %s: %w", displayPath(prefix), err)
	}
	if level == 1 {
		if subs, err = s.selectSubmodules(subs); err != nil {
			return 0, err
		}
	}
	if len(subs) > 0 && level > max {
		s.printf("WARNING: the %d submodules in %s are not fetched: they are nested deeper than %d levels", len(subs), displayPath(prefix), max)
		return 0, nil
	}
	for _, sub := range subs {
		p := prefix + sub.Config().Path
		subRepo, err := s.updateSubmodule(ctx, sub, dir, p, parent)
		if err != nil {
			return 0, fmt.Errorf("submodule %s: %w", p, err)
		}
		if level == max && max == 1 {
			continue // normal: the submodules' own are not looked at
		}
		subURL, _ := remoteURL(subRepo)
		if _, err := s.submodulesOf(ctx, subRepo, filepath.Join(dir, filepath.FromSlash(sub.Config().Path)), p+"/", subURL, level+1, max); err != nil {
			return 0, err
		}
	}
	return len(subs), nil
}

// selectSubmodules keeps the top-level submodules GIT_SUBMODULE_PATHS
// selects; as for git, an include that names none of them is an error,
// and nested submodules are not filtered.
func (s *session) selectSubmodules(subs git.Submodules) (git.Submodules, error) {
	if len(s.req.SubmodulePaths) == 0 {
		return subs, nil
	}
	paths := make([]string, len(subs))
	for i, sub := range subs {
		paths[i] = sub.Config().Path
	}
	if spec, ok := s.filter.unmatched(paths); ok {
		return nil, fmt.Errorf("GIT_SUBMODULE_PATHS: %w", &PathspecError{Spec: spec,
			Problem: fmt.Sprintf("matches no submodule of this commit (its submodules: %s)", strings.Join(paths, ", "))})
	}
	var out git.Submodules
	for i, sub := range subs {
		if s.filter.selects(paths[i]) {
			out = append(out, sub)
		} else {
			s.printf("Skipping submodule %s: GIT_SUBMODULE_PATHS leaves it out", paths[i])
		}
	}
	return out, nil
}

// updateSubmodule fetches one submodule and checks out the commit its
// parent records, with the job's credentials only if it is on the
// repository's host.
func (s *session) updateSubmodule(ctx context.Context, sub *git.Submodule, dir, p string, parent *url.URL) (*git.Repository, error) {
	u, err := submoduleURL(parent, sub.Config().URL)
	if err != nil {
		return nil, err
	}
	if err := sub.Init(); err != nil && !errors.Is(err, git.ErrSubmoduleAlreadyInitialized) {
		return nil, err
	}
	subRepo, err := sub.Repository()
	if err != nil {
		return nil, err
	}
	// The URL may have changed since an earlier job (git submodule sync).
	if err := setRemote(subRepo, remoteName, u.String(), []config.RefSpec{allBranches}); err != nil {
		return nil, fmt.Errorf("configuring its remote: %w", err)
	}
	if err := resetSubmodule(subRepo, filepath.Join(dir, filepath.FromSlash(sub.Config().Path))); err != nil {
		return nil, err
	}
	var auth transport.AuthMethod
	if sameOrigin(s.url, u) {
		auth = s.auth
	} else {
		s.printf("Submodule %s is on another host than the project: fetching %s without the job's credentials", p, u)
	}
	err = s.network(ctx, "fetching submodule "+p+" from "+u.String(), func(ctx context.Context) error {
		return sub.UpdateContext(ctx, &git.SubmoduleUpdateOptions{
			Auth:              auth,
			Depth:             s.submoduleDepth(),
			RecurseSubmodules: git.NoRecurseSubmodules,
		})
	})
	var stopped *stoppedError
	switch {
	case err == nil:
	case errors.As(err, &stopped):
		return nil, err
	case errors.Is(err, plumbing.ErrObjectNotFound):
		st, _ := sub.Status()
		want := "the recorded commit"
		if st != nil {
			want = st.Expected.String()
		}
		return nil, &CommitNotFoundError{SHA: want, Depth: s.submoduleDepth()}
	case errors.Is(err, transport.ErrAuthenticationRequired) && auth == nil && s.auth != nil:
		return nil, fmt.Errorf("fetching %w; the job's credentials go only to %s", describeTransportError(err, u.String(), false), hostPort(s.url))
	default:
		return nil, fmt.Errorf("fetching %w", describeTransportError(err, u.String(), auth != nil))
	}
	if st, err := sub.Status(); err == nil {
		s.printf("Submodule %s: checked out %s from %s", p, shortSHA(st.Expected.String()), u)
	}
	return subRepo, nil
}

// resetSubmodule undoes what an earlier job did to a submodule's worktree
// (GIT_STRATEGY fetch): untracked files and symlinks go first, then a hard
// reset to its HEAD. A submodule without a commit yet is left alone.
func resetSubmodule(repo *git.Repository, dir string) error {
	if _, err := repo.Head(); err != nil {
		return nil
	}
	if _, err := cleanWorktree(repo, dir); err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Reset(&git.ResetOptions{Mode: git.HardReset}); err != nil {
		return fmt.Errorf("resetting its worktree: %w", err)
	}
	return nil
}

// submoduleURL resolves a .gitmodules URL: "./x" and "../x" against the
// parent's URL as git does, anything else must be an http(s) URL. The
// result has no userinfo. Errors quote no URL: one might hold a password.
func submoduleURL(parent *url.URL, raw string) (*url.URL, error) {
	if strings.HasPrefix(raw, "./") || strings.HasPrefix(raw, "../") {
		u := *withoutUserinfo(parent)
		u.Path = path.Join(parent.Path, raw)
		u.RawPath = ""
		return &u, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("its URL in .gitmodules is not an http(s) URL nor relative (./ or ../), " +
			"and the helper fetches over http(s) only: use a relative URL such as ../project.git")
	}
	return withoutUserinfo(u), nil
}

// remoteURL is the URL of repo's origin.
func remoteURL(repo *git.Repository) (*url.URL, error) {
	r, err := repo.Remote(remoteName)
	if err != nil {
		return nil, err
	}
	return url.Parse(r.Config().URLs[0])
}

// countSubmodules is how many submodules the checked-out commit has.
func countSubmodules(repo *git.Repository) (int, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return 0, err
	}
	subs, err := wt.Submodules()
	return len(subs), err
}

func displayPath(prefix string) string {
	if prefix == "" {
		return "the project"
	}
	return strings.TrimSuffix(prefix, "/")
}
