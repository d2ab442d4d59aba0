package lfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path"
)

// Store is a repository's local LFS objects, in its .git directory where
// git-lfs keeps them.
type Store struct{ root *os.Root }

// OpenStore opens the store of the repository whose .git directory is
// gitDir. Every path below it is resolved inside it.
func OpenStore(gitDir string) (*Store, error) {
	root, err := os.OpenRoot(gitDir)
	if err != nil {
		return nil, fmt.Errorf("opening the Git LFS store: %w", err)
	}
	return &Store{root: root}, nil
}

// Close releases the store.
func (s *Store) Close() error { return s.root.Close() }

// objectPath is where git-lfs keeps oid, below .git.
func objectPath(oid string) string { return path.Join("lfs", "objects", oid[0:2], oid[2:4], oid) }

// Has reports whether the store holds p's object at its size. Only
// verified objects enter the store, so the size is check enough.
func (s *Store) Has(p Pointer) bool {
	fi, err := s.root.Lstat(objectPath(p.OID))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == p.Size
}

// Open opens p's object for reading.
func (s *Store) Open(p Pointer) (*os.File, error) { return s.root.Open(objectPath(p.OID)) }

// Fetch downloads, BatchSize at a time, the objects of ptrs the store does
// not hold yet, for ref (see Client.Batch). It returns how many it
// downloaded and their bytes; it stops at the first error.
func (s *Store) Fetch(ctx context.Context, c *Client, ref string, ptrs []Pointer) (n int, bytes int64, err error) {
	missing := s.missing(ptrs)
	for len(missing) > 0 {
		chunk := missing[:min(BatchSize, len(missing))]
		missing = missing[len(chunk):]
		objs, err := c.Batch(ctx, ref, chunk)
		if err != nil {
			return n, bytes, err
		}
		for _, p := range chunk {
			if err := s.download(ctx, c, objs[p.OID], p); err != nil {
				return n, bytes, err
			}
			n, bytes = n+1, bytes+p.Size
		}
	}
	return n, bytes, nil
}

// missing is ptrs without duplicates and without what the store holds.
func (s *Store) missing(ptrs []Pointer) []Pointer {
	seen := map[string]bool{}
	var out []Pointer
	for _, p := range ptrs {
		if !seen[p.OID] && !s.Has(p) {
			out = append(out, p)
		}
		seen[p.OID] = true
	}
	return out
}

// download writes one object to a temporary file and moves it into place
// only once it is verified.
func (s *Store) download(ctx context.Context, c *Client, obj Object, p Pointer) (err error) {
	if err := s.root.MkdirAll(path.Join("lfs", "tmp"), 0o755); err != nil {
		return fmt.Errorf("LFS store: %w", err)
	}
	tmp := path.Join("lfs", "tmp", p.OID+"-"+randomHex())
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("LFS store: %w", err)
	}
	defer func() {
		if err != nil {
			_ = s.root.Remove(tmp)
		}
	}()
	err = c.Download(ctx, obj, p, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("LFS store: %w", cerr)
	}
	if err != nil {
		return err
	}
	return s.keep(tmp, p)
}

// keep moves a verified temporary file to the object's place.
func (s *Store) keep(tmp string, p Pointer) error {
	final := objectPath(p.OID)
	if err := s.root.MkdirAll(path.Dir(final), 0o755); err != nil {
		return fmt.Errorf("LFS store: %w", err)
	}
	if err := s.root.Rename(tmp, final); err != nil {
		return fmt.Errorf("LFS store: %w", err)
	}
	return nil
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails on Linux
	return hex.EncodeToString(b)
}
