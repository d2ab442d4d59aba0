package localcluster

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// authComponents are the authenticated registries and the token service,
// in start order: the service fronts the token registry, so it comes after.
// Up starts them after the local registry (see ensureAuthRegistries); they
// are not in components() because tests stop and start them on their own
// lock.
func (c *Cluster) authComponents() []component {
	registry := func(name, host, dir, scheme string) component {
		return component{name: name, bin: "docker-registry", args: []string{"serve", c.authFile(dir, "config.yml")},
			timeout: 30 * time.Second, ports: []string{host},
			healthy: func(ctx context.Context) error { return challenged(ctx, "http://"+host+"/v2/", scheme) }}
	}
	bearer := `Bearer realm="` + tokenRealm + `"`
	return []component{
		registry(basicRegistryName, BasicAuthRegistryHost, "basic", "Basic "),
		registry(tokenRegistryName, tokenRegistryBackend, "token", bearer),
		{name: tokenServerName, bin: c.tokenServerBinary(), timeout: 30 * time.Second, ports: []string{TokenAuthRegistryHost},
			args: []string{"-listen", TokenAuthRegistryHost, "-upstream", "http://" + tokenRegistryBackend,
				"-htpasswd", c.authFile("htpasswd"), "-key", c.authFile("token.key"), "-cert", c.authFile("token.crt"),
				"-issuer", tokenIssuer, "-service", tokenService},
			healthy: func(ctx context.Context) error {
				if err := httpOK(ctx, plainHTTP, "http://"+TokenAuthRegistryHost+"/healthz"); err != nil {
					return err
				}
				return challenged(ctx, "http://"+TokenAuthRegistryHost+"/v2/", bearer)
			}},
	}
}

// challenged is an authenticated registry's health check: /v2/ answers 401
// with the challenge it is configured for (prefix of WWW-Authenticate),
// which also shows that this is our registry and not some other program.
func challenged(ctx context.Context, url, prefix string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := plainHTTP.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	got := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(got, prefix) {
		return fmt.Errorf("GET %s: %s, WWW-Authenticate %q; want 401 and %q…", url, resp.Status, got, prefix)
	}
	return nil
}

// ensureAuthRegistries starts the authenticated registries unless they run,
// holding their lock shared like a test that needs them, so that an `up`
// while a test has them stopped waits for that test.
func (c *Cluster) ensureAuthRegistries(ctx context.Context) error {
	lock, err := c.OpenAuthRegistryLock()
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := lock.Shared(); err != nil {
		return err
	}
	return c.StartAuthRegistries(ctx)
}

// StartAuthRegistries starts the token service and both authenticated
// registries unless they run, and waits until they answer. Like
// StartRegistry it serialises with other starts and stops in any process.
func (c *Cluster) StartAuthRegistries(ctx context.Context) error {
	unlock, err := c.lockFile("authregistry-ctl.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	for _, f := range []string{"users.json", "htpasswd", "token.key", "token.crt", "basic/config.yml", "token/config.yml"} {
		if _, err := os.Stat(c.authFile(f)); err != nil {
			return fmt.Errorf("authenticated registries not set up (%w): run `make cluster-up`", err)
		}
	}
	for _, comp := range c.authComponents() {
		if comp.name == tokenServerName && c.pid(comp.name) == 0 {
			if err := c.buildTokenServer(); err != nil {
				return &ComponentError{comp.name, c.LogPath(comp.name), err}
			}
		}
		if err := c.ensureRunning(ctx, comp); err != nil {
			return err
		}
	}
	return nil
}

// StopAuthRegistries stops both authenticated registries and the token
// service, so that pulls from them fail with "connection refused".
// Stopping stopped ones is fine. Tests coordinate through
// OpenAuthRegistryLock, as for the local registry.
func (c *Cluster) StopAuthRegistries(ctx context.Context) error {
	unlock, err := c.lockFile("authregistry-ctl.lock", syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	var errs []string
	for _, name := range []string{basicRegistryName, tokenRegistryName, tokenServerName} {
		if err := c.stop(name, 10*time.Second); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("stop the authenticated registries: %s", strings.Join(errs, "; "))
	}
	return nil
}

// AuthRegistriesUp reports whether all three run and answer.
func (c *Cluster) AuthRegistriesUp(ctx context.Context) bool {
	for _, comp := range c.authComponents() {
		if c.pid(comp.name) == 0 || comp.healthy(ctx) != nil {
			return false
		}
	}
	return true
}

// OpenAuthRegistryLock is RegistryLock for the authenticated registries
// (run/authregistry.lock): tests that need them hold it shared, a test that
// stops them holds it exclusively.
func (c *Cluster) OpenAuthRegistryLock() (*RegistryLock, error) {
	return c.openLock("authregistry.lock")
}

func (c *Cluster) tokenServerBinary() string { return c.path("bin", "token-server") }

// buildTokenServer builds hack/localcluster/tokenserver into the cluster's
// bin/, as Up builds the pause binary; Go's build cache makes it quick when
// nothing changed. It runs only while the service is stopped, so it never
// replaces a running binary.
func (c *Cluster) buildTokenServer() error {
	if c.RepoRoot == "" {
		return fmt.Errorf("kuberunner checkout not found (needed to build the token service): run from inside it")
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", c.tokenServerBinary(), "./hack/localcluster/tokenserver")
	cmd.Dir = c.RepoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build tokenserver: %v\n%s", err, out)
	}
	return nil
}
