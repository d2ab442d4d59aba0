package registryauth

import (
	"net"
	"path/filepath"
	"strings"
)

// covers reports whether a credential for k is one the kubelet would offer
// for img. Its rules: the ports are equal (none equals none only); the hosts
// have as many dot-separated labels and each of img's matches k's as a glob
// (so *.example.com covers a.example.com, but neither example.com nor
// a.b.example.com); and k's path is a prefix of img's — a string prefix, as
// the kubelet compares, so /team covers /team2/app too.
func (k registryKey) covers(img imageRef) bool {
	kh, kp := splitPort(k.host)
	ih, ip := splitPort(img.host)
	if kp != ip || !strings.HasPrefix(img.path, k.path) {
		return false
	}
	kl, il := strings.Split(kh, "."), strings.Split(ih, ".")
	if len(kl) != len(il) {
		return false
	}
	for i := range kl {
		if ok, err := filepath.Match(kl[i], il[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

func splitPort(hostport string) (host, port string) {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, ""
	}
	return h, p
}
