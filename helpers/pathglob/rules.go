package pathglob

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Rules are one artifact's or cache's selection rules, as the job payload
// has them.
type Rules struct {
	Paths     []string
	Exclude   []string
	Untracked bool
}

// PatternError is a pattern that is not a valid glob. Key is "paths" or
// "exclude".
type PatternError struct {
	Key     string
	Pattern string
	Err     error
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("%s: %q is not a valid pattern: %v (allowed: *, ?, [...], ** as a whole segment)", e.Key, e.Pattern, e.Err)
}

func (e *PatternError) Unwrap() error { return e.Err }

// pattern is one glob, cleaned and split, relative to the root.
type pattern struct {
	raw     string   // as written, for logs
	segs    []string // slash-separated segments of the cleaned glob
	dirOnly bool     // written with a trailing slash
}

// compile checks and cleans one pattern. An absolute pattern is made
// relative to root when it lies below it. A pattern that leads out of root
// is not an error: it comes back as a *Refusal, which callers log.
func compile(key, raw, root string) (pattern, *Refusal, error) {
	p := filepath.ToSlash(raw)
	if strings.TrimSpace(p) == "" {
		return pattern{}, nil, &PatternError{Key: key, Pattern: raw, Err: fmt.Errorf("is empty")}
	}
	dirOnly := strings.HasSuffix(p, "/")
	if path.IsAbs(p) {
		rel, err := filepath.Rel(root, filepath.FromSlash(p))
		if err != nil {
			return pattern{}, &Refusal{Pattern: raw, Path: raw, Reason: OutsideRoot}, nil
		}
		p = filepath.ToSlash(rel)
	}
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") {
		return pattern{}, &Refusal{Pattern: raw, Path: raw, Reason: OutsideRoot}, nil
	}
	segs := splitSegments(p)
	for _, s := range segs {
		if _, err := path.Match(s, ""); err != nil {
			return pattern{}, nil, &PatternError{Key: key, Pattern: raw, Err: err}
		}
	}
	return pattern{raw: raw, segs: segs, dirOnly: dirOnly}, nil, nil
}

// splitSegments splits a cleaned relative path; "." is the root itself and
// has no segments. Runs of "**" are folded into one: they match the same.
func splitSegments(p string) []string {
	if p == "." {
		return nil
	}
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s == "**" && len(out) > 0 && out[len(out)-1] == "**" {
			continue
		}
		out = append(out, s)
	}
	return out
}

// literalPrefix is the number of leading segments without glob syntax:
// the folder a walk for the pattern starts from.
func (p pattern) literalPrefix() int {
	for i, s := range p.segs {
		if strings.ContainsAny(s, `*?[\`) {
			return i
		}
	}
	return len(p.segs)
}
