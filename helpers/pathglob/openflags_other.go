//go:build !unix

package pathglob

// Elsewhere open has no such flag; the walk's Lstat checks still apply.
// Selection runs in a Linux helper container; this keeps the package building.
const openNoFollow = 0
