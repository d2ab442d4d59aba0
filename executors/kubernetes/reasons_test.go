package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"kuberunner/executors/kubernetes/internal/pull"
)

// The messages are the kubelet's as containerd and the registries word
// them; the first rows are what the local cluster's kubelet reported.
func TestClassifyPullFailure(t *testing.T) {
	const pulling = `failed to pull and unpack image "127.0.0.1:5001/x:v1": failed to resolve reference "127.0.0.1:5001/x:v1": `
	tests := []struct {
		name, reason, message string
		want                  pull.Class
	}{
		{"429 from the registry", "ErrImagePull", pulling + "pulling from host 127.0.0.1:5001 failed with status code [manifests v1]: 429 Too Many Requests", pull.ClassTransient},
		{"401 from the registry", "ErrImagePull", pulling + "pulling from host 127.0.0.1:5001 failed with status code [manifests v1]: 401 Unauthorized", pull.ClassDenied},
		{"registry stopped", "ErrImagePull", pulling + `failed to do request: Head "http://127.0.0.1:5000/v2/x/manifests/v1": dial tcp 127.0.0.1:5000: connect: connection refused`, pull.ClassUnreachable},
		{"image deleted", "ErrImagePull", `rpc error: code = NotFound desc = failed to pull and unpack image "127.0.0.1:5000/x:v1": failed to resolve reference "127.0.0.1:5000/x:v1": 127.0.0.1:5000/x:v1: not found`, pull.ClassAbsent},
		{"never and no copy", "ErrImageNeverPull", `Container image "127.0.0.1:5000/x:v1" is not present with pull policy of Never`, pull.ClassAbsent},
		{"back-off repeats the cause", "ImagePullBackOff", `Back-off pulling image "127.0.0.1:5001/x:v1": ErrImagePull: 429 Too Many Requests`, pull.ClassTransient},
		{"back-off without a cause", "ImagePullBackOff", `Back-off pulling image "127.0.0.1:5001/x:v1"`, pull.ClassUnknown},

		{"Docker Hub rate limit", "ErrImagePull", "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading", pull.ClassTransient},
		{"500", "ErrImagePull", "unexpected status code https://reg/v2/x/manifests/v1: 500 Internal Server Error", pull.ClassTransient},
		{"502", "ErrImagePull", "... 502 Bad Gateway", pull.ClassTransient},
		{"503", "ErrImagePull", "... 503 Service Unavailable", pull.ClassTransient},
		{"504", "ErrImagePull", "... 504 Gateway Timeout", pull.ClassTransient},
		{"kubelet pull QPS", "ErrImagePull", "pull QPS exceeded", pull.ClassTransient},
		{"TLS handshake timeout", "ErrImagePull", `failed to do request: Head "https://reg/v2/x/manifests/v1": net/http: TLS handshake timeout`, pull.ClassTransient},
		{"i/o timeout", "ErrImagePull", "dial tcp 10.0.0.5:443: i/o timeout", pull.ClassTransient},
		{"DNS timeout is a timeout", "ErrImagePull", "dial tcp: lookup reg.example.com on 10.0.0.10:53: read udp 10.88.0.1:40000->10.0.0.10:53: i/o timeout", pull.ClassTransient},
		{"registry killed mid-pull", "ErrImagePull", `failed to pull and unpack image "127.0.0.1:5001/x:v1": failed to copy: httpReadSeeker: failed open: failed to read expected number of bytes: unexpected EOF`, pull.ClassTransient},
		{"connection reset", "ErrImagePull", `failed to copy: read tcp 10.0.0.4:51234->10.0.0.5:443: read: connection reset by peer`, pull.ClassTransient},
		{"no such host", "ErrImagePull", "dial tcp: lookup reg.example.com on 10.0.0.10:53: no such host", pull.ClassUnreachable},
		{"network unreachable", "ErrImagePull", "dial tcp 10.0.0.5:443: connect: network is unreachable", pull.ClassUnreachable},
		{"no route", "ErrImagePull", "dial tcp 10.0.0.5:443: connect: no route to host", pull.ClassUnreachable},
		{"manifest unknown", "ErrImagePull", "manifest unknown: manifest unknown", pull.ClassAbsent},
		{"403", "ErrImagePull", "pulling from host reg failed with status code [manifests v1]: 403 Forbidden", pull.ClassDenied},
		{"registry error code", "ErrImagePull", "unauthorized: authentication required", pull.ClassDenied},
		{"containerd's pull access denied", "ErrImagePull", "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed", pull.ClassDenied},
		{"Docker Hub denied", "ErrImagePull", "denied: requested access to the resource is denied", pull.ClassDenied},
		{"denied wins over not found", "ErrImagePull", "401 Unauthorized: not found", pull.ClassDenied},
		{"transient wins over unreachable", "ErrImagePull", "503 Service Unavailable after connection refused", pull.ClassTransient},

		{"a word in the image name is not a class", "ErrImagePull", `failed to pull and unpack image "reg/unauthorized-tools:v1": failed to extract layer sha256:0a1b: write /var/lib/containerd/x: no space left on device`, pull.ClassUnknown},
		{"an image named toomanyrequests", "ErrImagePull", `failed to pull and unpack image "reg/toomanyrequests:v1": reg/toomanyrequests:v1: not found`, pull.ClassAbsent},
		{"case does not matter", "ErrImagePull", "CONNECTION REFUSED", pull.ClassUnreachable},
		{"empty", "ErrImagePull", "", pull.ClassUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, classifyPullFailure(tt.reason, tt.message))
		})
	}
}
