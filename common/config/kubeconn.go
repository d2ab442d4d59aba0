package config

import (
	"errors"

	"kuberunner/helpers/clienttls"
	"kuberunner/helpers/namedfile"
)

// KubernetesConnection is how the executor reaches the API server, with
// GitLab Runner's keys. With host and any of bearer_token, ca_file,
// cert_file or key_file, those are the whole connection and no kubeconfig
// is read (GitLab Runner's out-of-cluster client). Otherwise the
// credentials come from the in-cluster service account or the kubeconfig
// ($KUBECONFIG, ~/.kube/config), in its context named by context, and
// host, when set, replaces only the server address.
type KubernetesConnection struct {
	// BearerToken is a secret: no message shows it (secret.go), and
	// printing the config does not either (Secret).
	BearerToken Secret `toml:"bearer_token"`
	CAFile      string `toml:"ca_file"`
	CertFile    string `toml:"cert_file"`
	KeyFile     string `toml:"key_file"`
	Context     string `toml:"context"`
}

// Secret is a string that fmt never prints: %v, %s and %#v of a config
// that holds one show Redacted. string(s) is the value.
type Secret string

func (Secret) String() string   { return Redacted }
func (Secret) GoString() string { return Redacted }

// HasCredentials says whether the connection names its own credentials,
// which makes it GitLab Runner's out-of-cluster client.
func (c KubernetesConnection) HasCredentials() bool {
	return c.BearerToken != "" || c.CAFile != "" || c.CertFile != "" || c.KeyFile != ""
}

// connectionRule is what the keys accept together, for "allowed:".
const connectionRule = "host together with bearer_token and/or ca_file, cert_file and key_file (no kubeconfig is read then); or context, and at most host, to use the kubeconfig"

// connection checks the connection keys together and reads the PEM files
// now, so that a wrong file stops config check at its line rather than the
// first job. Paths are made absolute against config.toml's directory.
func (d *decoder) connection(p keyPath, k *KubernetesConfig) {
	c := &k.KubernetesConnection
	if !c.HasCredentials() {
		return
	}
	for _, key := range []string{"bearer_token", "ca_file", "cert_file", "key_file"} {
		if k.Host == "" && c.isSet(key) {
			d.fail(p.child(key), &Error{Msg: "is set without host: credentials of their own are GitLab Runner's out-of-cluster client, which needs the API server's address", Allowed: connectionRule})
			return
		}
	}
	if c.Context != "" {
		d.fail(p.child("context"), &Error{Value: c.Context, Msg: "context selects a kubeconfig context, but host with credentials of its own reads no kubeconfig", Allowed: connectionRule})
		return
	}
	d.connectionFiles(p, c)
}

func (c *KubernetesConnection) isSet(key string) bool {
	switch key {
	case "bearer_token":
		return c.BearerToken != ""
	case "ca_file":
		return c.CAFile != ""
	case "cert_file":
		return c.CertFile != ""
	}
	return c.KeyFile != ""
}

// connectionFiles reads ca_file, cert_file and key_file and checks them
// as the runner's tls-* files are checked: PEM that parses, a key that
// belongs to its certificate. Nothing of a key's content is shown.
func (d *decoder) connectionFiles(p keyPath, c *KubernetesConnection) {
	files := []struct {
		key   string
		path  *string
		limit int64
	}{{"ca_file", &c.CAFile, clienttls.MaxCASize}, {"cert_file", &c.CertFile, clienttls.MaxCertSize}, {"key_file", &c.KeyFile, clienttls.MaxKeySize}}
	read := map[string]string{}
	for _, f := range files {
		if *f.path == "" {
			continue
		}
		*f.path = d.resolve(*f.path)
		data, err := namedfile.Read(*f.path, f.limit)
		if err != nil {
			d.fail(p.child(f.key), &Error{Value: *f.path, Msg: *f.path + ": " + readProblem(err), Allowed: "a readable PEM file", Err: err})
			return
		}
		read[f.key] = string(data)
	}
	m := clienttls.Material{CAFile: c.CAFile, CA: read["ca_file"], CertFile: c.CertFile, Cert: read["cert_file"], KeyFile: c.KeyFile, Key: read["key_file"]}
	if err := m.Check(); err != nil {
		at, msg := connectionProblem(err)
		d.fail(p.child(at), &Error{Msg: msg, Allowed: "PEM files: ca_file of CA certificates; cert_file and key_file together, the key belonging to the certificate", Err: err})
	}
}

// connectionProblem words a clienttls check in this table's key names
// (clienttls speaks of the runner's tls-* keys). It names the file and the
// problem, never the content.
func connectionProblem(err error) (key, msg string) {
	keys := map[clienttls.Part]string{clienttls.PartCA: "ca_file", clienttls.PartCert: "cert_file", clienttls.PartKey: "key_file"}
	key, msg = "ca_file", err.Error()
	var te *clienttls.Error
	if errors.As(err, &te) {
		key, msg = keys[te.Part], te.File+": "+te.Err.Error()
	}
	switch {
	case errors.Is(err, clienttls.ErrUnpaired):
		msg = "cert_file and key_file go together: set both or neither"
	case errors.Is(err, clienttls.ErrKeyMismatch):
		msg = te.File + ": is not the private key of the certificate in cert_file"
	}
	return key, msg
}
