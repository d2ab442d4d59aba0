package helm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Root is the repository's root, found from this file so that tests work
// from any package directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ChartDir is the chart under test.
func ChartDir() string { return filepath.Join(Root(), "deploy", "helm", "kuberunner") }

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary is the helm to test with: $KUBERUNNER_HELM if set, else the one
// hack/build-helm.sh prints, which builds it into the user's cache the
// first time (a few minutes; `make helm` does it outside a test's timeout)
// and returns at once afterwards. A test never skips for want of helm.
func Binary() (string, error) {
	binOnce.Do(func() {
		if p := os.Getenv("KUBERUNNER_HELM"); p != "" {
			binPath = p
			return
		}
		var out bytes.Buffer
		cmd := exec.Command("bash", filepath.Join(Root(), "hack", "build-helm.sh"))
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("hack/build-helm.sh: %w", err)
			return
		}
		binPath = strings.TrimSpace(out.String())
	})
	return binPath, binErr
}

// Run runs helm with args in an empty helm home (no repositories, no
// plugins, nothing of the user's), and returns stdout; an error carries
// stderr.
func Run(home string, env []string, args ...string) (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}
