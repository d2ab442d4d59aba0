package ciyaml

import "fmt"

// baseMergedKeys, plus one per byte of the file, bounds the keys that merge
// keys ("<<") and extends copy into the mappings they make. A merge copies
// every key of what it merges, so one large mapping merged in many places
// costs the product of the two: 100 KB of keys merged by 300 KB of
// `x: {<<: *big}` lines would copy 200 million keys, tens of gigabytes. The
// part per byte lets a big file that merges a small mapping of defaults into
// each of its thousands of jobs pay for its copies.
const baseMergedKeys = 100000

// mergeBudget counts the keys copied so far against the limit.
type mergeBudget struct {
	file   string
	limit  int
	copied int
}

// newMergeBudget is the budget for reading a file of size bytes, shared by
// its merge keys and its extends.
func newMergeBudget(file string, size int) *mergeBudget {
	return &mergeBudget{file: file, limit: baseMergedKeys + size}
}

// spend records n more keys copied for the mapping at line, and fails once
// the total is over the limit.
func (b *mergeBudget) spend(n, line int) error {
	b.copied += n
	if b.copied <= b.limit {
		return nil
	}
	return &Error{File: b.file, Line: line, Err: fmt.Errorf("%w: merge keys and extends copy more than %d keys", ErrTooLarge, b.limit)}
}
