package registryauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// dockerConfig is the part of a DOCKER_AUTH_CONFIG value that is read.
type dockerConfig struct {
	Auths       map[string]authEntry `json:"auths"`
	CredsStore  string               `json:"credsStore"`
	CredHelpers map[string]string    `json:"credHelpers"`
}

type authEntry struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// parseAuthConfig reads a DOCKER_AUTH_CONFIG value from src: one credential
// per auths entry, and warnings for what it ignores. An invalid value is an
// error; so is an entry whose auth does not decode to user:password, or two
// entries for the same registry.
func parseAuthConfig(value string, src Source) ([]Credential, []string, error) {
	var cfg dockerConfig
	if err := json.Unmarshal([]byte(value), &cfg); err != nil {
		return nil, nil, &ConfigError{Source: src, Reason: jsonReason(err)}
	}
	var warnings []string
	if cfg.CredsStore != "" || len(cfg.CredHelpers) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: credsStore and credHelpers are ignored: no credential helper runs for a pod", src))
	}
	var creds []Credential
	seen := map[string]string{}
	for _, raw := range sortedKeys(cfg.Auths) {
		c, warning, err := authEntryCredential(raw, cfg.Auths[raw], src)
		if err != nil {
			return nil, nil, err
		}
		if warning != "" {
			warnings = append(warnings, warning)
			continue
		}
		if first, dup := seen[c.Registry]; dup {
			return nil, nil, &ConfigError{Source: src, Entry: raw, Reason: fmt.Sprintf("names the same registry as entry %q (%s)", first, c.Registry)}
		}
		seen[c.Registry] = raw
		creds = append(creds, c)
	}
	return creds, warnings, nil
}

// authEntryCredential reads one auths entry: a credential, or a warning
// saying why the entry is skipped.
func authEntryCredential(raw string, e authEntry, src Source) (Credential, string, error) {
	key, err := parseKey(raw)
	if err != nil {
		return Credential{}, "", &ConfigError{Source: src, Entry: raw, Reason: "is " + err.Error()}
	}
	switch {
	case e.Auth != "":
		user, pw, err := decodeAuth(e.Auth)
		if err != nil {
			return Credential{}, "", &ConfigError{Source: src, Entry: raw, Reason: err.Error()}
		}
		return newCredential(key, src, user, pw), "", nil
	case e.Username != "" && e.Password != "":
		return newCredential(key, src, e.Username, e.Password), "", nil
	case e.Username != "" || e.Password != "":
		return Credential{}, "", &ConfigError{Source: src, Entry: raw, Reason: "has a username or a password but not both"}
	case e.IdentityToken != "" || e.RegistryToken != "":
		return Credential{}, fmt.Sprintf("%s: entry %q holds only a token, which the kubelet cannot use; ignored", src, raw), nil
	}
	return Credential{}, fmt.Sprintf("%s: entry %q has no auth and no username and password; ignored", src, raw), nil
}

// decodeAuth splits an auth value, base64 of user:password (padded or not).
func decodeAuth(auth string) (string, string, error) {
	b, err := base64.StdEncoding.DecodeString(auth)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(auth); err != nil {
			return "", "", errors.New("has an auth that is not base64")
		}
	}
	user, pw, ok := strings.Cut(string(b), ":")
	if !ok || user == "" {
		return "", "", errors.New("has an auth that does not decode to username:password")
	}
	return user, pw, nil
}

// jsonReason describes a decoding error by position and type only: the
// standard messages quote the offending character, which may be part of a
// password.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("is not valid JSON (syntax error at byte %d)", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("has a JSON %s at %s where a %s belongs", typ.Value, typ.Field, typ.Type)
	case errors.As(err, &typ):
		return fmt.Sprintf("is a JSON %s, not an object", typ.Value)
	}
	return "is not valid JSON"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
