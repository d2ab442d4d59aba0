//go:build integration

package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/gitserver"
	"kuberunner/test/localcluster"
)

// The runner's token: long enough for a short token ("cachetest"), which
// names the runner's part of the cache's objects.
const (
	cacheRunnerToken = "glrt-cachetest0123456789abcdef"
	cacheShortToken  = "cachetest"
	cacheJobToken    = "job-token-cache-4711"
	cacheProjectID   = 4242
)

// cacheRun is `kuberunner run` with [runners.cache] on the cluster's S3
// server, under a prefix (Path) of its own so that tests sharing the
// bucket never see each other's objects, and a git server for the jobs'
// project directory (GIT_STRATEGY empty: nothing to clone).
type cacheRun struct {
	t      *testing.T
	srv    *coordinator.Server
	s3     localcluster.S3Info
	prefix string
	repo   *gitserver.Repo
	sha    string
	ns     string
	daemon *lockedBuffer
}

func startCacheRun(t *testing.T) *cacheRun { return startCacheRunWith(t, "") }

// startCacheRunWith is startCacheRun with s3Keys, lines of more
// [runners.cache.s3] keys.
func startCacheRunWith(t *testing.T, s3Keys string) *cacheRun {
	img := clustertest.Debian(t) // head, sha256sum, env, touch, stat
	clustertest.CacheShared(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	r := &cacheRun{t: t, s3: clustertest.S3(t), prefix: "it/" + uniqueSuffix(t), ns: clustertest.Namespace(t),
		srv: coordinator.New(t, cacheRunnerToken)}
	r.srv.SetTraceInterval(1)
	git := gitserver.NewOn(t, cacheJobToken, clustertest.PodReachableAddress(t))
	r.repo = git.NewRepo(t, "group/project")
	r.sha = r.repo.Commit(t, "main", "one", map[string]string{"README": "cache\n"})
	r.daemon = r.start(img, s3Keys)
	return r
}

func uniqueSuffix(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + hex.EncodeToString(b)
}

// start writes the config, with s3Keys in [runners.cache.s3], and runs
// the daemon.
func (r *cacheRun) start(img, s3Keys string) *lockedBuffer {
	t := r.t
	cfg := fmt.Sprintf(`concurrent = 2
check_interval = 1

[[runners]]
  name = "cache-it"
  url = %q
  token = %q
  executor = "kubernetes"
  [runners.cache]
    Type = "s3"
    Path = %q
    [runners.cache.s3]
      ServerAddress = %q
      BucketName = %q
      AccessKey = %q
      SecretKey = %q
      Insecure = true
%s  [runners.kubernetes]
    namespace = %q
    image = %q
    helper_image = %q
    pull_policy = "if-not-present"
`, r.srv.URL, cacheRunnerToken, r.prefix, r.s3.Endpoint, r.s3.Bucket, r.s3.AccessKey, r.s3.SecretKey, s3Keys, r.ns, img, localcluster.HelperImage)
	path := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	cmd := exec.Command(kuberunnerBinary(t), "run", "--config", path)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(t).KubeconfigPath())
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Logf("kuberunner run:\n%s", out.String())
	})
	return out
}

// run queues a job with the cache entries and the script, on a ref that
// is protected or not, and waits for its final update.
func (r *cacheRun) run(protected bool, entries []common.JobCache, lines ...string) coordinator.JobRecord {
	r.t.Helper()
	j := daemonJob(lines...)
	j.Token = cacheJobToken
	j.JobInfo = common.JobInfo{Name: "cache", ProjectID: cacheProjectID, ProjectName: "project"}
	j.GitInfo = common.GitInfo{RepoURL: r.repo.URL(), Ref: "main", Sha: r.sha, RefType: common.RefTypeBranch, Protected: &protected}
	j.Variables = common.JobVariables{{Key: "GIT_STRATEGY", Value: "empty"}}
	j.Cache = entries
	id := r.srv.Enqueue(j)
	var rec coordinator.JobRecord
	require.Eventually(r.t, func() bool { rec, _ = r.srv.Job(id); return rec.Completed >= 1 }, 4*time.Minute, 100*time.Millisecond)
	r.t.Logf("trace of job %d:\n%s", id, rec.Trace)
	return rec
}

// object is the object name of key under the runner's prefix.
func (r *cacheRun) object(key string) string {
	return fmt.Sprintf("%s/runner/%s/project/%d/%s", r.prefix, cacheShortToken, cacheProjectID, key)
}

