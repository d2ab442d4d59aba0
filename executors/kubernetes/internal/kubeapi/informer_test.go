package kubeapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/client-go/rest"
)

func TestInformerIdentity(t *testing.T) {
	a := &rest.Config{Host: "https://k", BearerToken: "one"}
	b := &rest.Config{Host: "https://k", BearerToken: "two"}
	assert.NotEqual(t, IdentityOf(a), IdentityOf(b), "different credentials, different informers")
	assert.Equal(t, IdentityOf(a), IdentityOf(rest.CopyConfig(a)))
	c := &rest.Config{Host: "https://k", TLSClientConfig: rest.TLSClientConfig{CertData: []byte("x")}}
	d := &rest.Config{Host: "https://k", TLSClientConfig: rest.TLSClientConfig{KeyData: []byte("x")}}
	assert.NotEqual(t, IdentityOf(c), IdentityOf(d))
}
