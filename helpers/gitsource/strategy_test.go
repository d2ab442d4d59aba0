package gitsource

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStrategies runs the steps of each case in order on one project
// directory, as successive jobs would.
func TestStrategies(t *testing.T) {
	p := newProject(t)

	t.Run("fetch reuses the clone after a new commit", func(t *testing.T) {
		r := p.srv.NewRepo(t, "group/reuse")
		f1 := r.Commit(t, "main", "one", map[string]string{"README.md": "v1\n", "old.txt": "old\n", ".gitignore": "*.log\n"})
		root := t.TempDir()
		req := Request{Dir: filepath.Join(root, "group", "reuse"), RepoURL: r.URL(), Ref: "main", RefType: RefBranch,
			SHA: f1, Depth: 1, Strategy: StrategyFetch, Checkout: true, Token: token}

		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "No Git repository in "+req.Dir+" yet: creating one (GIT_STRATEGY fetch)")

		// What a job leaves behind: a changed file, an ignored one, an
		// untracked tree, and a symlink to somewhere else.
		outside := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(outside, "keep.txt"), []byte("keep"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, "README.md"), []byte("changed\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, "build.log"), []byte("log"), 0o644))
		require.NoError(t, os.MkdirAll(filepath.Join(req.Dir, "out", "deep"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, "out", "deep", "x.o"), []byte("obj"), 0o644))
		require.NoError(t, os.Symlink(outside, filepath.Join(req.Dir, "escape")))
		// The next commit adds new/file.txt: a checkout that followed this
		// link would write into outside.
		require.NoError(t, os.Symlink(outside, filepath.Join(req.Dir, "new")))

		f2 := r.Commit(t, "main", "two", map[string]string{"README.md": "v2\n", "new/file.txt": "new\n"})
		r.Git(t, "rm", "--quiet", "old.txt")
		r.Git(t, "commit", "--quiet", "--message", "drop old")
		r.Git(t, "push", "--quiet", "origin", "main")
		f3 := r.Git(t, "rev-parse", "HEAD")
		require.NotEqual(t, f2, f3)

		req.SHA = f3
		out, err = run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Reusing the Git repository in "+req.Dir+" (GIT_STRATEGY fetch)")
		// go-git's hard reset already deletes the untracked files it
		// sees; removeUntracked takes what is left. Only the result counts.
		require.Equal(t, map[string]string{"README.md": "v2\n", ".gitignore": "*.log\n", "new/file.txt": "new\n"}, files(t, req.Dir))
		sha, detached := head(t, p.srv, req.Dir)
		require.Equal(t, f3, sha)
		require.True(t, detached)
		require.Equal(t, "", p.srv.Git(t, req.Dir, "status", "--porcelain", "--ignored"))
		require.FileExists(t, filepath.Join(outside, "keep.txt"))
		require.NoFileExists(t, filepath.Join(outside, "file.txt"), "the checkout wrote through a symlink")

		// GIT_STRATEGY clone on the same directory starts afresh.
		req.Strategy = StrategyClone
		out, err = run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Creating a fresh Git repository in "+req.Dir+" (GIT_STRATEGY clone)")
		require.Contains(t, out, "Removed the 4 entries that were in "+req.Dir) // .git, .gitignore, README.md, new
		require.Equal(t, f3, p.srv.Git(t, req.Dir, "rev-parse", "HEAD"))
	})

	t.Run("fetch deepens a shallow clone, and GIT_DEPTH 0 starts afresh", func(t *testing.T) {
		root := t.TempDir()
		req := p.request(filepath.Join(root, "group", "project"))
		req.Strategy = StrategyFetch
		_, err := run(t, req, root)
		require.NoError(t, err)

		req.SHA, req.Depth = p.c2, 2
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Reusing the Git repository")
		require.Equal(t, filesC2, files(t, req.Dir))

		req.SHA, req.Depth = p.c1, 0
		out, err = run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "The Git repository in "+req.Dir+" is shallow and GIT_DEPTH is 0: starting afresh for the whole history")
		require.NoFileExists(t, filepath.Join(req.Dir, ".git", "shallow"))
		require.Equal(t, "3", p.srv.Git(t, req.Dir, "rev-list", "--count", "refs/remotes/origin/main"))
		require.Equal(t, p.c1, p.srv.Git(t, req.Dir, "rev-parse", "HEAD"))

		out, err = run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Reusing the Git repository", "a full clone is reused")
	})

	t.Run("fetch with an unusable repository starts afresh", func(t *testing.T) {
		root := t.TempDir()
		req := p.request(filepath.Join(root, "group", "project"))
		req.Strategy = StrategyFetch
		require.NoError(t, os.MkdirAll(filepath.Join(req.Dir, ".git"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, ".git", "HEAD"), []byte("ref: refs/heads/main\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, ".git", "config"), []byte("[[[ not a config"), 0o644))
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "WARNING: the Git repository in "+req.Dir+" cannot be reused")
		require.Equal(t, filesC3, files(t, req.Dir))
	})

	t.Run("fetch never opens a .git that is a symlink", func(t *testing.T) {
		// A job could plant .git -> another repository to have the helper
		// write there.
		root := t.TempDir()
		req := p.request(filepath.Join(root, "group", "project"))
		req.Strategy = StrategyFetch
		elsewhere := t.TempDir()
		_, err := run(t, Request{Dir: filepath.Join(elsewhere, "repo"), RepoURL: req.RepoURL, Ref: "main", RefType: RefBranch,
			SHA: p.c2, Strategy: StrategyClone, Checkout: true, Token: token}, elsewhere)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(req.Dir, 0o755))
		require.NoError(t, os.Symlink(filepath.Join(elsewhere, "repo", ".git"), filepath.Join(req.Dir, ".git")))

		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "No Git repository in "+req.Dir+" yet")
		require.Equal(t, p.c2, p.srv.Git(t, filepath.Join(elsewhere, "repo"), "rev-parse", "HEAD"), "the other repository is untouched")
		require.Equal(t, filesC3, files(t, req.Dir))
	})

	t.Run("clone empties the directory without following symlinks", func(t *testing.T) {
		root := t.TempDir()
		req := p.request(filepath.Join(root, "group", "project"))
		outside := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(outside, "keep.txt"), []byte("keep"), 0o644))
		require.NoError(t, os.MkdirAll(filepath.Join(req.Dir, "sub"), 0o755))
		require.NoError(t, os.Symlink(outside, filepath.Join(req.Dir, "link")))
		require.NoError(t, os.Symlink(outside, filepath.Join(req.Dir, "sub", "link")))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, "stale.txt"), nil, 0o644))

		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Removed the 3 entries that were in "+req.Dir)
		require.Equal(t, filesC3, files(t, req.Dir))
		require.FileExists(t, filepath.Join(outside, "keep.txt"))
	})

	t.Run("none leaves the directory alone", func(t *testing.T) {
		root := t.TempDir()
		dir := filepath.Join(root, "group", "project")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("mine"), 0o644))
		req := Request{Dir: dir, Strategy: StrategyNone}
		before := len(p.srv.Requests())
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Equal(t, "Skipping Git repository setup: GIT_STRATEGY is none, "+dir+" is left as it is\n", out)
		require.Equal(t, map[string]string{"mine.txt": "mine"}, files(t, dir))
		require.Len(t, p.srv.Requests(), before, "no request is made")
	})

	t.Run("empty leaves an empty directory and fetches nothing", func(t *testing.T) {
		root := t.TempDir()
		dir := filepath.Join(root, "group", "project")
		_, err := run(t, p.request(dir), root)
		require.NoError(t, err)
		outside := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(outside, "keep.txt"), []byte("keep"), 0o644))
		require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
		before := len(p.srv.Requests())

		out, err := run(t, Request{Dir: dir, Strategy: StrategyEmpty}, root)
		require.NoError(t, err)
		require.Equal(t, "Skipping Git repository setup: GIT_STRATEGY is empty, "+dir+" is an empty directory (5 entries removed)\n", out)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Empty(t, entries)
		require.FileExists(t, filepath.Join(outside, "keep.txt"))
		require.Len(t, p.srv.Requests(), before, "no request is made")

		fresh := filepath.Join(root, "group", "fresh")
		_, err = run(t, Request{Dir: fresh, Strategy: StrategyEmpty}, root)
		require.NoError(t, err)
		require.DirExists(t, fresh, "a missing directory is created")
	})

	t.Run("fetch with --prune drops the refs the server deleted", func(t *testing.T) {
		r := p.srv.NewRepo(t, "group/prune")
		sha := r.Commit(t, "main", "one", map[string]string{"a.txt": "a\n"})
		r.Commit(t, "gone", "two", map[string]string{"b.txt": "b\n"})
		root := t.TempDir()
		req := Request{Dir: filepath.Join(root, "group", "prune"), RepoURL: r.URL(), Ref: "main", SHA: sha,
			RefSpecs: []string{"+refs/heads/*:refs/remotes/origin/*"}, Strategy: StrategyFetch, Checkout: true, Token: token}
		_, err := run(t, req, root)
		require.NoError(t, err)
		require.Equal(t, "refs/remotes/origin/gone\nrefs/remotes/origin/main", p.srv.Git(t, req.Dir, "for-each-ref", "--format=%(refname)", "refs/remotes"))
		r.Git(t, "push", "--quiet", "origin", "--delete", "gone")

		_, err = run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, p.srv.Git(t, req.Dir, "for-each-ref", "--format=%(refname)", "refs/remotes"), "gone", "no --prune: kept")
		req.FetchFlags = DefaultFetchFlags
		_, err = run(t, req, root)
		require.NoError(t, err)
		require.Equal(t, "refs/remotes/origin/main", p.srv.Git(t, req.Dir, "for-each-ref", "--format=%(refname)", "refs/remotes"))
	})
}
