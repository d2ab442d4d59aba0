package localcluster

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"kuberunner/test/localcluster/tokenserver"
)

// The config sections Up writes and the token service, against the real
// registry program: Debian's docker-registry on free loopback ports (not
// the cluster's), the token service in process fronting the token
// registry. A right password pushes and pulls, no credentials and a wrong
// password get 401.
func TestDistributionEnforcesTheAuthConfigs(t *testing.T) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil || testing.Short() {
		t.Skip("needs Debian's docker-registry (hack/install-deps.sh) and not -short")
	}
	c := &Cluster{Dir: t.TempDir()}
	if err := c.ensureAuthMaterial(); err != nil {
		t.Fatal(err)
	}
	users, err := c.AuthRegistryUsers()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := tokenserver.Load(c.authFile("htpasswd"), c.authFile("token.key"), c.authFile("token.crt"), tokenIssuer, tokenService)
	if err != nil {
		t.Fatal(err)
	}
	basicAddr, backend := freeAddr(t), freeAddr(t)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	proxy.ErrorLog = log.New(io.Discard, "", 0) // refused while the registry starts
	srv.Upstream = proxy
	front := httptest.NewUnstartedServer(srv.Handler())
	tokenAddr := front.Listener.Addr().String()
	front.Start()
	t.Cleanup(front.Close)
	serveRegistry(t, bin, c.path("basic"), distributionConfig("basic", c.path("basic", "data"), basicAddr,
		htpasswdAuth(c.authFile("htpasswd"))), basicAddr, "Basic ")
	serveRegistry(t, bin, c.path("token"), distributionConfig("token", c.path("token", "data"), backend,
		tokenAuth("http://"+tokenAddr+tokenserver.Path, tokenService, tokenIssuer, c.authFile("token.crt"))), tokenAddr, "Bearer ")

	wrong := RegistryUser{Username: users[0].Username, Password: users[0].Password + "x"}
	for name, addr := range map[string]string{"basic": basicAddr, "token": tokenAddr} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ref, err := parseRef(addr + "/private/busybox:v1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pushBusybox(ctx, ref); !is401(err) {
				t.Errorf("push without credentials: %v, want 401", err)
			}
			if _, err := pushBusybox(ctx, ref, remote.WithAuth(basicAuth(users[0]))); err != nil {
				t.Fatalf("push as %s: %v", users[0], err)
			}
			if _, err := remote.Head(ref, remote.WithContext(ctx), remote.WithAuth(basicAuth(users[1]))); err != nil {
				t.Errorf("pull as %s: %v", users[1], err)
			}
			if _, err := remote.Head(ref, remote.WithContext(ctx)); !is401(err) {
				t.Errorf("pull without credentials: %v, want 401", err)
			}
			if _, err := remote.Head(ref, remote.WithContext(ctx), remote.WithAuth(basicAuth(wrong))); !is401(err) {
				t.Errorf("pull with a wrong password: %v, want 401", err)
			}
		})
	}
}

func is401(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusUnauthorized
}

// freeAddr is a loopback address nothing listens on a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveRegistry runs docker-registry with config until the test ends and
// waits until /v2/ answers 401 with the challenge prefix.
func serveRegistry(t *testing.T, bin, dir, config, addr, challenge string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("docker-registry at %s said:\n%s", addr, out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := challenged(ctx, "http://"+addr+"/v2/", challenge)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry at %s not ready: %v\n%s", addr, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
