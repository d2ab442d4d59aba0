package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitattributes"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"kuberunner/helpers/gitsource/lfs"
)

// lfsFile is a checked-out file whose blob is a Git LFS pointer.
type lfsFile struct {
	path string // slash-separated, as the index names it
	ptr  lfs.Pointer
}

// fetchLFS puts the content of every Git LFS file of the checkout in
// place of its pointer, as `git lfs pull` does, unless GIT_LFS_SKIP_SMUDGE
// asks to leave the pointers.
func (s *session) fetchLFS(ctx context.Context, repo *git.Repository) error {
	files, err := s.lfsFiles(repo)
	if err != nil || len(files) == 0 {
		return err
	}
	if s.req.LFSSkipSmudge {
		s.printf("Leaving the %d Git LFS files as pointers: GIT_LFS_SKIP_SMUDGE is set", len(files))
		return nil
	}
	store, err := lfs.OpenStore(filepath.Join(s.dir, git.GitDirName))
	if err != nil {
		return err
	}
	defer store.Close()
	c := &lfs.Client{Endpoint: lfs.Endpoint(s.url), Authorize: s.authorizeLFS, Timeout: s.timeout, HTTP: s.http}
	s.printf("Fetching the Git LFS objects of %d files from %s...", len(files), c.Endpoint)
	n, size, err := store.Fetch(ctx, c, s.lfsRef(), pointers(files))
	if err != nil {
		return fmt.Errorf("fetching Git LFS objects: %w", err)
	}
	if err := s.smudge(store, files); err != nil {
		return err
	}
	s.printf("Git LFS: %d files hold their content (%d objects downloaded, %d bytes)", len(files), n, size)
	return nil
}

// lfsFiles lists the files git-lfs would smudge: regular files the
// commit's .gitattributes give filter=lfs, whose blob is a pointer. A
// blob that is no pointer stays as it is, as git-lfs leaves it.
func (s *session) lfsFiles(repo *git.Repository) ([]lfsFile, error) {
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	m := gitattributes.NewMatcher(s.attributes(repo, idx))
	var out []lfsFile
	for _, e := range idx.Entries {
		if (e.Mode != filemode.Regular && e.Mode != filemode.Executable) || !tracksLFS(m, e.Name) {
			continue
		}
		ptr, ok, err := pointerBlob(repo, e.Hash)
		if err != nil {
			return nil, fmt.Errorf("LFS file %s: %w", e.Name, err)
		}
		if ok {
			out = append(out, lfsFile{path: e.Name, ptr: ptr})
		}
	}
	return out, nil
}

// attributes reads every .gitattributes of the commit, shallow ones
// first, as gitattributes.NewMatcher wants them. A file that does not
// parse is skipped with a warning, as git does.
func (s *session) attributes(repo *git.Repository, idx *index.Index) []gitattributes.MatchAttribute {
	var files []*index.Entry
	for _, e := range idx.Entries {
		if path.Base(e.Name) == ".gitattributes" && e.Mode == filemode.Regular {
			files = append(files, e)
		}
	}
	sort.SliceStable(files, func(i, j int) bool {
		return strings.Count(files[i].Name, "/") < strings.Count(files[j].Name, "/")
	})
	var stack []gitattributes.MatchAttribute
	for _, e := range files {
		attrs, err := readAttributes(repo, e)
		if err != nil {
			s.printf("WARNING: %s is skipped: %v", e.Name, err)
			continue
		}
		stack = append(stack, attrs...)
	}
	return stack
}

func readAttributes(repo *git.Repository, e *index.Entry) ([]gitattributes.MatchAttribute, error) {
	blob, err := repo.BlobObject(e.Hash)
	if err != nil {
		return nil, err
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var domain []string
	if dir := path.Dir(e.Name); dir != "." {
		domain = strings.Split(dir, "/")
	}
	return gitattributes.ReadAttributes(r, domain, domain == nil)
}

// tracksLFS reports whether the attributes give name filter=lfs.
func tracksLFS(m gitattributes.Matcher, name string) bool {
	attrs, _ := m.Match(strings.Split(name, "/"), []string{"filter"})
	a, ok := attrs["filter"]
	return ok && a.IsValueSet() && a.Value() == "lfs"
}

// pointerBlob reads the blob h as a pointer; ok is false for a blob that
// is not one.
func pointerBlob(repo *git.Repository, h plumbing.Hash) (ptr lfs.Pointer, ok bool, err error) {
	obj, err := repo.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil || obj.Size() > lfs.MaxPointerSize {
		return ptr, false, err
	}
	r, err := obj.Reader()
	if err != nil {
		return ptr, false, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, lfs.MaxPointerSize+1))
	if err != nil {
		return ptr, false, err
	}
	ptr, err = lfs.ParsePointer(data)
	if errors.Is(err, lfs.ErrNotPointer) {
		return ptr, false, nil
	}
	return ptr, err == nil, err
}

// smudge writes each object over its pointer file. The files were just
// checked out; one that is not a regular file now is left alone, and
// os.Root keeps every write inside the project directory.
func (s *session) smudge(store *lfs.Store, files []lfsFile) error {
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range files {
		if err := writeObject(root, store, f); err != nil {
			return fmt.Errorf("LFS file %s: %w", f.path, err)
		}
	}
	return nil
}

func writeObject(root *os.Root, store *lfs.Store, f lfsFile) error {
	name := filepath.FromSlash(f.path)
	if fi, err := root.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("is not a regular file after the checkout")
	}
	src, err := store.Open(f.ptr)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := root.OpenFile(name, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

func pointers(files []lfsFile) []lfs.Pointer {
	out := make([]lfs.Pointer, len(files))
	for i, f := range files {
		out[i] = f.ptr
	}
	return out
}

// lfsRef is the ref the batch request names: the job's branch or tag, or
// none when the request names neither.
func (s *session) lfsRef() string {
	switch s.req.RefType {
	case RefBranch:
		return "refs/heads/" + s.req.Ref
	case RefTag:
		return "refs/tags/" + s.req.Ref
	}
	return ""
}

// authorizeLFS gives an LFS request the job's credentials on the
// repository's own origin only, as for submodules: a download URL on
// another host (object storage) gets none from the helper.
func (s *session) authorizeLFS(req *http.Request) {
	b, ok := s.auth.(*githttp.BasicAuth)
	if ok && sameOrigin(s.url, req.URL) {
		req.SetBasicAuth(b.Username, b.Password)
	}
}
