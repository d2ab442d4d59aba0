//go:build integration

package clustertest

import (
	"testing"

	"kuberunner/test/localcluster"
)

// s3Server is the cluster's S3 server, coordinated across test processes
// like the registries: tests that use it hold its lock shared, a test
// that stops it holds it exclusively.
var s3Server = registryKind{"S3 server", (*localcluster.Cluster).OpenS3Lock,
	(*localcluster.Cluster).S3Up, (*localcluster.Cluster).StartS3, (*localcluster.Cluster).StopS3}

// S3 holds the S3 server's lock shared until the test ends, makes sure it
// runs, and returns its address and credentials.
func S3(t testing.TB) localcluster.S3Info {
	t.Helper()
	need(t, s3Server)
	info, err := Cluster(t).S3()
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// StopS3 stops the S3 server for the rest of the test (restarted when it
// ends), once every other test using it has finished; see StopRegistry.
func StopS3(t testing.TB) { t.Helper(); stop(t, s3Server) }

// StartS3 starts the S3 server again within a test that stopped it.
func StartS3(t testing.TB) { t.Helper(); start(t, s3Server) }
