package clustertest

import (
	"net"
	"testing"

	"kuberunner/test/localcluster"
)

// PodReachableAddress is where a test server must listen for a job pod to
// reach it: the local cluster's pod bridge on this machine (the pod network
// has no route to anything else, loopback included). Traffic to it never
// leaves the machine.
func PodReachableAddress(t testing.TB) string {
	t.Helper()
	iface, err := net.InterfaceByName(localcluster.BridgeName)
	if err != nil {
		t.Fatalf("the local cluster's bridge %s: %v (run `make cluster-up`)", localcluster.BridgeName, err)
	}
	addrs, err := iface.Addrs()
	if err != nil {
		t.Fatalf("addresses of %s: %v", localcluster.BridgeName, err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	t.Fatalf("bridge %s has no IPv4 address", localcluster.BridgeName)
	return ""
}
