//go:build integration

package clustertest

import (
	"testing"

	"kuberunner/test/localcluster"
)

// Debian is the Debian test image's name, after checking that the local
// registry serves it: `make integration-test` pushes it (make
// debian-image), and a test run by hand without it should say so rather
// than fail on a pull.
func Debian(t testing.TB) string {
	t.Helper()
	NeedRegistry(t)
	ctx, cancel := registryCtx()
	defer cancel()
	if !Cluster(t).HasDebianImage(ctx) {
		t.Fatalf("the registry does not serve %s: run `make debian-image` first", localcluster.DebianImage)
	}
	return localcluster.DebianImage
}
