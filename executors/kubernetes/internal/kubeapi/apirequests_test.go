package kubeapi

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClassifyRequest(t *testing.T) {
	tests := []struct {
		method, url, verb, resource string
	}{
		{"POST", "/api/v1/namespaces/ci/pods", "create", "pods"},
		{"GET", "/api/v1/namespaces/ci/pods?labelSelector=a%3Db&limit=1", "list", "pods"},
		{"GET", "/api/v1/namespaces/ci/pods?watch=true&labelSelector=a", "watch", "pods"},
		{"GET", "/api/v1/namespaces/ci/pods/p1", "get", "pods"},
		{"DELETE", "/api/v1/namespaces/ci/pods/p1", "delete", "pods"},
		{"DELETE", "/api/v1/namespaces/ci/pods?labelSelector=a", "deletecollection", "pods"},
		{"POST", "/api/v1/namespaces/ci/pods/p1/exec?command=sh", "create", "pods/exec"},
		{"GET", "/api/v1/namespaces/ci/pods/p1/exec?command=sh", "get", "pods/exec"},
		{"POST", "/api/v1/namespaces/ci/secrets", "create", "secrets"},
		{"GET", "/api/v1/namespaces/ci", "get", "namespaces"},
		{"GET", "/apis/apps/v1/namespaces/ci/deployments", "list", "deployments"},
		{"GET", "/version", "get", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			verb, res := classifyRequest(&http.Request{Method: tt.method, URL: u})
			require.Equal(t, tt.verb, verb)
			require.Equal(t, tt.resource, res)
		})
	}
}
