package pathglob

import "path"

// matchSegs reports whether the path segments match the pattern segments
// in full. "**" matches any number of segments, none included; every other
// segment is a path.Match pattern for exactly one segment.
func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(segs); i++ {
				if matchSegs(rest, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 || !matchOne(pat[0], segs[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// mayMatchBelow reports whether some path below the folder segs could
// match: the walk skips folders for which it cannot.
func mayMatchBelow(pat, segs []string) bool {
	for len(segs) > 0 {
		if len(pat) == 0 {
			return false
		}
		if pat[0] == "**" {
			return true
		}
		if !matchOne(pat[0], segs[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return true
}

// matchOne matches one segment; patterns were checked by compile, so an
// error cannot happen here and counts as no match.
func matchOne(pat, seg string) bool {
	ok, err := path.Match(pat, seg)
	return err == nil && ok
}
