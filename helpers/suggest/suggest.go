// Package suggest finds the value an operator most likely meant when a name
// is misspelt, for the "did you mean" part of error messages.
package suggest

import (
	"strings"
	"unicode"
)

// maxSuggestInput bounds the work on hostile input (a fuzzer, a pasted
// blob): nothing that long is a typo of a short name.
const maxSuggestInput = 64

// Closest returns the candidate the operator most likely meant by s, or
// "" when none is close. It first ignores case and the separators people mix
// up (_ - and space), which catches if_not_present, Always and IfNotPresent;
// then it allows a small edit distance for plain typos.
func Closest(s string, candidates []string) string {
	if s == "" || len(s) > maxSuggestInput {
		return ""
	}
	folded := foldName(s)
	for _, c := range candidates {
		if folded == foldName(c) {
			return c
		}
	}
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), c)
		limit := max(1, len([]rune(c))/3)
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// foldName lowercases s and drops separators and other punctuation.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance over runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
