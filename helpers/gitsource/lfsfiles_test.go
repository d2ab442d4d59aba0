package gitsource

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/helpers/gitsource/lfs"
	"kuberunner/test/gitserver"
)

// lfsRequests counts the server's LFS requests (batch and downloads).
func lfsRequests(srv *gitserver.Server) (batch, downloads int) {
	for _, r := range srv.Requests() {
		switch {
		case strings.HasSuffix(r.Path, "/info/lfs/objects/batch"):
			batch++
		case strings.Contains(r.Path, "/gitlab-lfs/objects/"):
			downloads++
		}
	}
	return batch, downloads
}

func TestLFS(t *testing.T) {
	srv := gitserver.New(t, token)
	r := srv.NewRepo(t, "group/lfs")
	r.Commit(t, "main", "plain", map[string]string{"README.md": "readme\n"})
	sha := r.CommitLFS(t, "main", "lfs", map[string]string{"assets/big.bin": "big content\n", "data.csv": "a,b\n1,2\n"})
	pointer := r.Git(t, "show", "HEAD:data.csv") + "\n"
	request := func(root string) Request {
		return Request{Dir: filepath.Join(root, "group", "lfs"), RepoURL: r.URL(), Ref: "main", RefType: RefBranch,
			SHA: sha, Depth: 1, Strategy: StrategyFetch, Checkout: true, Token: token}
	}
	attributes := "assets/big.bin filter=lfs diff=lfs merge=lfs -text\ndata.csv filter=lfs diff=lfs merge=lfs -text\n"
	smudged := map[string]string{"README.md": "readme\n", ".gitattributes": attributes, "assets/big.bin": "big content\n", "data.csv": "a,b\n1,2\n"}

	t.Run("the files hold their content, and a fetch reuses the objects", func(t *testing.T) {
		root := t.TempDir()
		batch0, downloads0 := lfsRequests(srv)
		out, err := run(t, request(root), root)
		require.NoError(t, err)
		require.Contains(t, out, "Fetching the Git LFS objects of 2 files from "+r.URL()+"/info/lfs...")
		require.Contains(t, out, "Git LFS: 2 files hold their content (2 objects downloaded, 20 bytes)")
		require.Equal(t, smudged, files(t, request(root).Dir))
		batch, downloads := lfsRequests(srv)
		require.Equal(t, [2]int{1, 2}, [2]int{batch - batch0, downloads - downloads0})
		for _, rq := range srv.Requests() {
			require.True(t, rq.Authorized, "%s %s", rq.Method, rq.Path)
		}
		require.FileExists(t, filepath.Join(request(root).Dir, ".git", "lfs", "objects", oidOf("big content\n")[:2], oidOf("big content\n")[2:4], oidOf("big content\n")))

		out, err = run(t, request(root), root)
		require.NoError(t, err)
		require.Contains(t, out, "Git LFS: 2 files hold their content (0 objects downloaded, 0 bytes)")
		require.Equal(t, smudged, files(t, request(root).Dir))
	})

	t.Run("with the server's Authorization header", func(t *testing.T) {
		srv.LFSHeaderAuth(true)
		defer srv.LFSHeaderAuth(false)
		root := t.TempDir()
		_, err := run(t, request(root), root)
		require.NoError(t, err)
		require.Equal(t, smudged, files(t, request(root).Dir))
	})

	t.Run("GIT_LFS_SKIP_SMUDGE leaves the pointers", func(t *testing.T) {
		root := t.TempDir()
		req := request(root)
		req.LFSSkipSmudge = true
		batch0, _ := lfsRequests(srv)
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.Contains(t, out, "Leaving the 2 Git LFS files as pointers: GIT_LFS_SKIP_SMUDGE is set")
		require.Equal(t, pointer, readFile(t, req.Dir, "data.csv"))
		batch, _ := lfsRequests(srv)
		require.Equal(t, batch0, batch, "no LFS request")
	})

	t.Run("a pointer outside filter=lfs is a plain file", func(t *testing.T) {
		other := srv.NewRepo(t, "group/fixture")
		s := other.Commit(t, "main", "fixture", map[string]string{"testdata/pointer.txt": pointer, "sub/.gitattributes": "*.bin filter=lfs\n"})
		root := t.TempDir()
		req := request(root)
		req.RepoURL, req.SHA = other.URL(), s
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.NotContains(t, out, "Git LFS")
		require.Equal(t, pointer, readFile(t, req.Dir, "testdata/pointer.txt"))
	})

	t.Run("a nested .gitattributes tracks its directory", func(t *testing.T) {
		other := srv.NewRepo(t, "group/nested")
		ptr := srv.AddLFSObject([]byte("nested\n"))
		s := other.Commit(t, "main", "nested", map[string]string{"sub/x.bin": ptr, "sub/.gitattributes": "*.bin filter=lfs\n", "x.bin": ptr})
		root := t.TempDir()
		req := request(root)
		req.RepoURL, req.SHA = other.URL(), s
		_, err := run(t, req, root)
		require.NoError(t, err)
		require.Equal(t, "nested\n", readFile(t, req.Dir, "sub/x.bin"))
		require.Equal(t, ptr, readFile(t, req.Dir, "x.bin"), "not tracked at the top")
	})

	t.Run("an object the server lacks fails the fetch", func(t *testing.T) {
		other := srv.NewRepo(t, "group/missing")
		ptr := lfs.Pointer{OID: oidOf("never stored\n"), Size: 13}.String()
		s := other.Commit(t, "main", "missing", map[string]string{"gone.bin": ptr, ".gitattributes": "*.bin filter=lfs\n"})
		root := t.TempDir()
		req := request(root)
		req.RepoURL, req.SHA = other.URL(), s
		_, err := run(t, req, root)
		var oe *lfs.ObjectError
		require.ErrorAs(t, err, &oe)
		require.ErrorContains(t, err, "fetching Git LFS objects: Git LFS object "+oidOf("never stored\n")+": the server answers 404: Object does not exist")
	})

	t.Run("GIT_CHECKOUT false fetches no object", func(t *testing.T) {
		root := t.TempDir()
		req := request(root)
		req.Checkout = false
		out, err := run(t, req, root)
		require.NoError(t, err)
		require.NotContains(t, out, "Git LFS")
	})
}

func oidOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// The job's credentials go to LFS requests on the repository's origin
// only: object storage on another host gets none from the helper.
func TestAuthorizeLFS(t *testing.T) {
	s := &session{url: mustParse(t, "https://gitlab.example/g/p.git"), auth: authFor(Request{Token: token}, mustParse(t, "https://gitlab.example/g/p.git"))}
	for href, want := range map[string]bool{
		"https://gitlab.example/g/p.git/gitlab-lfs/objects/x": true,
		"https://gitlab.example:443/other":                    true,
		"https://storage.example/bucket/x":                    false,
		"http://gitlab.example/g/p.git/gitlab-lfs/objects/x":  false,
		"https://gitlab.example:8443/x":                       false,
	} {
		req, err := http.NewRequest(http.MethodGet, href, nil)
		require.NoError(t, err)
		s.authorizeLFS(req)
		_, pass, ok := req.BasicAuth()
		require.Equal(t, want, ok, href)
		if want {
			require.Equal(t, token, pass)
		}
	}
}
