package localcluster

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"kuberunner/test/localcluster/tokenserver"
)

// AuthRegistryUsers returns the accounts of the authenticated registries,
// made once per cluster by Up and kept in authregistry/users.json (mode
// 0600), so that every test process agrees on them.
func (c *Cluster) AuthRegistryUsers() ([]RegistryUser, error) {
	b, err := os.ReadFile(c.authFile("users.json"))
	if err != nil {
		return nil, fmt.Errorf("no accounts for the authenticated registries (%w): run `make cluster-up`", err)
	}
	var users []RegistryUser
	if err := json.Unmarshal(b, &users); err != nil || len(users) == 0 {
		return nil, fmt.Errorf("%s holds no accounts: delete it and run `make cluster-up`", c.authFile("users.json"))
	}
	return users, nil
}

// ensureAuthMaterial makes, when missing, the accounts, their htpasswd
// file, and the token signing key and certificate. It keeps what exists:
// a running registry or token service has read them, and tests in other
// processes may hold the accounts.
func (c *Cluster) ensureAuthMaterial() error {
	if err := os.MkdirAll(c.authFile(), 0o700); err != nil {
		return err
	}
	users, err := c.AuthRegistryUsers()
	if err != nil {
		if users, err = newRegistryUsers(authUserCount); err != nil {
			return err
		}
		if err := writeJSON(c.authFile("users.json"), users); err != nil {
			return err
		}
	}
	if err := c.ensureHtpasswd(users); err != nil {
		return err
	}
	return c.ensureSigningKey()
}

// ensureHtpasswd writes the htpasswd file unless it already holds users.
func (c *Cluster) ensureHtpasswd(users []RegistryUser) error {
	if b, err := os.ReadFile(c.authFile("htpasswd")); err == nil {
		if acc, err := tokenserver.ParseHtpasswd(b); err == nil && verifiesAll(acc, users) {
			return nil
		}
	}
	data, err := tokenserver.Htpasswd(users)
	if err != nil {
		return err
	}
	return writeFileAtomic(c.authFile("htpasswd"), data, 0o600)
}

func verifiesAll(acc tokenserver.Accounts, users []RegistryUser) bool {
	for _, u := range users {
		if !acc.Verify(u.Username, u.Password) {
			return false
		}
	}
	return len(acc) == len(users)
}

// ensureSigningKey makes the token key and certificate unless both exist.
func (c *Cluster) ensureSigningKey() error {
	if exists(c.authFile("token.key")) && exists(c.authFile("token.crt")) {
		return nil
	}
	key, cert, err := tokenserver.NewSigningKey(time.Now())
	if err != nil {
		return err
	}
	if err := writeFileAtomic(c.authFile("token.key"), key, 0o600); err != nil {
		return err
	}
	return writeFileAtomic(c.authFile("token.crt"), cert, 0o644)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// newRegistryUsers makes n accounts with random names and passwords, so
// that no two clusters (and no test written against one) share them.
func newRegistryUsers(n int) ([]RegistryUser, error) {
	users := make([]RegistryUser, n)
	for i := range users {
		suffix, pw := make([]byte, 3), make([]byte, 18)
		if _, err := rand.Read(suffix); err != nil {
			return nil, err
		}
		if _, err := rand.Read(pw); err != nil {
			return nil, err
		}
		users[i] = RegistryUser{
			Username: fmt.Sprintf("user%d-%s", i+1, hex.EncodeToString(suffix)),
			Password: base64.RawURLEncoding.EncodeToString(pw),
		}
	}
	return users, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

// writeFileAtomic replaces path in one rename, so that a reader in another
// process never sees half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
