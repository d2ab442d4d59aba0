package gitsource

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/test/gitserver"
)

// TestSubmodules fetches group/super, whose submodule lib (../lib.git) has
// a submodule of its own, vendor/deep (../deep.git).
func TestSubmodules(t *testing.T) {
	srv := gitserver.New(t, token)
	deep := srv.NewRepo(t, "group/deep")
	d1 := deep.Commit(t, "main", "deep", map[string]string{"deep.txt": "deep\n"})
	lib := srv.NewRepo(t, "group/lib")
	lib.Commit(t, "main", "lib", map[string]string{"lib.txt": "lib\n"})
	l2 := lib.AddSubmodule(t, "main", "vendor/deep", "../deep.git", d1)
	super := srv.NewRepo(t, "group/super")
	super.Commit(t, "main", "super", map[string]string{"main.txt": "main\n"})
	s2 := super.AddSubmodule(t, "main", "lib", "../lib.git", l2)

	request := func(root string, strategy SubmoduleStrategy) Request {
		return Request{Dir: filepath.Join(root, "group", "super"), RepoURL: super.URL(), Ref: "main", RefType: RefBranch,
			SHA: s2, Depth: 1, Strategy: StrategyFetch, Checkout: true, SubmoduleStrategy: strategy, Token: token}
	}
	gitmodules := "[submodule \"lib\"]\n\tpath = lib\n\turl = ../lib.git\n"
	libModules := "[submodule \"vendor/deep\"]\n\tpath = vendor/deep\n\turl = ../deep.git\n"

	t.Run("none says the submodules are not fetched", func(t *testing.T) {
		root := t.TempDir()
		out, err := run(t, request(root, SubmodulesNone), root)
		require.NoError(t, err)
		require.Contains(t, out, "Not fetching submodules (this commit has 1): GIT_SUBMODULE_STRATEGY is none")
		require.Equal(t, map[string]string{"main.txt": "main\n", ".gitmodules": gitmodules}, files(t, filepath.Join(root, "group", "super")))
	})

	t.Run("normal fetches the top level only", func(t *testing.T) {
		root := t.TempDir()
		req := request(root, SubmodulesNormal)
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Updating submodules (GIT_SUBMODULE_STRATEGY normal)...")
		require.Contains(t, out, "Submodule lib: checked out "+l2[:8]+" from "+lib.URL())
		require.NotContains(t, out, "vendor/deep")
		require.Equal(t, map[string]string{
			"main.txt": "main\n", ".gitmodules": gitmodules,
			"lib/lib.txt": "lib\n", "lib/.gitmodules": libModules,
		}, files(t, req.Dir))
		require.Equal(t, l2, srv.Git(t, filepath.Join(req.Dir, "lib"), "rev-parse", "HEAD"))
	})

	t.Run("recursive fetches every level, and git agrees", func(t *testing.T) {
		root := t.TempDir()
		req := request(root, SubmodulesRecursive)
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Submodule lib: checked out "+l2[:8])
		require.Contains(t, out, "Submodule lib/vendor/deep: checked out "+d1[:8]+" from "+deep.URL())
		require.Equal(t, "deep\n", readFile(t, req.Dir, "lib/vendor/deep/deep.txt"))
		// A line starts with "-" for a submodule git sees uninitialized,
		// "+" for one at another commit than recorded, " " when all is well
		// (the first line's space is trimmed with the output).
		status := srv.Git(t, req.Dir, "submodule", "status", "--recursive")
		lines := strings.Split(status, "\n")
		require.Len(t, lines, 2, status)
		require.True(t, strings.HasPrefix(strings.TrimPrefix(lines[0], " "), l2+" lib "), status)
		require.True(t, strings.HasPrefix(lines[1], " "+d1+" lib/vendor/deep "), status)
		requireNoSecret(t, readFile(t, req.Dir, ".git/modules/lib/config"), "the submodule's config")

		// A second job with GIT_STRATEGY fetch: local changes and junk in
		// the submodules go.
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, "lib", "lib.txt"), []byte("changed"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(req.Dir, "lib", "vendor", "deep", "junk"), nil, 0o644))
		out, err = run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Reusing the Git repository")
		require.Equal(t, "lib\n", readFile(t, req.Dir, "lib/lib.txt"))
		require.NoFileExists(t, filepath.Join(req.Dir, "lib", "vendor", "deep", "junk"))
		require.Equal(t, status, srv.Git(t, req.Dir, "submodule", "status", "--recursive"))
	})

	t.Run("a submodule on another host gets no credentials", func(t *testing.T) {
		other := gitserver.New(t, "other-token")
		ext := other.NewRepo(t, "vendor/ext")
		e1 := ext.Commit(t, "main", "ext", map[string]string{"ext.txt": "ext\n"})
		r := srv.NewRepo(t, "group/withext")
		r.Commit(t, "main", "x", map[string]string{"x.txt": "x\n"})
		sha := r.AddSubmodule(t, "main", "ext", ext.URL(), e1)

		root := t.TempDir()
		req := request(root, SubmodulesNormal)
		req.Dir, req.RepoURL, req.SHA = filepath.Join(root, "withext"), r.URL(), sha
		out, err := run(t, req, root)
		require.ErrorIs(t, err, ErrAuth)
		require.Contains(t, err.Error(), "submodule ext: fetching "+ext.URL())
		require.Contains(t, err.Error(), "the job's credentials go only to 127.0.0.1:"+strings.TrimPrefix(srv.URL, "http://127.0.0.1:"))
		require.Contains(t, out, "Submodule ext is on another host than the project: fetching "+ext.URL()+" without the job's credentials")
		require.NotEmpty(t, other.Requests())
		for _, rq := range other.Requests() {
			require.Empty(t, rq.User, "a request to the other host carried credentials")
		}
	})

	t.Run("a submodule URL without http(s) is refused", func(t *testing.T) {
		r := srv.NewRepo(t, "group/withssh")
		r.Commit(t, "main", "x", map[string]string{"x.txt": "x\n"})
		sha := r.AddSubmodule(t, "main", "ssh", "git@example.com:group/ssh.git", d1)
		root := t.TempDir()
		req := request(root, SubmodulesNormal)
		req.Dir, req.RepoURL, req.SHA = filepath.Join(root, "withssh"), r.URL(), sha
		_, err := run(t, req, root)
		require.ErrorContains(t, err, "submodule ssh: its URL in .gitmodules is not an http(s) URL nor relative")
	})

	t.Run("GIT_SUBMODULE_PATHS chooses the top-level submodules", func(t *testing.T) {
		r := srv.NewRepo(t, "group/two")
		r.Commit(t, "main", "x", map[string]string{"x.txt": "x\n"})
		r.AddSubmodule(t, "main", "lib", "../lib.git", l2)
		sha := r.AddSubmodule(t, "main", "deep", "../deep.git", d1)
		cases := []struct {
			name    string
			paths   []string
			fetched []string
			err     string
		}{
			{"an include", []string{"lib"}, []string{"lib"}, ""},
			{"an exclude", []string{":(exclude)lib"}, []string{"deep"}, ""},
			{"a nested path is not filtered", []string{":(exclude)lib/vendor/deep"}, []string{"lib", "deep"}, ""},
			{"an include that names nothing", []string{"lib", "nothere"}, nil, `GIT_SUBMODULE_PATHS: pathspec "nothere" matches no submodule of this commit (its submodules: `},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				root := t.TempDir()
				req := request(root, SubmodulesNormal)
				req.Dir, req.RepoURL, req.SHA, req.SubmodulePaths = filepath.Join(root, "two"), r.URL(), sha, c.paths
				out, err := run(t, req, root)
				if c.err != "" {
					var pe *PathspecError
					require.ErrorAs(t, err, &pe)
					require.ErrorContains(t, err, c.err)
					return
				}
				require.NoError(t, err)
				for _, sub := range []string{"lib", "deep"} {
					if slices.Contains(c.fetched, sub) {
						require.Contains(t, out, "Submodule "+sub+": checked out")
					} else {
						require.Contains(t, out, "Skipping submodule "+sub+": GIT_SUBMODULE_PATHS leaves it out")
						entries, err := os.ReadDir(filepath.Join(req.Dir, sub))
						require.NoError(t, err)
						require.Empty(t, entries)
					}
				}
			})
		}
	})

	t.Run("GIT_SUBMODULE_DEPTH overrides GIT_DEPTH for submodules", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			depth *int
			want  string
		}{{"unset: GIT_DEPTH 1", nil, "1"}, {"0: the whole history", ptr(0), "2"}, {"2", ptr(2), "2"}} {
			t.Run(c.name, func(t *testing.T) {
				root := t.TempDir()
				req := request(root, SubmodulesNormal)
				req.SubmoduleDepth = c.depth
				_, err := run(t, req, root)
				require.NoError(t, err)
				require.Equal(t, c.want, srv.Git(t, filepath.Join(req.Dir, "lib"), "rev-list", "--count", "HEAD"))
				require.Equal(t, "1", srv.Git(t, req.Dir, "rev-list", "--count", "HEAD"), "the project keeps GIT_DEPTH")
			})
		}
	})
}

func ptr[T any](v T) *T { return &v }
