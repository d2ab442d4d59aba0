package gitsource

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunFailures(t *testing.T) {
	p := newProject(t)

	cases := []struct {
		name string
		edit func(r *Request, root string)
		// is, as and contains describe the error.
		is       error
		as       any
		contains []string
	}{
		{
			name:     "a commit older than the depth",
			edit:     func(r *Request, _ string) { r.SHA, r.Depth = p.c1, 2 },
			as:       new(*CommitNotFoundError),
			contains: []string{"commit " + p.c1, "fetched with git depth 2", "increase GIT_DEPTH", "set it to 0"},
		},
		{
			name:     "a commit on no fetched ref",
			edit:     func(r *Request, _ string) { r.SHA, r.Depth = p.c4, 0 },
			as:       new(*CommitNotFoundError),
			contains: []string{"not in the fetched history"},
		},
		{
			name:     "a sha the server has never seen",
			edit:     func(r *Request, _ string) { r.SHA = "0123456789abcdef0123456789abcdef01234567" },
			as:       new(*CommitNotFoundError),
			contains: []string{"GIT_DEPTH"},
		},
		{
			name:     "wrong token",
			edit:     func(r *Request, _ string) { r.Token = "not-the-" + token },
			is:       ErrAuth,
			contains: []string{p.repo.URL(), "refused the credentials", "job token"},
		},
		{
			name: "wrong password in the URL",
			edit: func(r *Request, _ string) {
				r.Token, r.RepoURL = "", "http://gitlab-ci-token:wr0ng-pa55@"+p.repo.URL()[len("http://"):]
			},
			is:       ErrAuth,
			contains: []string{p.repo.URL()},
		},
		{
			name:     "no credentials at all",
			edit:     func(r *Request, _ string) { r.Token = "" },
			is:       ErrAuth,
			contains: []string{"the request has none"},
		},
		{
			name:     "a ref the server lacks",
			edit:     func(r *Request, _ string) { r.Ref = "gone" },
			is:       ErrRefNotFound,
			contains: []string{"refs/heads/gone"},
		},
		{
			name:     "a project the server lacks",
			edit:     func(r *Request, _ string) { r.RepoURL = p.srv.RepoURL("group/missing") },
			is:       ErrRepositoryNotFound,
			contains: []string{p.srv.RepoURL("group/missing")},
		},
		{
			name:     "dir outside /builds",
			edit:     func(r *Request, _ string) { r.Dir = "/tmp/group/project" },
			is:       ErrOutsideRoot,
			contains: []string{"/tmp/group/project", "not below the builds root /builds"},
		},
		{
			name: "dir climbing out of /builds",
			edit: func(r *Request, _ string) { r.Dir = "/builds/../etc" },
			is:   ErrOutsideRoot,
		},
		{
			name: "dir is the root itself",
			edit: func(r *Request, root string) { r.Dir = root },
			is:   ErrOutsideRoot,
		},
		{
			name: "dir is relative",
			edit: func(r *Request, _ string) { r.Dir = "group/project" },
			as:   new(*DirError),
		},
		{
			name: "dir reached through a symlink",
			edit: func(r *Request, root string) {
				outside := t.TempDir()
				require.NoError(t, os.Symlink(outside, filepath.Join(root, "group")))
			},
			is: ErrSymlinkInPath,
		},
		{
			name: "dir is a symlink",
			edit: func(r *Request, root string) {
				require.NoError(t, os.Mkdir(filepath.Join(root, "group"), 0o755))
				require.NoError(t, os.Symlink(t.TempDir(), r.Dir))
			},
			is: ErrSymlinkInPath,
		},
		{
			name:     "an invalid request",
			edit:     func(r *Request, _ string) { r.Strategy = "pull" },
			as:       new(*RequestError),
			contains: []string{`strategy "pull"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			req := p.request(filepath.Join(root, "group", "project"))
			c.edit(&req, root)
			// A case about /builds keeps the default root; the others
			// use their own.
			useRoot := root
			if c.is == ErrOutsideRoot && req.Dir != root {
				useRoot = ""
			}
			_, err := run(t, req, useRoot)
			require.Error(t, err)
			t.Logf("error: %v", err)
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
			if c.as != nil {
				require.ErrorAs(t, err, c.as)
			}
			for _, s := range c.contains {
				require.Contains(t, err.Error(), s)
			}
			require.NotContains(t, err.Error(), "wr0ng-pa55")
			require.NotContains(t, err.Error(), "not-the-")
		})
	}
}
