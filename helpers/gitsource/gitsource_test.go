package gitsource

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/test/gitserver"
)

const token = "glcbt-job-token-5f3a9c"

// project is the history every case fetches from, built once:
//
//	main:    c1 ── c2 ── c3
//	                 │      └── feature: c4   (refs/pipelines/42 → c4)
//	                 └ tag v1.0 (annotated)
type project struct {
	srv            *gitserver.Server
	repo           *gitserver.Repo
	c1, c2, c3, c4 string
}

func newProject(t *testing.T) *project {
	srv := gitserver.New(t, token)
	r := srv.NewRepo(t, "group/project")
	p := &project{srv: srv, repo: r}
	p.c1 = r.Commit(t, "main", "one", map[string]string{"README.md": "one\n", "src/a.txt": "a1\n"})
	p.c2 = r.Commit(t, "main", "two", map[string]string{"src/a.txt": "a2\n", "src/b.txt": "b2\n"})
	p.c3 = r.Commit(t, "main", "three", map[string]string{"docs/guide.md": "guide\n"})
	p.c4 = r.Commit(t, "feature", "four", map[string]string{"feature.txt": "f\n"})
	r.Tag(t, "v1.0", p.c2, "release 1.0")
	r.SetRef(t, "refs/pipelines/42", p.c4)
	return p
}

// request is a clone of main at c3 with depth 1 into dir, the token
// separate from the URL.
func (p *project) request(dir string) Request {
	return Request{
		Dir: dir, RepoURL: p.repo.URL(), Ref: "main", RefType: RefBranch, SHA: p.c3,
		Depth: 1, Strategy: StrategyClone, Checkout: true, Token: token,
	}
}

// run calls Run and checks what must hold whatever the outcome: neither
// the output nor the error carries the token.
func run(t *testing.T, req Request, root string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Run(context.Background(), req, Options{Out: &out, Root: root, NetworkTimeout: time.Minute})
	t.Logf("output:\n%s", out.String())
	requireNoSecret(t, out.String(), "output")
	if err != nil {
		requireNoSecret(t, err.Error(), "error")
	}
	return out.String(), err
}

func requireNoSecret(t *testing.T, s, what string) {
	t.Helper()
	require.NotContains(t, s, token, "%s leaks the token:\n%s", what, s)
	require.NotContains(t, s, gitserver.TokenUser+":", "%s shows userinfo:\n%s", what, s)
}

// head is what the git CLI says HEAD is, and whether it is detached.
func head(t *testing.T, srv *gitserver.Server, dir string) (sha string, detached bool) {
	t.Helper()
	sha = srv.Git(t, dir, "rev-parse", "HEAD")
	return sha, srv.Git(t, dir, "rev-parse", "--abbrev-ref", "HEAD") == "HEAD"
}

// files lists the regular files and symlinks under dir, .git excluded,
// with their contents.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			got[filepath.ToSlash(rel)] = string(b)
			return err
		}
		if d.Type()&os.ModeSymlink != 0 {
			to, err := os.Readlink(p)
			got[filepath.ToSlash(rel)] = "-> " + to
			return err
		}
		return nil
	}))
	return got
}

var (
	filesC2 = map[string]string{"README.md": "one\n", "src/a.txt": "a2\n", "src/b.txt": "b2\n"}
	filesC3 = map[string]string{"README.md": "one\n", "src/a.txt": "a2\n", "src/b.txt": "b2\n", "docs/guide.md": "guide\n"}
	filesC4 = map[string]string{"README.md": "one\n", "src/a.txt": "a2\n", "src/b.txt": "b2\n", "docs/guide.md": "guide\n", "feature.txt": "f\n"}
)

