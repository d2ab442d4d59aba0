package localcluster

import (
	"crypto/x509"
	"net"
	"testing"
)

func TestEnsurePKIIssuesVerifiableCertsOnce(t *testing.T) {
	c := &Cluster{Dir: t.TempDir()}
	ip := net.ParseIP("192.0.2.10")
	if err := c.ensurePKI(NodeName, ip); err != nil {
		t.Fatal(err)
	}
	ca, err := readCert(c.pki("ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	serving, err := readCert(c.pki("kubelet-serving.crt"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := serving.Verify(x509.VerifyOptions{Roots: pool, DNSName: ip.String()}); err != nil {
		t.Errorf("kubelet serving cert does not verify for the node IP: %v", err)
	}
	api, _ := readCert(c.pki("apiserver.crt"))
	if _, err := api.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("apiserver cert does not verify for 127.0.0.1: %v", err)
	}
	node, _ := readCert(c.pki("kubelet.crt"))
	if node.Subject.CommonName != "system:node:"+NodeName || node.Subject.Organization[0] != "system:nodes" {
		t.Errorf("kubelet client subject %v, want the node authorizer's naming", node.Subject)
	}

	// A second run keeps every certificate; a new node IP reissues only the
	// kubelet's serving certificate.
	if err := c.ensurePKI(NodeName, net.ParseIP("192.0.2.11")); err != nil {
		t.Fatal(err)
	}
	api2, _ := readCert(c.pki("apiserver.crt"))
	serving2, _ := readCert(c.pki("kubelet-serving.crt"))
	if api2.SerialNumber.Cmp(api.SerialNumber) != 0 {
		t.Error("apiserver certificate was reissued without cause")
	}
	if serving2.SerialNumber.Cmp(serving.SerialNumber) == 0 || !serving2.IPAddresses[0].Equal(net.ParseIP("192.0.2.11")) {
		t.Error("kubelet serving certificate was not reissued for the new node IP")
	}
}
