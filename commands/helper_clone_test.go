package commands

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/helpers/gitsource"
	"kuberunner/test/gitserver"
)

const cloneToken = "glcbt-commands-token-77e1"

func cloneRequest(t *testing.T, req gitsource.Request) io.Reader {
	t.Helper()
	b, err := json.Marshal(req)
	require.NoError(t, err)
	return bytes.NewReader(b)
}

func TestHelperClone(t *testing.T) {
	srv := gitserver.New(t, cloneToken)
	repo := srv.NewRepo(t, "group/project")
	repo.Commit(t, "main", "one", map[string]string{"a.txt": "a\n"})
	sha := repo.Commit(t, "main", "two", map[string]string{"b.txt": "b\n"})

	request := func(root string) gitsource.Request {
		return gitsource.Request{Dir: filepath.Join(root, "group", "project"), RepoURL: repo.AuthURL(), Ref: "main",
			RefType: gitsource.RefBranch, SHA: sha, Depth: 1, Strategy: gitsource.StrategyClone, Checkout: true}
	}

	cases := []struct {
		name     string
		args     func(root string) []string
		stdin    func(root string) io.Reader
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{
			name:  "clone",
			args:  func(root string) []string { return []string{"--builds-root", root} },
			stdin: func(root string) io.Reader { return cloneRequest(t, request(root)) },
			code:  ExitOK,
			stdout: []string{
				"Fetching changes from " + repo.URL() + " with git depth set to 1...\n",
				"Checking out " + sha[:8] + " as detached HEAD (ref main)...\n",
			},
		},
		{
			name: "wrong token",
			args: func(root string) []string { return []string{"--builds-root", root} },
			stdin: func(root string) io.Reader {
				r := request(root)
				r.RepoURL, r.Token = repo.URL(), "wrong-"+cloneToken
				return cloneRequest(t, r)
			},
			code:   ExitError,
			stderr: []string{"ERROR: helper clone: fetching " + repo.URL() + ": the server refused the credentials"},
		},
		{
			name:   "dir outside /builds",
			args:   func(string) []string { return nil },
			stdin:  func(root string) io.Reader { return cloneRequest(t, request(root)) },
			code:   ExitError,
			stderr: []string{"is not below the builds root /builds"},
		},
		{
			name:     "not JSON",
			args:     func(string) []string { return nil },
			stdin:    func(string) io.Reader { return strings.NewReader("dir=/builds/x") },
			code:     ExitError,
			stderr:   []string{"ERROR: helper clone: request: not a valid request document"},
			noStdout: true,
		},
		{
			name:   "strategy none",
			args:   func(string) []string { return nil },
			stdin:  func(string) io.Reader { return strings.NewReader(`{"dir": "/builds/g/p", "strategy": "none"}`) },
			code:   ExitOK,
			stdout: []string{"Skipping Git repository setup: GIT_STRATEGY is none"},
		},
		{
			name:     "unknown flag",
			args:     func(string) []string { return []string{"--nope"} },
			stdin:    func(string) io.Reader { return strings.NewReader("") },
			code:     ExitUsage,
			noStdout: true,
		},
		{
			name:     "an argument",
			args:     func(string) []string { return []string{"request.json"} },
			stdin:    func(string) io.Reader { return strings.NewReader("") },
			code:     ExitUsage,
			stderr:   []string{`unexpected argument "request.json": the request is read from stdin`},
			noStdout: true,
		},
		{
			name:     "zero timeout",
			args:     func(string) []string { return []string{"--timeout", "0s"} },
			stdin:    func(string) io.Reader { return strings.NewReader("") },
			code:     ExitUsage,
			noStdout: true,
		},
		{
			name:   "help",
			args:   func(string) []string { return []string{"-h"} },
			stdin:  func(string) io.Reader { return strings.NewReader("") },
			code:   ExitOK,
			stderr: []string{"usage: kuberunner helper clone", `"submodule_strategy"`, "-timeout duration"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			var stdout, stderr bytes.Buffer
			code := runHelperClone(context.Background(), c.args(root), c.stdin(root), &stdout, &stderr)
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			require.Equal(t, c.code, code)
			for _, s := range c.stdout {
				require.Contains(t, stdout.String(), s)
			}
			for _, s := range c.stderr {
				require.Contains(t, stderr.String(), s)
			}
			if c.noStdout {
				require.Empty(t, stdout.String())
			}
			require.NotContains(t, stderr.String(), "helper clone: \n", "no empty error line")
			for _, s := range []string{stdout.String(), stderr.String()} {
				require.NotContains(t, s, cloneToken)
				require.NotContains(t, s, gitserver.TokenUser+":")
			}
		})
	}

	t.Run("through Main", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		require.Equal(t, ExitUsage, Main([]string{"helper", "clone", "--nope"}, &stdout, &stderr))
		require.Equal(t, ExitUsage, Main([]string{"helper", "nope"}, &stdout, &stderr))
		require.Contains(t, stderr.String(), "use wait, receive, clone, artifacts-upload, artifacts-download, cache-extract or cache-archive")
	})
}

// TestHelperCloneSIGTERM sends SIGTERM to a real helper process whose fetch
// hangs: it must stop at once, say why, and exit 1.
func TestHelperCloneSIGTERM(t *testing.T) {
	if os.Getenv("KUBERUNNER_HELPER_CLONE_CHILD") == "1" {
		os.Exit(helperCommand([]string{"clone", "--builds-root", os.Getenv("KUBERUNNER_BUILDS_ROOT")}, os.Stdout, os.Stderr))
	}

	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(stop) })

	root := t.TempDir()
	req := gitsource.Request{Dir: filepath.Join(root, "p"), RepoURL: hang.URL + "/p.git", Ref: "main", RefType: gitsource.RefBranch,
		SHA: strings.Repeat("a", 40), Strategy: gitsource.StrategyClone, Checkout: true, Token: cloneToken}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCloneSIGTERM$")
	cmd.Env = append(os.Environ(), "KUBERUNNER_HELPER_CLONE_CHILD=1", "KUBERUNNER_BUILDS_ROOT="+root)
	cmd.Stdin = cloneRequest(t, req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// Wait for the fetch to start: the signal handler is in place by then.
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "Fetching changes") {
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	_, _ = io.Copy(io.Discard, stdout)

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the helper did not stop within 20s of SIGTERM")
	}
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "wait: %v", err)
	require.Equal(t, ExitError, exit.ExitCode(), stderr.String())
	require.Contains(t, stderr.String(), "ERROR: helper clone: fetching "+hang.URL+"/p.git: stopped by SIGTERM")
	require.NotContains(t, stderr.String(), cloneToken)
}
