package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"kuberunner/helpers/namedfile"
)

// RegisteredRunner is the [[runners]] entry AppendRunner adds, with the
// keys `kuberunner register` sets and no others.
type RegisteredRunner struct {
	Name        string `toml:"name"`
	URL         string `toml:"url"`
	Token       string `toml:"token"`
	Executor    string `toml:"executor"`
	TLSCAFile   string `toml:"tls-ca-file,omitempty"`
	TLSCertFile string `toml:"tls-cert-file,omitempty"`
	TLSKeyFile  string `toml:"tls-key-file,omitempty"`
	CloneURL    string `toml:"clone_url,omitempty"`
	Limit       int    `toml:"limit,omitzero"`
	// RequestConcurrency is request_concurrency; 0 leaves the default.
	RequestConcurrency int                  `toml:"request_concurrency,omitzero"`
	Kubernetes         RegisteredKubernetes `toml:"kubernetes"`
	// Cache is [runners.cache], written only when register was given
	// some of it.
	Cache *CacheConfig `toml:"cache,omitempty"`
}

// RegisteredKubernetes is the [runners.kubernetes] table of a
// RegisteredRunner.
type RegisteredKubernetes struct {
	Namespace  string   `toml:"namespace"`
	Image      string   `toml:"image"`
	PullPolicy []string `toml:"pull_policy"`
	// The keys below are written only when register was given them.
	HelperImage    string `toml:"helper_image,omitempty"`
	ServiceAccount string `toml:"service_account,omitempty"`
	Privileged     *bool  `toml:"privileged,omitempty"`
	CPURequest     string `toml:"cpu_request,omitempty"`
	CPULimit       string `toml:"cpu_limit,omitempty"`
	MemoryRequest  string `toml:"memory_request,omitempty"`
	MemoryLimit    string `toml:"memory_limit,omitempty"`
}

// registration is the text AppendRunner appends. It is encoded by the TOML
// library, so no value can break out of its string.
type registration struct {
	Runners []RegisteredRunner `toml:"runners"`
}

// AppendRunner adds entry to the config file at path, or creates it (and
// its directory, mode 0700) with concurrent = 1 and check_interval = 3 when
// it is missing or empty. The file's text is kept as it is. The result
// must load (Parse) before it replaces the file; otherwise the file is left
// unchanged and the loader's error is returned, wrapped. It writes through
// rewrite, as every change to the file does.
func AppendRunner(path string, entry RegisteredRunner) error {
	return rewrite(path, func(old []byte) ([]byte, error) { return withLoadingRunner(path, old, entry) })
}

// withLoadingRunner is withRunner, refused unless the result loads.
func withLoadingRunner(path string, old []byte, entry RegisteredRunner) ([]byte, error) {
	data, err := withRunner(old, entry)
	if err != nil {
		return nil, err
	}
	if _, _, err := Parse(path, data); err != nil {
		return nil, fmt.Errorf("the file with the new runner would not load, so it was left unchanged: %w", err)
	}
	return data, nil
}

// rewrite is the one way config.toml is changed (register, unregister,
// verify --delete): edit gets the file's text (empty when it is missing)
// and returns the new text, or nil to leave the file as it is. The new
// text replaces the file atomically and with mode 0600.
//
// A path that is a symbolic link is written through: the link's target is
// replaced and the link stays. The file is read as every named file is
// (namedfile: a regular file of at most MaxFileSize), and the read, the
// edit and the rename happen under a lock on the file's lock file
// (lockPath), so that two commands at once each keep their change.
func rewrite(path string, edit func(old []byte) ([]byte, error)) error {
	target, err := appendTarget(path)
	if err != nil {
		return err
	}
	// Checked before the lock too, so that no lock file is made next to
	// what is not a config file (a link to /dev/zero would put it in /dev).
	if err := checkForAppend(path, target); err != nil {
		return err
	}
	unlock, err := lockFile(lockPath(target))
	if err != nil {
		return err
	}
	defer unlock()
	old, err := readForAppend(path, target)
	if err != nil {
		return err
	}
	data, err := edit(old)
	if err != nil || data == nil {
		return err
	}
	return replaceFile(target, data)
}

// PrepareAppend is what register does before it contacts GitLab: it
// creates the file's directory (mode 0700) when missing, so that the
// system ID can be written next to the file, and checks that the file
// loads, and loads with entry appended, so that a file or an entry that
// could never be written is refused before the token is sent anywhere.
// AppendRunner reads the file again, under the lock.
func PrepareAppend(path string, entry RegisteredRunner) error {
	target, err := appendTarget(path)
	if err != nil {
		return err
	}
	old, err := readForAppend(path, target)
	if err != nil {
		return err
	}
	if len(old) > 0 {
		if _, _, err := Parse(path, old); err != nil {
			return fmt.Errorf("the file does not load, so no runner can be added to it: %w", err)
		}
	}
	_, err = withLoadingRunner(path, old, entry)
	return err
}

// appendTarget is the file rewrite replaces: path, or what the
// symbolic links on the way lead to, so that a link is written through
// rather than replaced by a regular file. Its directory is created when
// missing. A link to a missing file is refused: creating the file there
// would write where the link points, which nobody may have meant.
func appendTarget(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case err == nil:
		return target, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", &Error{File: path, Msg: "cannot resolve the path: " + err.Error(), Err: err}
	}
	if info, lerr := os.Lstat(path); lerr == nil && info.Mode().Type() == fs.ModeSymlink {
		dest, _ := os.Readlink(path)
		return "", &Error{File: path, Msg: fmt.Sprintf("a symbolic link to %s, which does not exist", dest),
			Allowed: "a link to an existing file, or no link", Err: err}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", &Error{File: path, Msg: "cannot create the directory: " + err.Error(), Err: err}
	}
	return path, nil
}

// readForAppend reads target, which path led to; a missing file is an
// empty one.
func readForAppend(path, target string) ([]byte, error) {
	old, err := namedfile.Read(target, MaxFileSize)
	return old, appendReadError(path, target, err)
}

// checkForAppend is readForAppend without the read: target is a regular
// file, or missing.
func checkForAppend(path, target string) error {
	return appendReadError(path, target, namedfile.Check(target))
}

// appendReadError words a namedfile error for the file path led to;
// missing is no error. Messages name path, as the person gave it.
func appendReadError(path, target string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	e := readError(path, err)
	if target != path {
		e.Msg += " (through the symbolic link to " + target + ")"
	}
	return e
}

// withRunner is old with entry appended, or the file's global settings
// and entry when old is empty.
func withRunner(old []byte, entry RegisteredRunner) ([]byte, error) {
	var buf bytes.Buffer
	if len(old) == 0 {
		buf.WriteString("concurrent = 1\ncheck_interval = 3\n")
	} else {
		buf.Write(old)
		if !bytes.HasSuffix(old, []byte("\n")) {
			buf.WriteByte('\n')
		}
	}
	buf.WriteByte('\n')
	if err := toml.NewEncoder(&buf).Encode(registration{Runners: []RegisteredRunner{entry}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// replaceFile writes data to a temporary file next to target and renames
// it over target, so that a reader sees the old file or the new one,
// never part of one. The data is synced first: a crash after the rename
// must not leave an empty config.toml.
func replaceFile(target string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), ".config-*.toml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, data); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

func writeAndClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
