package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// RegisteredRunner is the [[runners]] entry AppendRunner adds, with the
// keys `kuberunner register` sets and no others.
type RegisteredRunner struct {
	Name       string               `toml:"name"`
	URL        string               `toml:"url"`
	Token      string               `toml:"token"`
	Executor   string               `toml:"executor"`
	Kubernetes RegisteredKubernetes `toml:"kubernetes"`
}

// RegisteredKubernetes is the [runners.kubernetes] table of a
// RegisteredRunner.
type RegisteredKubernetes struct {
	Namespace  string   `toml:"namespace"`
	Image      string   `toml:"image"`
	PullPolicy []string `toml:"pull_policy"`
}

// registration is the text AppendRunner appends. It is encoded by the TOML
// library, so no value can break out of its string.
type registration struct {
	Runners []RegisteredRunner `toml:"runners"`
}

// AppendRunner adds entry to the config file at path, or creates it (and
// its directory, mode 0700) with concurrent = 1 and check_interval = 3 when
// it is missing or empty. The file's text is kept as it is. The result
// must load (Parse) before it replaces the file, atomically and with mode
// 0600; otherwise the file is left unchanged and the loader's error is
// returned, wrapped.
func AppendRunner(path string, entry RegisteredRunner) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
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
		return err
	}
	if _, _, err := Parse(path, buf.Bytes()); err != nil {
		return fmt.Errorf("the file with the new runner would not load, so it was left unchanged: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.toml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
