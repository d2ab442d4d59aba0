package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/client-go/rest"
)

func TestInformerIdentity(t *testing.T) {
	a := &rest.Config{Host: "https://k", BearerToken: "one"}
	b := &rest.Config{Host: "https://k", BearerToken: "two"}
	assert.NotEqual(t, identityOf(a), identityOf(b), "different credentials, different informers")
	assert.Equal(t, identityOf(a), identityOf(rest.CopyConfig(a)))
	c := &rest.Config{Host: "https://k", TLSClientConfig: rest.TLSClientConfig{CertData: []byte("x")}}
	d := &rest.Config{Host: "https://k", TLSClientConfig: rest.TLSClientConfig{KeyData: []byte("x")}}
	assert.NotEqual(t, identityOf(c), identityOf(d))
}
