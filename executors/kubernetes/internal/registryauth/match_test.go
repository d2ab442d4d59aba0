package registryauth

import "testing"

// The kubelet's rules for which credential key covers an image, from the
// Kubernetes documentation on config.json ("Interpretation of config.json")
// and its keyring: globs per host label, same label count, same port, path
// prefix; Docker Hub under its several names.
func TestKeyCoversImage(t *testing.T) {
	for _, tc := range []struct {
		key, image string
		want       bool
	}{
		{"registry.example.com", "registry.example.com/app:v1", true},
		{"registry.example.com", "registry.example.com/group/app@sha256:" + sha, true},
		{"registry.example.com", "other.example.com/app", false},
		{"registry.example.com", "registry.example.com:5005/app", false},
		{"registry.example.com:5005", "registry.example.com:5005/app", true},
		{"registry.example.com:5005", "registry.example.com/app", false},
		{"registry.example.com:5005", "registry.example.com:5006/app", false},
		{"127.0.0.1:5008", "127.0.0.1:5008/private/busybox:v1", true},
		{"*.kubernetes.io", "abc.kubernetes.io/app", true},
		{"*.kubernetes.io", "kubernetes.io/app", false},
		{"*.kubernetes.io", "a.b.kubernetes.io/app", false},
		{"*.*.kubernetes.io", "abc.def.kubernetes.io/app", true},
		{"prefix.*.io", "prefix.kubernetes.io/app", true},
		{"*-good.kubernetes.io", "prefix-good.kubernetes.io/app", true},
		{"*-good.kubernetes.io", "prefix-bad.kubernetes.io/app", false},
		{"my-registry.io/images", "my-registry.io/images/app", true},
		{"my-registry.io/images", "my-registry.io/other/app", false},
		{"my-registry.io/images", "my-registry.io/imagesmore/app", true}, // a string prefix, as the kubelet compares
		{"my-registry.io/images/", "my-registry.io/imagesmore/app", false},
		{"https://index.docker.io/v1/", "busybox", true},
		{"https://index.docker.io/v1/", "docker.io/library/busybox:1.36", true},
		{"index.docker.io", "myorg/app", true},
		{"docker.io", "index.docker.io/myorg/app", true},
		{"registry-1.docker.io/myorg", "myorg/app", true},
		{"docker.io/myorg", "otherorg/app", false},
		{"docker.io", "registry.example.com/app", false},
		{"registry.example.com", "busybox", false},
	} {
		t.Run(tc.key+" "+tc.image, func(t *testing.T) {
			k, err := parseKey(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			img, err := parseImage(tc.image)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.covers(img); got != tc.want {
				t.Errorf("covers = %v, want %v (key %s, image %+v)", got, tc.want, k, img)
			}
		})
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