// stat reads the object of key from the bucket with minio-go.
func (r *cacheRun) stat(key string) (minio.ObjectInfo, error) {
	client, err := r.s3.Client()
	require.NoError(r.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return client.StatObject(ctx, r.s3.Bucket, r.object(key), minio.StatObjectOptions{})
}

var sha256Line = regexp.MustCompile(`([0-9a-f]{64})  vendor/x`)

func digestIn(t *testing.T, trace []byte) string {
	m := sha256Line.FindSubmatch(trace)
	require.NotNil(t, m, "no sha256sum line in the trace")
	return string(m[1])
}

func deps(policy common.CachePolicy) []common.JobCache {
	return []common.JobCache{{Key: "deps", Paths: []string{"vendor/"}, Policy: policy}}
}

const (
	write5MiB = "mkdir -p vendor && head -c 5242880 /dev/urandom > vendor/x && sha256sum vendor/x"
	readX     = "if test -e vendor/x; then sha256sum vendor/x; else echo vendor/x is absent; fi"
)

// Must show 1: job 1 writes vendor/x (5 MiB) under key deps; job 2, in a
// new pod, finds it with the same content, says "Successfully extracted
// cache", and the bucket holds the archive under the runner's prefix.
func TestCacheRoundTrip(t *testing.T) {
	r := startCacheRun(t)
	first := r.run(false, deps(""), write5MiB)
	require.Equal(t, "success", first.State)
	assert.Contains(t, string(first.Trace), "Creating cache deps-non_protected...")
	assert.Contains(t, string(first.Trace), "Created cache")
	info, err := r.stat("deps-non_protected")
	require.NoError(t, err, "the archive is not at %s", r.object("deps-non_protected"))
	assert.Greater(t, info.Size, int64(5<<20), "random data does not compress")

	second := r.run(false, deps(""), readX)
	require.Equal(t, "success", second.State)
	inOrder(t, string(second.Trace), "Checking cache for deps-non_protected...", "Successfully extracted cache", "vendor/x")
	assert.Equal(t, digestIn(t, first.Trace), digestIn(t, second.Trace))
	assert.Contains(t, string(second.Trace), "Archive is up to date!", "unchanged content is not uploaded again")
}

// On a bucket that encrypts: ServerSideEncryption "KMS" reaches the
// helper's upload in the job pod, S3 stores the archive encrypted with the
// configured key, and the next job restores it with its files'
// modification times.
func TestCacheEncryptedKeepsTimes(t *testing.T) {
	r := startCacheRunWith(t, fmt.Sprintf("      ServerSideEncryption = \"KMS\"\n      ServerSideEncryptionKeyID = %q\n", localcluster.S3KMSKey))
	first := r.run(false, deps(""), "mkdir -p vendor && echo v > vendor/x && touch -d '2020-01-02 03:04:05 UTC' vendor/x")
	require.Equal(t, "success", first.State)
	info, err := r.stat("deps-non_protected")
	require.NoError(t, err)
	assert.Equal(t, "aws:kms", info.Metadata.Get("X-Amz-Server-Side-Encryption"))

	second := r.run(false, deps(""), "stat -c 'mtime %Y' vendor/x")
	require.Equal(t, "success", second.State)
	assert.Contains(t, string(second.Trace), "mtime 1577934245")
}

// Must show 2: policy pull does not upload; policy push does not download.
func TestCachePolicies(t *testing.T) {
	r := startCacheRun(t)
	pushed := r.run(false, deps(common.CachePolicyPush), readX, write5MiB)
	require.Equal(t, "success", pushed.State)
	assert.Contains(t, string(pushed.Trace), "Not downloading cache deps-non_protected due to policy")
	assert.NotContains(t, string(pushed.Trace), "Checking cache for")
	before, err := r.stat("deps-non_protected")
	require.NoError(t, err)

	again := r.run(false, deps(common.CachePolicyPush), readX, write5MiB)
	assert.Contains(t, string(again.Trace), "vendor/x is absent", "push does not download")
	pushedAgain, err := r.stat("deps-non_protected")
	require.NoError(t, err)
	assert.NotEqual(t, before.ETag, pushedAgain.ETag, "the second push replaced the first")

	pulled := r.run(false, deps(common.CachePolicyPull), readX, write5MiB)
	require.Equal(t, "success", pulled.State)
	assert.Contains(t, string(pulled.Trace), "Successfully extracted cache")
	assert.Contains(t, string(pulled.Trace), "Not uploading cache deps-non_protected due to policy")
	assert.Equal(t, digestIn(t, again.Trace), digestIn(t, pulled.Trace), "pull read the last push")
	after, err := r.stat("deps-non_protected")
	require.NoError(t, err)
	assert.Equal(t, pushedAgain.ETag, after.ETag, "pull uploaded nothing, though the script changed vendor/x")
}

// Must show 3: a miss on feature-x with fallback_keys [deps] extracts deps.
func TestCacheFallbackKeys(t *testing.T) {
	r := startCacheRun(t)
	first := r.run(false, deps(""), write5MiB)
	require.Equal(t, "success", first.State)
	job := r.run(false, []common.JobCache{{Key: "feature-x", Paths: []string{"vendor/"}, FallbackKeys: []string{"deps"}}}, readX)
	require.Equal(t, "success", job.State)
	inOrder(t, string(job.Trace), "Checking cache for feature-x-non_protected...", "No cache found for feature-x-non_protected",
		"Checking cache for deps-non_protected...", "Successfully extracted cache")
	assert.Equal(t, digestIn(t, first.Trace), digestIn(t, job.Trace))
	_, err := r.stat("feature-x-non_protected")
	assert.NoError(t, err, "the job saves its own key")
}

// Must show 4: with the S3 server stopped the job succeeds, with WARNING
// lines that name the key.
func TestCacheS3Down(t *testing.T) {
	r := startCacheRun(t)
	clustertest.StopS3(t)
	job := r.run(false, deps(""), write5MiB)
	assert.Equal(t, "success", job.State)
	assert.Contains(t, string(job.Trace), "WARNING: Failed to extract cache deps-non_protected: GET "+r.s3.Endpoint)
	assert.Contains(t, string(job.Trace), "WARNING: Failed to create cache deps-non_protected: PUT "+r.s3.Endpoint)
	assert.Contains(t, string(job.Trace), "connection refused")
	assert.NotContains(t, string(job.Trace), "X-Amz-")
}

// Must show 5: a protected ref's cache is not readable from an
// unprotected ref, even by naming its key, unless unprotect is set.
func TestCacheProtectedRefs(t *testing.T) {
	r := startCacheRun(t)
	prot := r.run(true, deps(""), write5MiB)
	require.Equal(t, "success", prot.State)
	_, err := r.stat("deps-protected")
	require.NoError(t, err)

	unprot := r.run(false, deps(""), readX)
	assert.Contains(t, string(unprot.Trace), "No cache found for deps-non_protected")
	assert.Contains(t, string(unprot.Trace), "vendor/x is absent")
	named := r.run(false, []common.JobCache{{Key: "deps-protected", Paths: []string{"vendor/"}, Policy: common.CachePolicyPull}}, readX)
	assert.Contains(t, string(named.Trace), "No cache found for deps-protected-non_protected")
	assert.Contains(t, string(named.Trace), "vendor/x is absent")

	shared := []common.JobCache{{Key: "shared", Paths: []string{"vendor/"}, Unprotect: true}}
	protShared := r.run(true, shared, write5MiB)
	require.Equal(t, "success", protShared.State)
	unprotShared := r.run(false, shared, readX)
	assert.Contains(t, string(unprotShared.Trace), "Successfully extracted cache")
	assert.Equal(t, digestIn(t, protShared.Trace), digestIn(t, unprotShared.Trace))
}

// Must show 6: no S3 credential in the pod spec, the pod's environment,
// the job's secret, the daemon's log or the trace; the signed URLs reach
// the pod only on the helper's stdin.
func TestCacheCredentialsStayOut(t *testing.T) {
	r := startCacheRun(t)
	cs, _ := clustertest.Client(t)
	seen := make(chan string, 1)
	go func() {
		sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"}
		for range 600 {
			pods, _ := cs.CoreV1().Pods(r.ns).List(context.Background(), sel)
			secrets, _ := cs.CoreV1().Secrets(r.ns).List(context.Background(), sel)
			if pods != nil && len(pods.Items) > 0 && secrets != nil && len(secrets.Items) > 0 {
				b, _ := json.Marshal([]any{pods.Items, secrets.Items})
				seen <- string(b)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		seen <- ""
	}()
	job := r.run(false, deps(""), "env", "sleep 2", write5MiB)
	require.Equal(t, "success", job.State)
	objects := <-seen
	require.NotEmpty(t, objects, "never saw the job's pod and secret")
	for where, text := range map[string]string{"pod and secret": objects, "trace": string(job.Trace), "daemon log": r.daemon.String()} {
		assert.NotContains(t, text, r.s3.SecretKey, "the secret key is in the %s", where)
		assert.NotContains(t, text, r.s3.AccessKey, "the access key is in the %s", where)
		assert.NotContains(t, text, "X-Amz-Signature", "a signed URL is in the %s", where)
	}
}
