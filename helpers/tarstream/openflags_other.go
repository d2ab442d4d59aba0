//go:build !unix

package tarstream

// Elsewhere open has no such flags; the Lstat checks still apply. Extract
// runs in a Linux helper container, so this only keeps the package building.
const (
	openNoFollow  = 0
	openDirectory = 0
)
