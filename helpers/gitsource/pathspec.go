package gitsource

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// pathspec is one GIT_SUBMODULE_PATHS entry: a git pathspec that selects
// submodules by their path, as `git submodule update -- <pathspec>` does.
type pathspec struct {
	raw     string
	pattern string         // slash-separated, no trailing slash
	exclude bool           // :(exclude), :! or :^
	icase   bool           // :(icase)
	glob    *regexp.Regexp // the pattern's wildcards; nil for a plain path
}

// supportedMagic is the list every refusal of a magic word shows.
const supportedMagic = "exclude (short forms ! and ^), top (short form /), literal, icase"

// PathspecError is a GIT_SUBMODULE_PATHS entry the helper refuses.
type PathspecError struct {
	// Spec is the entry as given.
	Spec string
	// Problem says why it is refused.
	Problem string
}

func (e *PathspecError) Error() string { return fmt.Sprintf("pathspec %q %s", e.Spec, e.Problem) }

// ParseSubmodulePaths checks GIT_SUBMODULE_PATHS split at white space:
// every entry must be a pathspec the helper can match (a *PathspecError
// otherwise).
func ParseSubmodulePaths(specs []string) error {
	_, err := newSubmoduleFilter(specs)
	return err
}

// parsePathspec reads git's pathspec syntax: a path, or a magic signature
// before it, long (":(exclude,icase)path") or short (":!path", ":^path",
// ":/path"). Magic that matters only for files (glob, attr) is refused.
func parsePathspec(raw string) (pathspec, error) {
	p := pathspec{raw: raw}
	rest, literal, err := p.readMagic(raw)
	if err != nil {
		return p, err
	}
	rest = strings.TrimPrefix(strings.TrimRight(rest, "/"), "./")
	if rest == "" || strings.HasPrefix(rest, "/") || path.Clean("/"+rest) != "/"+rest {
		return p, &PathspecError{Spec: raw, Problem: "is not a path inside the repository (no empty, absolute or .. paths)"}
	}
	p.pattern = rest
	if !literal && strings.ContainsAny(rest, "*?[\\") {
		if p.glob, err = wildcards(rest, p.icase); err != nil {
			return p, &PathspecError{Spec: raw, Problem: "has a wildcard that does not parse: " + err.Error()}
		}
	}
	return p, nil
}

// readMagic sets p's magic from the signature and returns what follows
// it, and whether the path is literal.
func (p *pathspec) readMagic(raw string) (rest string, literal bool, err error) {
	if !strings.HasPrefix(raw, ":") {
		return raw, false, nil
	}
	if long, ok := strings.CutPrefix(raw, ":("); ok {
		return p.readLongMagic(raw, long)
	}
	rest = raw[1:]
	for rest != "" && strings.ContainsRune("!^/", rune(rest[0])) {
		p.exclude = p.exclude || rest[0] != '/'
		rest = rest[1:]
	}
	return strings.TrimPrefix(rest, ":"), false, nil
}

// readLongMagic reads the words of ":(word,word)path"; long is what
// follows ":(".
func (p *pathspec) readLongMagic(raw, long string) (rest string, literal bool, err error) {
	words, rest, found := strings.Cut(long, ")")
	if !found {
		return "", false, &PathspecError{Spec: raw, Problem: "has no ) closing its magic"}
	}
	for _, w := range strings.Split(words, ",") {
		switch strings.TrimSpace(w) {
		case "exclude":
			p.exclude = true
		case "icase":
			p.icase = true
		case "literal":
			literal = true
		case "top", "":
		default:
			return "", false, &PathspecError{Spec: raw, Problem: fmt.Sprintf("uses magic %q, which the helper does not support; supported: %s", w, supportedMagic)}
		}
	}
	return rest, literal, nil
}

// wildcards turns a pattern into a regexp as git matches a pathspec
// without glob magic: * and ? match a slash too.
func wildcards(pattern string, icase bool) (*regexp.Regexp, error) {
	var b strings.Builder
	if icase {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\\':
			if i+1 < len(pattern) {
				i++
			}
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case '[':
			class, n, err := bracket(pattern[i:])
			if err != nil {
				return nil, err
			}
			b.WriteString(class)
			i += n - 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// bracket reads the class "[...]" at the start of s ("[!...]" negates, as
// in git) as a regexp class, and how many bytes it took.
func bracket(s string) (class string, n int, err error) {
	end := strings.IndexByte(s[1:], ']')
	if end < 0 {
		return "", 0, fmt.Errorf("[ without ]")
	}
	inner := s[1 : 1+end]
	if rest, ok := strings.CutPrefix(inner, "!"); ok {
		inner = "^" + rest
	}
	return "[" + strings.ReplaceAll(inner, `\`, `\\`) + "]", end + 2, nil
}

// matches reports whether the submodule at p (slash-separated) is what
// the pathspec names: the path itself or one below it, or, with
// wildcards, a path they match.
func (s pathspec) matches(p string) bool {
	if s.glob != nil {
		return s.glob.MatchString(p)
	}
	if s.icase {
		return strings.EqualFold(p, s.pattern) || len(p) > len(s.pattern) && strings.EqualFold(p[:len(s.pattern)+1], s.pattern+"/")
	}
	return p == s.pattern || strings.HasPrefix(p, s.pattern+"/")
}

// submoduleFilter is GIT_SUBMODULE_PATHS as a whole: a submodule is
// updated when an include names it (or there is none) and no exclude does.
type submoduleFilter struct{ include, exclude []pathspec }

func newSubmoduleFilter(specs []string) (submoduleFilter, error) {
	var f submoduleFilter
	for _, raw := range specs {
		p, err := parsePathspec(raw)
		if err != nil {
			return f, err
		}
		if p.exclude {
			f.exclude = append(f.exclude, p)
		} else {
			f.include = append(f.include, p)
		}
	}
	return f, nil
}

// selects reports whether the submodule at p is updated.
func (f submoduleFilter) selects(p string) bool {
	for _, x := range f.exclude {
		if x.matches(p) {
			return false
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, in := range f.include {
		if in.matches(p) {
			return true
		}
	}
	return false
}

// unmatched is the first include that names none of paths: git refuses a
// pathspec that matches nothing, and so does the helper.
func (f submoduleFilter) unmatched(paths []string) (string, bool) {
	for _, in := range f.include {
		found := false
		for _, p := range paths {
			found = found || in.matches(p)
		}
		if !found {
			return in.raw, true
		}
	}
	return "", false
}
