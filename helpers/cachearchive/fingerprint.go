package cachearchive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"kuberunner/helpers/pathglob"
)

// fingerprint is a digest of what an entry's rules select in the project
// directory: each path, its kind, permission bits, a symlink's target and
// a file's content, in path order. Times and owners are left out: an
// archive from content that did not change is not worth uploading again.
func fingerprint(dir string, rules pathglob.Rules) (string, error) {
	sel, err := pathglob.New(dir, rules)
	if err != nil {
		return "", err
	}
	var lines []string
	for e, err := range sel.All() {
		var ref *pathglob.Refusal
		if errors.As(err, &ref) {
			continue
		}
		if err != nil {
			return "", err
		}
		line, err := entryLine(sel, e)
		if err != nil {
			return "", err
		}
		lines = append(lines, line)
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// entryLine describes one entry, its path quoted so that no name can
// pass for another line.
func entryLine(sel *pathglob.Selection, e pathglob.Entry) (string, error) {
	perm := e.Info.Mode().Perm()
	switch {
	case e.IsDir():
		return fmt.Sprintf("d %q %o\n", e.Path, perm), nil
	case e.IsSymlink():
		return fmt.Sprintf("l %q %q\n", e.Path, e.Link), nil
	}
	f, err := sel.Open(e)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", e.Path, err)
	}
	return fmt.Sprintf("f %q %o %x\n", e.Path, perm, h.Sum(nil)), nil
}
