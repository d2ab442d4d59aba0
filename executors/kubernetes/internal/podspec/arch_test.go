package podspec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestArchExport runs the snippet with a fake uname for each machine name
// the kernel reports.
func TestArchExport(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	tests := []struct{ os, machine, want string }{
		{"Linux", "x86_64", "linux/amd64"},
		{"Linux", "aarch64", "linux/arm64"},
		{"Linux", "arm64", "linux/arm64"},
		{"Linux", "armv7l", "linux/arm"},
		{"Linux", "armv8l", "linux/arm"},
		{"Linux", "i686", "linux/386"},
		{"Linux", "ppc64le", "linux/ppc64le"},
		{"Linux", "s390x", "linux/s390x"},
		{"Linux", "riscv64", "linux/riscv64"},
		{"Linux", "", "linux/"},
	}
	for _, tt := range tests {
		t.Run(tt.machine, func(t *testing.T) {
			bin := t.TempDir()
			fake := "#!/bin/sh\ncase \"$1\" in -s) echo '" + tt.os + "' ;; -m) echo '" + tt.machine + "' ;; esac\n"
			require.NoError(t, os.WriteFile(filepath.Join(bin, "uname"), []byte(fake), 0o755))
			cmd := exec.Command(sh, "-c", "set -e\n"+archExport+`printf '%s' "$CI_RUNNER_EXECUTABLE_ARCH"; [ -z "${kr_arch:-}" ]`)
			cmd.Env = []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			require.Equal(t, tt.want, strings.TrimSpace(string(out)))
		})
	}
}

func TestArchExportWithoutUname(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	cmd := exec.Command(sh, "-c", "set -e\n"+archExport+`printf '%s' "$CI_RUNNER_EXECUTABLE_ARCH"`)
	cmd.Env = []string{"PATH=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "a missing uname must not stop the script under set -e")
	require.Equal(t, "unknown/unknown", string(out))
}