func TestRun(t *testing.T) {
	p := newProject(t)

	cases := []struct {
		name  string
		edit  func(r *Request)
		files map[string]string // the worktree afterwards; nil: not checked
		sha   string            // HEAD afterwards, detached; "" for none
		out   []string          // lines the output holds
		check func(t *testing.T, dir, out string)
	}{
		{
			name:  "clone at the tip with depth 1",
			files: filesC3, sha: p.c3,
			out: []string{
				"Creating a fresh Git repository in ",
				"Fetching changes from " + p.repo.URL() + " with git depth set to 1...",
				"Checking out " + p.c3[:8] + " as detached HEAD (ref main)...",
			},
			check: func(t *testing.T, dir, _ string) {
				require.Equal(t, p.c3, strings.TrimSpace(readFile(t, dir, ".git/shallow")), "a depth-1 fetch is shallow at the tip")
				require.Equal(t, "", p.srv.Git(t, dir, "status", "--porcelain"))
			},
		},
		{
			name:  "clone with full history",
			edit:  func(r *Request) { r.Depth = 0 },
			files: filesC3, sha: p.c3,
			out: []string{"with full history (GIT_DEPTH is 0)..."},
			check: func(t *testing.T, dir, _ string) {
				require.NoFileExists(t, filepath.Join(dir, ".git", "shallow"))
				require.Equal(t, "3", p.srv.Git(t, dir, "rev-list", "--count", "HEAD"))
			},
		},
		{
			name:  "a commit within the depth",
			edit:  func(r *Request) { r.SHA, r.Depth = p.c2, 2 },
			files: filesC2, sha: p.c2,
		},
		{
			name: "refspecs: the pipeline ref",
			edit: func(r *Request) {
				r.Ref, r.SHA = "feature", p.c4
				r.RefSpecs = []string{"+refs/pipelines/42:refs/pipelines/42"}
			},
			files: filesC4, sha: p.c4,
			out: []string{"Checking out " + p.c4[:8] + " as detached HEAD (ref feature)..."},
			check: func(t *testing.T, dir, _ string) {
				require.Equal(t, p.c4, p.srv.Git(t, dir, "rev-parse", "refs/pipelines/42"))
				require.Equal(t, "", p.srv.Git(t, dir, "for-each-ref", "refs/remotes", "refs/tags"), "only the refspecs are fetched")
			},
		},
		{
			name: "refspecs: several, depth 0",
			edit: func(r *Request) {
				r.Depth = 0
				r.RefSpecs = []string{"+refs/heads/main:refs/remotes/origin/main", "+refs/heads/*:refs/remotes/origin/*"}
			},
			files: filesC3, sha: p.c3,
			check: func(t *testing.T, dir, _ string) {
				require.Equal(t, p.c4, p.srv.Git(t, dir, "rev-parse", "refs/remotes/origin/feature"))
				require.Equal(t, "+refs/heads/main:refs/remotes/origin/main\n+refs/heads/*:refs/remotes/origin/*",
					p.srv.Git(t, dir, "config", "--get-all", "remote.origin.fetch"))
			},
		},
		{
			name:  "tag ref",
			edit:  func(r *Request) { r.Ref, r.RefType, r.SHA = "v1.0", RefTag, p.c2 },
			files: filesC2, sha: p.c2,
			out: []string{"Checking out " + p.c2[:8] + " as detached HEAD (ref v1.0)..."},
			check: func(t *testing.T, dir, _ string) {
				require.Equal(t, p.c2, p.srv.Git(t, dir, "rev-parse", "v1.0^{commit}"))
				require.Equal(t, "tag", p.srv.Git(t, dir, "cat-file", "-t", "v1.0"), "the annotated tag object is fetched")
			},
		},
		{
			name: "checkout false fetches only",
			edit: func(r *Request) { r.Checkout = false },
			out:  []string{"Skipping the checkout: GIT_CHECKOUT is false"},
			check: func(t *testing.T, dir, _ string) {
				require.Empty(t, files(t, dir))
				require.Equal(t, p.c3, p.srv.Git(t, dir, "rev-parse", "refs/remotes/origin/main"))
				require.Equal(t, "commit", p.srv.Git(t, dir, "cat-file", "-t", p.c3))
			},
		},
		{
			name:  "repo_url with userinfo and no token",
			edit:  func(r *Request) { r.RepoURL, r.Token = p.repo.AuthURL(), "" },
			files: filesC3, sha: p.c3,
			out: []string{"Fetching changes from " + p.repo.URL() + " with"},
			check: func(t *testing.T, dir, _ string) {
				require.Equal(t, p.repo.URL(), p.srv.Git(t, dir, "remote", "get-url", "origin"), "the stored remote has no credentials")
				requireNoSecret(t, readFile(t, dir, ".git/config"), ".git/config")
			},
		},
		{
			name:  "repo_url with userinfo and the token",
			edit:  func(r *Request) { r.RepoURL = p.repo.AuthURL() },
			files: filesC3, sha: p.c3,
		},
		{
			name:  "GIT_FETCH_EXTRA_FLAGS: --depth wins over GIT_DEPTH",
			edit:  func(r *Request) { r.SHA, r.FetchFlags = p.c2, []string{"--prune", "--depth", "2"} },
			files: filesC2, sha: p.c2,
			out: []string{"with git depth set to 2..."},
		},
		{
			name:  "GIT_FETCH_EXTRA_FLAGS: --tags",
			edit:  func(r *Request) { r.FetchFlags = []string{"--tags"} },
			files: filesC3, sha: p.c3,
			check: func(t *testing.T, dir, _ string) {
				require.Equal(t, "tag", p.srv.Git(t, dir, "cat-file", "-t", "v1.0"))
			},
		},
		{
			name:  "sha in upper case",
			edit:  func(r *Request) { r.SHA = strings.ToUpper(p.c3) },
			files: filesC3, sha: p.c3,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			req := p.request(filepath.Join(root, "group", "project"))
			if c.edit != nil {
				c.edit(&req)
			}
			out, err := run(t, req, root)
			require.NoError(t, err, "output:\n%s", out)
			for _, want := range c.out {
				require.Contains(t, out, want)
			}
			if c.files != nil {
				require.Equal(t, c.files, files(t, req.Dir))
			}
			if c.sha != "" {
				sha, detached := head(t, p.srv, req.Dir)
				require.Equal(t, c.sha, sha)
				require.True(t, detached, "HEAD is detached")
			}
			if c.check != nil {
				c.check(t, req.Dir, out)
			}
		})
	}
}

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	require.NoError(t, err)
	return string(b)
}
