package registryauth

import "testing"

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		err       bool
	}{
		{"registry.example.com", "registry.example.com", false},
		{"https://registry.example.com/", "registry.example.com", false},
		{"http://registry.example.com:5000/v2/", "registry.example.com:5000", false},
		{"registry.example.com/v2/team/app", "registry.example.com/team/app", false},
		{"registry.example.com/team/", "registry.example.com/team/", false},
		{" Registry.Example.COM ", "registry.example.com", false},
		{"127.0.0.1:5008", "127.0.0.1:5008", false},
		{"*.example.com", "*.example.com", false},
		{"https://index.docker.io/v1/", "docker.io", false},
		{"index.docker.io", "docker.io", false},
		{"registry-1.docker.io/myorg", "docker.io/myorg", false},
		{"docker.io", "docker.io", false},
		{"", "", true},
		{"ftp://registry.example.com", "", true},
		{"https://", "", true},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			k, err := parseKey(tc.raw)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			if k.String() != tc.want {
				t.Errorf("key %q, want %q", k, tc.want)
			}
		})
	}
}
