package gitserver

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Repo is one project on the server: a bare repository that the server
// serves, and a scratch working repository where Commit builds history and
// pushes it to the bare one.
type Repo struct {
	// Name is the project path, "group/project".
	Name string
	// Bare is the bare repository's directory under Server.Root.
	Bare string

	work     string
	srv      *Server
	lfsPaths []string // tracked with filter=lfs (CommitLFS)
}

// URL is the project's clone URL without credentials.
func (r *Repo) URL() string { return r.srv.RepoURL(r.Name) }

// AuthURL is the clone URL with gitlab-ci-token:<token> as its userinfo.
func (r *Repo) AuthURL() string { return r.srv.AuthURL(r.Name) }

// Commit makes a commit on branch that writes files (path → content;
// slash-separated paths, parents created) and pushes the branch. A branch
// that does not exist yet starts at the commit last made on any branch.
// It returns the new commit's full sha.
func (r *Repo) Commit(t testing.TB, branch, message string, files map[string]string) string {
	t.Helper()
	r.switchTo(t, branch)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		full := filepath.Join(r.work, filepath.FromSlash(p))
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			t.Fatalf("gitserver: file path %q leaves the repository", p)
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatalf("gitserver: %v", err)
		}
		if err := os.WriteFile(full, []byte(files[p]), 0o644); err != nil {
			t.Fatalf("gitserver: %v", err)
		}
	}
	r.git(t, "add", "--all")
	r.git(t, "commit", "--quiet", "--allow-empty", "--message", message)
	r.git(t, "push", "--quiet", "--force", "origin", "HEAD:refs/heads/"+branch)
	return r.git(t, "rev-parse", "HEAD")
}

// AddSubmodule commits, on branch, a submodule at path that points at
// commit sha of url (as written in .gitmodules: "../other.git" for a
// project on the same server, the way GitLab recommends). The submodule's
// repository is not contacted. It returns the new commit's sha.
func (r *Repo) AddSubmodule(t testing.TB, branch, path, url, sha string) string {
	t.Helper()
	r.switchTo(t, branch)
	name := path
	r.git(t, "config", "--file", ".gitmodules", "submodule."+name+".path", path)
	r.git(t, "config", "--file", ".gitmodules", "submodule."+name+".url", url)
	r.git(t, "update-index", "--add", "--cacheinfo", "160000,"+sha+","+path)
	r.git(t, "add", ".gitmodules")
	r.git(t, "commit", "--quiet", "--message", "add submodule "+path)
	r.git(t, "push", "--quiet", "--force", "origin", "HEAD:refs/heads/"+branch)
	return r.git(t, "rev-parse", "HEAD")
}

// Tag creates the tag name at rev (a sha or a branch) and pushes it: an
// annotated tag with message, or a lightweight one when message is "".
func (r *Repo) Tag(t testing.TB, name, rev, message string) {
	t.Helper()
	if message == "" {
		r.git(t, "tag", name, rev)
	} else {
		r.git(t, "tag", "--annotate", "--message", message, name, rev)
	}
	r.git(t, "push", "--quiet", "origin", "refs/tags/"+name)
}

// SetRef points ref (for example "refs/pipelines/123", which GitLab keeps
// for every pipeline) at sha in the bare repository.
func (r *Repo) SetRef(t testing.TB, ref, sha string) {
	t.Helper()
	if !strings.HasPrefix(ref, "refs/") {
		t.Fatalf("gitserver: SetRef needs a full ref name, got %q", ref)
	}
	r.srv.git.run(t, r.Bare, "update-ref", ref, sha)
}

// Git runs the git CLI in the scratch working repository and returns its
// trimmed stdout, for what the helpers above do not cover.
func (r *Repo) Git(t testing.TB, args ...string) string {
	t.Helper()
	return r.git(t, args...)
}

func (r *Repo) git(t testing.TB, args ...string) string {
	t.Helper()
	return r.srv.git.run(t, r.work, args...)
}

// switchTo makes branch the working repository's current branch.
func (r *Repo) switchTo(t testing.TB, branch string) {
	t.Helper()
	if branch == "" || strings.HasPrefix(branch, "-") {
		t.Fatalf("gitserver: bad branch name %q", branch)
	}
	g := r.srv.git
	switch {
	case g.ok(r.work, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch):
		r.git(t, "checkout", "--quiet", branch)
	case g.ok(r.work, "rev-parse", "--verify", "--quiet", "HEAD"):
		r.git(t, "checkout", "--quiet", "-b", branch)
	default: // no commit yet: the branch is born with the first one
		r.git(t, "symbolic-ref", "HEAD", "refs/heads/"+branch)
	}
}

// String names the repository for test messages.
func (r *Repo) String() string { return fmt.Sprintf("gitserver repo %s", r.Name) }
