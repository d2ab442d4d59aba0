package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"kuberunner/helpers/clienttls"
	"kuberunner/helpers/namedfile"
)

// The tls-* keys of a runner name PEM files. They are read and checked at
// load, so that a wrong file stops `run` and `config check` with its key
// and line, not the first job an hour later; what was read is kept for
// every request and job of the process (RunnerConfig.TLS).

// tlsKeys are the three keys, each with its size cap and what it accepts.
var tlsKeys = []struct {
	part    clienttls.Part
	limit   int64
	allowed string
}{
	{clienttls.PartCA, clienttls.MaxCASize, "a readable PEM file of one or more CA certificates, trusted in addition to the system's"},
	{clienttls.PartCert, clienttls.MaxCertSize, "a readable PEM file of the client certificate (and its chain), set together with tls-key-file"},
	{clienttls.PartKey, clienttls.MaxKeySize, "a readable PEM file of the unencrypted private key of tls-cert-file"},
}

// TLS is what the runner's tls-* files held at load: the roots added to
// the system's and the client certificate, for the coordinator API and
// the helper's clones. Zero when none is set.
func (r *RunnerConfig) TLS() clienttls.Material {
	if r.tls == nil {
		return clienttls.Material{}
	}
	return *r.tls
}

// tlsFiles reads the runner's tls-* files and checks them together,
// reporting each problem at its key. A path that is not absolute is taken
// from the directory of config.toml, so that the file means the same
// whatever directory kuberunner starts in.
func (d *decoder) tlsFiles(p keyPath, r *RunnerConfig) {
	paths := map[clienttls.Part]*string{clienttls.PartCA: &r.TLSCAFile, clienttls.PartCert: &r.TLSCertFile, clienttls.PartKey: &r.TLSKeyFile}
	read := map[clienttls.Part]string{}
	failed := false
	for _, k := range tlsKeys {
		path := *paths[k.part]
		if path == "" {
			continue
		}
		path = d.resolve(path)
		data, err := namedfile.Read(path, k.limit)
		if err != nil {
			d.fail(p.child(string(k.part)), &Error{Value: path, Msg: path + ": " + readProblem(err), Allowed: k.allowed, Err: err})
			failed = true
			continue
		}
		*paths[k.part], read[k.part] = path, string(data)
	}
	if failed {
		return
	}
	m := clienttls.Material{
		CAFile: r.TLSCAFile, CA: read[clienttls.PartCA],
		CertFile: r.TLSCertFile, Cert: read[clienttls.PartCert],
		KeyFile: r.TLSKeyFile, Key: read[clienttls.PartKey],
	}
	if err := m.Check(); err != nil {
		d.tlsProblem(p, err)
		return
	}
	if !m.IsZero() {
		r.tls = &m
	}
}

// resolve makes path absolute against the directory of the file loaded.
func (d *decoder) resolve(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(d.file), path)
}

// tlsProblem reports a *clienttls.Error at the key of its file. Its text
// names the file and the problem, never the content.
func (d *decoder) tlsProblem(p keyPath, err error) {
	var te *clienttls.Error
	if !errors.As(err, &te) {
		d.fail(p.child(string(clienttls.PartCA)), &Error{Msg: err.Error(), Err: err})
		return
	}
	for _, k := range tlsKeys {
		if k.part == te.Part {
			d.fail(p.child(string(te.Part)), &Error{Value: te.File, Msg: fmt.Sprintf("%s: %v", te.File, te.Err), Allowed: k.allowed, Err: err})
		}
	}
}

// readProblem words a namedfile.Read failure; the path is said already.
func readProblem(err error) string {
	var pe *fs.PathError
	var nr *namedfile.NotRegularError
	var tl *namedfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		return "not a regular file (it is " + namedfile.Kind(nr.Mode) + ")"
	case errors.As(err, &tl):
		return fmt.Sprintf("the file is %d bytes, over the limit of %s", tl.Size, namedfile.FormatSize(tl.Limit))
	case errors.As(err, &pe):
		return "cannot read the file: " + pe.Err.Error()
	}
	return "cannot read the file: " + err.Error()
}

// ReadTLSFiles reads and checks tls-* files named outside a config file
// (register's flags), with the loader's rules and messages; name stands
// for the file in them. Relative paths are taken from the working
// directory: AppendRunner stores them as given, so pass absolute ones.
func ReadTLSFiles(name, caFile, certFile, keyFile string) (clienttls.Material, error) {
	d := &decoder{file: name}
	r := &RunnerConfig{TLSCAFile: abs(caFile), TLSCertFile: abs(certFile), TLSKeyFile: abs(keyFile)}
	d.tlsFiles(keyPath{}, r)
	_, err := d.sorted()
	return r.TLS(), err
}

// abs is path made absolute against the working directory; "" stays "".
func abs(path string) string {
	if path == "" {
		return ""
	}
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}
