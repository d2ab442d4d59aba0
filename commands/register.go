package commands

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"kuberunner/common/config"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

func init() {
	Register("register", "verify a runner token and add the runner to config.toml", runRegister)
}

// registration is the [[runners]] entry register appends. It is encoded by
// the TOML library, so no value can break out of its string.
type registration struct {
	Runners []registeredRunner `toml:"runners"`
}

type registeredRunner struct {
	Name       string               `toml:"name"`
	URL        string               `toml:"url"`
	Token      string               `toml:"token"`
	Executor   string               `toml:"executor"`
	Kubernetes registeredKubernetes `toml:"kubernetes"`
}

type registeredKubernetes struct {
	Namespace  string   `toml:"namespace"`
	Image      string   `toml:"image"`
	PullPolicy []string `toml:"pull_policy"`
}

// runRegister is `kuberunner register --url URL --token glrt-…`. The token
// may come from $KUBERUNNER_TOKEN instead, to keep it out of the process
// list; it is never printed.
func runRegister(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kuberunner register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flagPath := fs.String("config", "", "config file to add the runner to (created if missing)")
	url := fs.String("url", "", "GitLab URL, e.g. https://gitlab.example.com")
	token := fs.String("token", os.Getenv("KUBERUNNER_TOKEN"), "runner authentication token (glrt-…); default $KUBERUNNER_TOKEN")
	name := fs.String("name", hostname(), "runner name")
	namespace := fs.String("namespace", config.DefaultNamespace, "namespace for the job pods")
	image := fs.String("image", "alpine:3.20", "default job image")
	if err := fs.Parse(args); err != nil {
		return exitCode(flagError(err))
	}
	if *url == "" || *token == "" {
		return finish(stderr, usagef("kuberunner register: --url and --token (or $KUBERUNNER_TOKEN) are required"))
	}
	path := config.Locate(*flagPath).Path
	systemID, err := network.LoadOrCreateSystemID(path)
	if err == nil {
		err = verifyToken(*url, *token, systemID)
	}
	if err != nil {
		return finish(stderr, fmt.Errorf("runner %q at %s: %w", safetext.Escape(*name), config.RedactURL(*url), err))
	}
	entry := registeredRunner{Name: *name, URL: *url, Token: *token, Executor: config.DefaultExecutor,
		Kubernetes: registeredKubernetes{Namespace: *namespace, Image: *image, PullPolicy: []string{"always", "if-not-present"}}}
	if err := appendRunner(path, entry); err != nil {
		return finish(stderr, err)
	}
	fmt.Fprintf(stdout, "Registered runner %q at %s in %s\n", safetext.Escape(*name), config.RedactURL(*url), path)
	return ExitOK
}

// appendRunner adds entry to the config file, or creates it, and checks the
// result loads before it replaces the file (atomically, mode 0600).
func appendRunner(path string, entry registeredRunner) error {
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
	if err := toml.NewEncoder(&buf).Encode(registration{Runners: []registeredRunner{entry}}); err != nil {
		return err
	}
	if _, _, err := config.Parse(path, buf.Bytes()); err != nil {
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

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "kuberunner"
	}
	return h
}
