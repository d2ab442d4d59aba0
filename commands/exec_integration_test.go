//go:build integration

package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// kuberunnerBinary builds the CLI once per test process, statically, so the
// same file can also serve as a helper image.
func kuberunnerBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kuberunner-it-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "kuberunner")
		cmd := exec.Command("go", "build", "-o", binPath, "kuberunner")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// project writes a project directory: .gitlab-ci.yml, config.toml and any
// extra files, and returns its path.
func project(t *testing.T, ciYAML, configTOML string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proj")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	files[".gitlab-ci.yml"] = ciYAML
	files["config.toml"] = configTOML
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// runExec runs `kuberunner exec JOB` as a process and returns its output
// and exit code.
func runExec(t *testing.T, dir, job string, extra ...string) (string, int) {
	t.Helper()
	args := append([]string{"exec", job,
		"--file", filepath.Join(dir, ".gitlab-ci.yml"),
		"--config", filepath.Join(dir, "config.toml"),
		"--kubeconfig", clustertest.Cluster(t).KubeconfigPath()}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kuberunnerBinary(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	t.Logf("kuberunner %s\n%s", strings.Join(args, " "), out.String())
	return out.String(), code
}

func runnerConfig(ns, image, helper string, extra string) string {
	return fmt.Sprintf(`[[runners]]
  name = "it"
  executor = "kubernetes"
  [runners.kubernetes]
    namespace = %q
    image = %q
    helper_image = %q
    poll_timeout = 120
%s
`, ns, image, helper, extra)
}

// The demo's scenario through the real binary: registry down, the image on
// the node, ["always", "if-not-present"].
func TestExecRegistryOutage(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, "exec-outage"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	name, tag, _ := strings.Cut(strings.TrimPrefix(img, localcluster.RegistryHost+"/"), ":")
	dir := project(t, fmt.Sprintf(`variables:
  IMAGE_NAME: %s/%s
  IMAGE_VERSION: %q
build:
  script:
    - echo Done
`, localcluster.RegistryHost, name, tag),
		runnerConfig(ns, "${IMAGE_NAME}:${IMAGE_VERSION}", localcluster.HelperImage, `    pull_policy = ["always", "if-not-present"]`),
		map[string]string{})
	clustertest.StopRegistry(t)

	out, code := runExec(t, dir, "build")
	require.Equal(t, 0, code)
	require.Regexp(t, `Attempt 1: created pod .* pull policies: build=Always helper=Always`, out)
	require.Regexp(t, fmt.Sprintf(`WARNING: Failed to pull image %q for container "build" with pull policy "always": ErrImagePull: .*connection refused`, img), out)
	require.Regexp(t, `Attempt 2: created pod .* pull policies: build=IfNotPresent helper=IfNotPresent`, out)
	require.Contains(t, out, "\nDone\n")
	require.Contains(t, out, "Job succeeded")
}

// Services, a job-level pull_policy list, sources and a masked variable,
// with GitLab's section markers.
func TestExecServicesSourcesMasking(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, "exec-job"))
	clustertest.Cache(t, img)
	clustertest.Delete(t, img) // only the node has it: the job's own list must fall back
	svc := clustertest.Push(t, clustertest.UniqueImage(t, "exec-svc"))
	clustertest.CacheShared(t, localcluster.HelperImage)
	secret := "s3cr3t-value-1234"
	dir := project(t, fmt.Sprintf(`build:
  image:
    name: %s
    pull_policy: [always, if-not-present]
  services:
    - name: %s
      alias: db
      command: ["sleep", "3600"]
      pull_policy: if-not-present
  before_script:
    - grep -w db /etc/hosts
  script:
    - cat from-sources.txt
    - echo "token=$SECRET_TOKEN"
    - printf 's3cr3t-'; printf 'value-1234\n'
`, img, svc),
		runnerConfig(ns, "unused:1", localcluster.HelperImage, `    pull_policy = "always"
    allowed_pull_policies = ["always", "if-not-present"]`),
		map[string]string{"from-sources.txt": "the sources arrived\n"})

	out, code := runExec(t, dir, "build", "--masked-env", "SECRET_TOKEN="+secret, "--log-format", "gitlab")
	require.Equal(t, 0, code)
	require.Contains(t, out, "svc-0=IfNotPresent")
	require.Regexp(t, `Attempt 2: created pod .* build=IfNotPresent`, out)
	require.Contains(t, out, "the sources arrived")
	require.Regexp(t, `127\.0\.0\.1\s+.*\bdb\b`, out)
	require.NotContains(t, out, secret)
	require.Contains(t, out, "token=[MASKED]")
	require.Equal(t, 2, strings.Count(out, "[MASKED]"))
	require.Contains(t, out, "section_start:")
	require.Contains(t, out, "section_end:")
}

// A helper image that the registry cannot serve but the node holds falls
// back on its own; the build image keeps "always".
func TestExecHelperFallsBackAlone(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, "exec-build"))
	clustertest.NeedRegistry(t)
	helper := clustertest.UniqueImage(t, "exec-helper")
	clustertest.PushHelper(t, helper, kuberunnerBinary(t))
	clustertest.Cache(t, helper)
	clustertest.Delete(t, helper)

	dir := project(t, "build:\n  script:\n    - echo Done\n",
		runnerConfig(ns, img, helper, `    pull_policy = ["always", "if-not-present"]`), map[string]string{})
	out, code := runExec(t, dir, "build")
	require.Equal(t, 0, code)
	require.Regexp(t, fmt.Sprintf(`Failed to pull image %q for container "helper" with pull policy "always"`, helper), out)
	require.NotContains(t, out, `for container "build"`)
	require.Contains(t, out, "build=Always helper=IfNotPresent")
	require.Contains(t, out, "\nDone\n")
}

// Failure path: nothing cached, registry down; exit status 1 and the
// failure reason last.
func TestExecFailurePath(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, "exec-uncached"))
	clustertest.CacheShared(t, localcluster.HelperImage)
	dir := project(t, "build:\n  script:\n    - echo Done\n",
		runnerConfig(ns, img, localcluster.HelperImage, `    pull_policy = ["always", "if-not-present"]`), map[string]string{})
	clustertest.StopRegistry(t)
	out, code := runExec(t, dir, "build")
	require.Equal(t, 1, code)
	require.Contains(t, out, fmt.Sprintf(`image %q: all pull policies failed (tried "always", "if-not-present")`, img))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Equal(t, "failure_reason: image_pull_failure", strings.TrimSpace(lines[len(lines)-1]))
}
