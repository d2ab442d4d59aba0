package gitserver

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// installHint ends every failure caused by a missing git.
const installHint = "the tests need the git CLI and git http-backend: run `apt-get install git`"

// gitCLI runs the git CLI with an environment of its own: no system or
// global configuration, a scratch HOME, a fixed identity.
type gitCLI struct {
	path    string // the git binary
	backend string // git-http-backend
	home    string
}

// findGit locates git and git-http-backend, failing the test with the
// install hint when either is missing.
func findGit(t testing.TB) *gitCLI {
	t.Helper()
	path, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("gitserver: git is not installed (%v); %s", err, installHint)
	}
	out, err := exec.Command(path, "--exec-path").Output()
	if err != nil {
		t.Fatalf("gitserver: git --exec-path: %v; %s", err, installHint)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if fi, err := os.Stat(backend); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("gitserver: no executable git-http-backend at %s; %s", backend, installHint)
	}
	return &gitCLI{path: path, backend: backend, home: t.TempDir()}
}

// env is the environment of every git process, including http-backend.
func (g *gitCLI) env() []string {
	return []string{
		"HOME=" + g.home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_AUTHOR_NAME=Test Author",
		"GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Test Committer",
		"GIT_COMMITTER_EMAIL=committer@example.com",
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
	}
}

// run runs git in dir ("" for the current directory) and returns its
// trimmed stdout, failing the test on a non-zero exit.
func (g *gitCLI) run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(g.path, args...)
	cmd.Dir = dir
	cmd.Env = append(g.env(), "PATH="+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gitserver: git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// ok runs git in dir and reports whether it exited 0, for queries such as
// rev-parse --verify.
func (g *gitCLI) ok(dir string, args ...string) bool {
	cmd := exec.Command(g.path, args...)
	cmd.Dir = dir
	cmd.Env = append(g.env(), "PATH="+os.Getenv("PATH"))
	return cmd.Run() == nil
}
