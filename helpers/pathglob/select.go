package pathglob

import (
	"fmt"
	"iter"
	"path/filepath"
)

// Count is how many entries one pattern selected or excluded.
type Count struct {
	Pattern string
	Entries int
}

// Summary is what a finished iteration found, for the build log: GitLab
// Runner prints a line per pattern, and warns about one that matched
// nothing.
type Summary struct {
	Paths     []Count // per `paths` pattern, entries it selected (after exclude, each path once)
	Excluded  []Count // per `exclude` pattern, entries it removed
	Untracked int     // entries selected by `untracked`
	Selected  int     // entries yielded in all
	Refused   int     // refusals yielded
}

// Selection is one directory and its rules, ready to iterate.
type Selection struct {
	root      string // as given, for messages
	real      string // root with symlinks resolved: where containment is checked
	paths     []pattern
	exclude   []pattern
	untracked bool
	refused   []*Refusal // patterns that lead out, yielded first
	seen      map[string]struct{}
	sum       Summary
}

// New checks the rules against root. A malformed glob is a *PatternError;
// a pattern that leads out of root is not an error here, it is yielded as a
// *Refusal by All.
func New(root string, r Rules) (*Selection, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("project directory: %w", err)
	}
	s := &Selection{root: root, real: real, untracked: r.Untracked, seen: map[string]struct{}{}}
	for _, raw := range r.Paths {
		if err := s.addPattern("paths", raw, &s.paths, &s.sum.Paths); err != nil {
			return nil, err
		}
	}
	for _, raw := range r.Exclude {
		if err := s.addPattern("exclude", raw, &s.exclude, &s.sum.Excluded); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Selection) addPattern(key, raw string, to *[]pattern, counts *[]Count) error {
	p, ref, err := compile(key, raw, s.real)
	if err != nil {
		return err
	}
	if ref != nil {
		s.refused = append(s.refused, ref)
		return nil
	}
	*to = append(*to, p)
	*counts = append(*counts, Count{Pattern: raw})
	return nil
}

// All yields the selected entries, each path once, and a *Refusal (as the
// error) for each path refused; iteration goes on after a refusal. Any
// other error ends it. Iterate once: the Summary counts what was yielded.
func (s *Selection) All() iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		y := &yielder{yield: yield}
		for _, r := range s.refused {
			if !y.refuse(s, r) {
				return
			}
		}
		for i, p := range s.paths {
			if !s.walkPattern(y, p, &s.sum.Paths[i].Entries) {
				return
			}
		}
		if s.untracked {
			s.walkUntracked(y, &s.sum.Untracked)
		}
	}
}

// Summary is valid once All's iteration has ended.
func (s *Selection) Summary() Summary { return s.sum }

// yielder wraps the iterator's yield with the stop flag, so that walks can
// return early once the consumer stops or an error was sent.
type yielder struct {
	yield   func(Entry, error) bool
	stopped bool
}

func (y *yielder) entry(e Entry) bool {
	if !y.stopped && !y.yield(e, nil) {
		y.stopped = true
	}
	return !y.stopped
}

func (y *yielder) refuse(s *Selection, r *Refusal) bool {
	s.sum.Refused++
	if !y.stopped && !y.yield(Entry{}, r) {
		y.stopped = true
	}
	return !y.stopped
}

// fail sends a fatal error and stops.
func (y *yielder) fail(err error) bool {
	if !y.stopped {
		y.yield(Entry{}, err)
		y.stopped = true
	}
	return false
}
