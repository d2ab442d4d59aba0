//go:build integration

package clustertest

import "testing"

// Debian returns localcluster.DebianImage, ready in the local registry.
// A stub for the branch that writes tests against it; the lead's version
// replaces it.
func Debian(t testing.TB) string {
	t.Helper()
	panic("lead replaces this")
}
