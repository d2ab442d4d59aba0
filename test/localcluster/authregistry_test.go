package localcluster

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestAuthRegistryConfigs(t *testing.T) {
	c := &Cluster{Dir: "/state"}
	cfgs := c.authRegistryConfigs()
	for rel, want := range map[string][]string{
		"authregistry/basic/config.yml": {"addr: " + BasicAuthRegistryHost, "htpasswd:", `path: "/state/authregistry/htpasswd"`,
			`rootdirectory: "/state/authregistry/basic/data"`},
		"authregistry/token/config.yml": {"addr: " + tokenRegistryBackend, "token:", `realm: "http://127.0.0.1:5009/jwt/auth"`,
			`rootcertbundle: "/state/authregistry/token.crt"`, `rootdirectory: "/state/authregistry/token/data"`},
	} {
		t.Run(rel, func(t *testing.T) {
			for _, w := range want {
				if !strings.Contains(cfgs[rel], w) {
					t.Errorf("lacks %q:\n%s", w, cfgs[rel])
				}
			}
		})
	}
}

// The local registry's config must stay what it was before the
// authenticated registries shared its template: no auth section.
func TestLocalRegistryConfigHasNoAuth(t *testing.T) {
	cfg := (&Cluster{Dir: "/state"}).registryConfig()
	if strings.Contains(cfg, "auth:") || !strings.HasSuffix(cfg, "addr: "+RegistryHost+"\n") {
		t.Errorf("config:\n%s", cfg)
	}
}

// The accounts are made once per cluster and kept: other test processes
// and running registries rely on them.
func TestAuthMaterialIsMadeOnceAndKept(t *testing.T) {
	c := &Cluster{Dir: t.TempDir()}
	if err := c.ensureAuthMaterial(); err != nil {
		t.Fatal(err)
	}
	users, err := c.AuthRegistryUsers()
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != authUserCount || users[0].Username == users[1].Username || users[0].Password == "" {
		t.Fatalf("users %v", users)
	}
	for _, f := range []string{"users.json", "htpasswd", "token.key"} {
		if st, err := os.Stat(c.authFile(f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, st.Mode().Perm())
		}
	}
	before := readAll(t, c, "users.json", "htpasswd", "token.key", "token.crt")
	if err := c.ensureAuthMaterial(); err != nil {
		t.Fatal(err)
	}
	after := readAll(t, c, "users.json", "htpasswd", "token.key", "token.crt")
	for f := range before {
		if !bytes.Equal(before[f], after[f]) {
			t.Errorf("%s changed on the second run", f)
		}
	}
}

func readAll(t *testing.T, c *Cluster, files ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(c.authFile(f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

func TestAuthRegistryUsersWithoutUp(t *testing.T) {
	_, err := (&Cluster{Dir: t.TempDir()}).AuthRegistryUsers()
	if err == nil || !strings.Contains(err.Error(), "make cluster-up") {
		t.Errorf("err = %v", err)
	}
}

func TestDockerAuthConfig(t *testing.T) {
	u := RegistryUser{Username: "user1-abc", Password: "p:w"}
	var cfg struct {
		Auths map[string]struct {
			Auth string `json:"auth"`
		} `json:"auths"`
	}
	if err := json.Unmarshal([]byte(DockerAuthConfig(u, BasicAuthRegistryHost, TokenAuthRegistryHost)), &cfg); err != nil {
		t.Fatal(err)
	}
	for _, h := range AuthRegistryHosts {
		b, err := base64.StdEncoding.DecodeString(cfg.Auths[h].Auth)
		if err != nil || string(b) != "user1-abc:p:w" {
			t.Errorf("%s: auth decodes to %q (%v)", h, b, err)
		}
	}
}

// The authenticated registries use ports containerd already reaches over
// plain HTTP, and no test front may take them.
func TestAuthRegistryHostsAreNotFronts(t *testing.T) {
	for _, h := range AuthRegistryHosts {
		for _, f := range FrontHosts {
			if h == f {
				t.Errorf("%s is both", h)
			}
		}
	}
}

func TestStartAuthRegistriesWithoutUp(t *testing.T) {
	err := (&Cluster{Dir: t.TempDir()}).StartAuthRegistries(t.Context())
	if err == nil || !strings.Contains(err.Error(), "make cluster-up") {
		t.Errorf("err = %v", err)
	}
}
