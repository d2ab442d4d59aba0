package pathglob

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// errStop ends a WalkDir early once the consumer stopped or failed.
var errStop = errors.New("stop")

// walkPattern yields what one `paths` pattern selects. It returns false
// once the iteration must end.
func (s *Selection) walkPattern(y *yielder, p pattern, count *int) bool {
	n := p.literalPrefix()
	literal := n == len(p.segs)
	baseReal, ok, cont := s.resolveBase(y, p, n, literal)
	if !ok {
		return cont
	}
	base := strings.Join(p.segs[:n], "/")
	if literal {
		return s.selectLiteral(y, p, base, baseReal, count)
	}
	return s.walkTree(y, p, base, baseReal, count, false)
}

// selectLiteral handles a pattern without glob syntax: the path itself,
// and its whole tree when it is a directory.
func (s *Selection) selectLiteral(y *yielder, p pattern, rel, real string, count *int) bool {
	if rel == "" { // "." : the directory itself, which is not an entry
		return s.walkTree(y, p, rel, real, count, true)
	}
	fi, err := os.Lstat(real)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		return y.fail(err)
	}
	if p.dirOnly && !fi.IsDir() {
		return true
	}
	if !s.emit(y, p, rel, real, fi, count) {
		return false
	}
	if !fi.IsDir() {
		return true
	}
	return s.walkTree(y, p, rel, real, count, true)
}

// walkTree walks below the folder real, spelled rel, without following
// symlinks. With all set every path below is selected; otherwise a path is
// selected when it matches p, and then so is its whole tree.
func (s *Selection) walkTree(y *yielder, p pattern, rel, real string, count *int, all bool) bool {
	under := "" // the matched folder whose tree is being taken whole
	err := filepath.WalkDir(real, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if full == real && (all || rel == "") {
			return nil // the walk's own start was emitted, or is the directory
		}
		within, _ := filepath.Rel(real, full)
		name := path.Join(rel, filepath.ToSlash(within))
		if under != "" && !strings.HasPrefix(name, under+"/") {
			under = ""
		}
		take := all || under != "" || s.matches(p, name, d.IsDir())
		if !take {
			if d.IsDir() && !mayMatchBelow(p.segs, splitSegments(name)) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() && under == "" && !all && full != real {
			under = name
		}
		return s.emitEntry(y, p, name, full, d, count)
	})
	return walkEnded(y, err)
}

func (s *Selection) matches(p pattern, name string, isDir bool) bool {
	return (isDir || !p.dirOnly) && matchSegs(p.segs, splitSegments(name))
}

// resolveBase finds the folder a pattern's walk starts from, or a literal
// pattern's path, checking each component. A symlink on the way is
// followed only when it resolves inside the directory; otherwise it is
// refused. A literal pattern's last component is not followed: it is the
// entry. ok is false when there is nothing to walk; cont then says whether
// the iteration goes on.
func (s *Selection) resolveBase(y *yielder, p pattern, n int, literal bool) (real string, ok, cont bool) {
	cur := s.real
	for i, seg := range p.segs[:n] {
		next := filepath.Join(cur, seg)
		if literal && i == n-1 {
			return next, true, true
		}
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", false, true
		case err != nil:
			return "", false, y.fail(err)
		case fi.Mode()&fs.ModeSymlink != 0:
			next, ok = s.insideTarget(next)
			if !ok {
				ref := &Refusal{Pattern: p.raw, Path: strings.Join(p.segs[:i+1], "/"), Reason: SymlinkOutside}
				return "", false, y.refuse(s, ref)
			}
		case !fi.IsDir():
			return "", false, true
		}
		cur = next
	}
	return cur, true, true
}

// insideTarget resolves a symlink and reports whether it lands inside the
// directory. A dangling link is judged by its text: it is refused if
// following it would leave the directory, as it may point there later.
func (s *Selection) insideTarget(link string) (string, bool) {
	resolved, err := filepath.EvalSymlinks(link)
	if err != nil {
		target, rerr := os.Readlink(link)
		if rerr != nil {
			return "", false
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(link), target)
		}
		return "", s.contains(filepath.Clean(target))
	}
	return resolved, s.contains(resolved)
}

// contains is the one containment rule: p is the directory or below it.
func (s *Selection) contains(p string) bool {
	rel, err := filepath.Rel(s.real, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// emit applies exclude, the refusals and the once-only rule to one path
// found by a walk, and yields it. It returns false once iteration ends.
func (s *Selection) emit(y *yielder, p pattern, name, full string, fi fs.FileInfo, count *int) bool {
	if _, done := s.seen[name]; done {
		return true
	}
	s.seen[name] = struct{}{}
	if s.excluded(name, fi.IsDir()) {
		return true
	}
	e := Entry{Path: name, Info: fi}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		if _, ok := s.insideTarget(full); !ok {
			return y.refuse(s, &Refusal{Pattern: p.raw, Path: name, Reason: SymlinkOutside})
		}
		link, err := os.Readlink(full)
		if err != nil {
			return y.fail(err)
		}
		e.Link = link
	case !fi.IsDir() && !fi.Mode().IsRegular():
		return y.refuse(s, &Refusal{Pattern: p.raw, Path: name, Reason: NotRegular})
	}
	*count++
	s.sum.Selected++
	return y.entry(e)
}

// excluded applies `exclude` to one path and counts the hit.
func (s *Selection) excluded(name string, isDir bool) bool {
	segs := splitSegments(name)
	for i, x := range s.exclude {
		if (isDir || !x.dirOnly) && matchSegs(x.segs, segs) {
			s.sum.Excluded[i].Entries++
			return true
		}
	}
	return false
}

// emitEntry is emit for a directory entry of a walk; errStop ends the walk
// when the consumer stopped.
func (s *Selection) emitEntry(y *yielder, p pattern, name, full string, d fs.DirEntry, count *int) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	if !s.emit(y, p, name, full, fi, count) {
		return errStop
	}
	return nil
}

// walkEnded turns a walk's error into whether the selection goes on:
// errStop (the consumer stopped) is not a failure.
func walkEnded(y *yielder, err error) bool {
	if errors.Is(err, errStop) {
		return false
	}
	if err != nil {
		return y.fail(err)
	}
	return true
}
