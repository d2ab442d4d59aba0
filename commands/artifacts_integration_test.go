//go:build integration

package commands

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// artifactsRun is `kuberunner run` against a coordinator that job pods
// reach on the cluster's bridge, since the helper uploads and downloads
// artifacts itself.
type artifactsRun struct {
	t      *testing.T
	srv    *coordinator.Server
	ns     string
	daemon *exec.Cmd
	n      int
}

// artifactFailureReasons are what the coordinator says GitLab knows.
var artifactFailureReasons = []string{"script_failure", "runner_system_failure", "missing_dependency_failure"}

func startArtifactsRun(t *testing.T, kubeKeys ...string) *artifactsRun {
	img := clustertest.Debian(t)
	clustertest.CacheShared(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	r := &artifactsRun{t: t, ns: clustertest.Namespace(t), srv: coordinator.NewOn(t, clustertest.PodReachableAddress(t), "tok")}
	r.srv.SetTraceInterval(1)
	r.daemon, _ = startDaemon(t, r.srv, r.ns, img, kubeKeys...)
	return r
}

// job is a job with the script lines and artifacts, its own token, the
// metadata file asked for, and GitLab's failure reasons.
func (r *artifactsRun) job(name string, script []string, arts ...common.JobArtifact) common.Job {
	r.n++
	j := daemonJob(script...)
	j.Token = fmt.Sprintf("job-token-artifacts-%s-%d", name, r.n)
	j.JobInfo = common.JobInfo{Name: name, ProjectName: "project"}
	j.Artifacts = arts
	j.Features = common.JobFeatures{ArtifactsMetadata: true, FailureReasons: artifactFailureReasons}
	return j
}

// finished waits for the job's final update and returns its record.
func (r *artifactsRun) finished(id int64, token string) coordinator.JobRecord {
	r.t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(r.t, func() bool { rec, _ = r.srv.Job(id); return rec.Completed >= 1 }, 5*time.Minute, 100*time.Millisecond)
	r.t.Logf("trace of job %d:\n%s", id, rec.Trace)
	assert.NotContains(r.t, string(rec.Trace), token, "the job token never reaches the trace")
	return rec
}

// run enqueues job and waits for it.
func (r *artifactsRun) run(job common.Job) (int64, coordinator.JobRecord) {
	id := r.srv.Enqueue(job)
	return id, r.finished(id, job.Token)
}

func (r *artifactsRun) requireNothingLeft() {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return !hasJobObjects(r.t, r.ns) }, time.Minute, 200*time.Millisecond, "pods or secrets of the jobs are left")
	assert.Empty(r.t, r.srv.Violations())
}

// fileEntries is an archive's entries that are not folders, name → entry.
func fileEntries(t *testing.T, a coordinator.Artifact) map[string]coordinator.ZipEntry {
	t.Helper()
	entries, err := a.Entries()
	require.NoError(t, err)
	out := map[string]coordinator.ZipEntry{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name, "/") {
			out[e.Name] = e
		}
	}
	return out
}

func dependsOn(id int64, name, token string, a coordinator.Artifact) common.JobDependency {
	return common.JobDependency{ID: id, Name: name, Token: token, ArtifactsFile: &common.DependencyArtifactsFile{Filename: a.Filename, Size: a.Size}}
}

// aBin is what the first job writes to dist/a.bin: 1 MiB of a known line.
var aBin = bytes.Repeat([]byte("kuberunner-artifact\n"), 1<<20/20+1)[:1<<20]

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Must show 1 and 2: paths with exclude and a junit report reach GitLab
// as a zip of exactly dist/a.bin (content checked, metadata agreeing) and
// a gzip report, after a job request that advertised the features; a
// second job gets dist/a.bin before its script, served by the coordinator
// and then redirected to the storage stand-in, which sees no job token.
func TestRunArtifactsUploadAndDependencies(t *testing.T) {
	r := startArtifactsRun(t)
	build := r.job("build", []string{
		"mkdir -p dist",
		"yes kuberunner-artifact | head -c 1048576 > dist/a.bin",
		"echo log > dist/skip.log",
		"echo '<testsuites/>' > report.xml",
	},
		common.JobArtifact{Name: "artifacts", Paths: []string{"dist/"}, Exclude: []string{"dist/*.log"}, When: "on_success", ArtifactType: "archive", ArtifactFormat: "zip", ExpireIn: "1 week"},
		common.JobArtifact{Name: "junit", Paths: []string{"report.xml"}, When: "always", ArtifactType: "junit", ArtifactFormat: "gzip"},
	)
	buildID, rec := r.run(build)
	require.Equal(t, "success", rec.State)
	requireFeaturesAdvertised(t, r.srv)

	arts := r.srv.Artifacts(buildID)
	require.Len(t, arts, 2)
	assert.Equal(t, "archive", arts[0].Type)
	assert.Equal(t, "1 week", arts[0].ExpireIn)
	assert.NotNil(t, arts[0].Metadata)
	assert.Empty(t, arts[0].Problems)
	files := fileEntries(t, arts[0])
	require.Len(t, files, 1, "exactly dist/a.bin: %v", files)
	assert.Equal(t, sha256Hex(aBin), files["dist/a.bin"].SHA256)
	assert.Equal(t, "junit", arts[1].Type)
	assert.Equal(t, "gzip", arts[1].Format)
	members, err := arts[1].GzipMembers()
	require.NoError(t, err)
	assert.Equal(t, []coordinator.GzipMember{{Name: "report.xml", Content: []byte("<testsuites/>\n")}}, members)
	trace := string(rec.Trace)
	inOrder(t, trace, "dist/: found", "dist/*.log: excluded 1 files", `Uploading artifacts as "artifacts" (archive, zip) to coordinator: 1 files, 1.0 MiB, 1 directories`,
		"(201 Created, 1 attempt)", `Uploading artifacts as "junit" (junit, gzip)`)

	storage := coordinator.NewStorage(t, clustertest.PodReachableAddress(t))
	for _, redirect := range []bool{false, true} {
		if redirect {
			r.srv.RedirectDownloads(storage)
		}
		// $((...)) keeps the markers out of the echoed commands.
		test := r.job("test", []string{"sha256sum dist/a.bin", "head -c 19 dist/a.bin; echo", `test ! -e dist/skip.log && echo "skip-log-$((1+1))-absent"`})
		test.Dependencies = []common.JobDependency{dependsOn(buildID, "build", test.Token, arts[0])}
		_, rec := r.run(test)
		require.Equal(t, "success", rec.State, "redirect %v", redirect)
		trace := string(rec.Trace)
		inOrder(t, trace, `Downloading artifacts for "build" (job `, "Downloaded artifacts for", sha256Hex(aBin)+"  dist/a.bin", "kuberunner-artifact", "skip-log-2-absent")
		if redirect {
			assert.Contains(t, trace, "(object storage, without the job token)")
		}
	}
	assert.Equal(t, 1, storage.Requests(), "the redirected download went to the storage stand-in")
	assert.Zero(t, storage.JobTokens(), "no job token reached object storage")
	r.requireNothingLeft()
}

// requireFeaturesAdvertised checks the first job request's features.
func requireFeaturesAdvertised(t *testing.T, srv *coordinator.Server) {
	t.Helper()
	reqs := srv.RequestsTo(coordinator.PathJobsRequest)
	require.NotEmpty(t, reqs)
	var body struct {
		Info struct {
			Features map[string]bool `json:"features"`
		} `json:"info"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
	for _, f := range []string{"artifacts", "upload_multiple_artifacts", "upload_raw_artifacts", "artifacts_exclude"} {
		assert.True(t, body.Info.Features[f], f)
	}
}

// Must show 3: when on_failure uploads only after a failed script, when
// always after both.
func TestRunArtifactsWhen(t *testing.T) {
	r := startArtifactsRun(t)
	arts := []common.JobArtifact{
		{Name: "onfailure", Paths: []string{"out.txt"}, When: "on_failure", ArtifactType: "archive", ArtifactFormat: "zip"},
		{Name: "always", Paths: []string{"out.txt"}, When: "always", ArtifactType: "archive", ArtifactFormat: "zip"},
	}
	tests := []struct {
		name   string
		script []string
		state  string
		want   []string
	}{
		{"script succeeds", []string{"echo ok > out.txt"}, "success", []string{"always.zip"}},
		{"script fails", []string{"echo ok > out.txt", "exit 3"}, "failed", []string{"onfailure.zip", "always.zip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, rec := r.run(r.job("when", tt.script, arts...))
			assert.Equal(t, tt.state, rec.State)
			var got []string
			for _, a := range r.srv.Artifacts(id) {
				got = append(got, a.Filename)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	r.requireNothingLeft()
}

// Must show 4: a path out of the project directory and a symlink to /etc
// are refused and named; a dependency's zip with a ../ entry is refused
// and fails the job before its script; a dependency GitLab has nothing
// for fails the job as missing_dependency_failure.
func TestRunArtifactsRefusals(t *testing.T) {
	r := startArtifactsRun(t)
	id, rec := r.run(r.job("refusals", []string{"ln -s /etc etclink", "echo ok > ok.txt"},
		common.JobArtifact{Name: "artifacts", Paths: []string{"../../etc/passwd", "etclink", "etclink/passwd", "ok.txt"}, ArtifactType: "archive", ArtifactFormat: "zip"}))
	require.Equal(t, "success", rec.State)
	trace := string(rec.Trace)
	assert.Contains(t, trace, "WARNING: ../../etc/passwd is outside the project directory: not uploaded")
	assert.Contains(t, trace, "WARNING: etclink is a symlink that leads out of the project directory: not uploaded")
	arts := r.srv.Artifacts(id)
	require.Len(t, arts, 1)
	files := fileEntries(t, arts[0])
	assert.Len(t, files, 1)
	assert.Contains(t, files, "ok.txt")

	var evil bytes.Buffer
	zw := zip.NewWriter(&evil)
	for _, name := range []string{"fine.txt", "../evil.txt"} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = w.Write([]byte("x"))
	}
	require.NoError(t, zw.Close())
	r.srv.StoreArchive(424242, evil.Bytes())
	bad := r.job("evil", []string{`echo "ran-$((40+2))"`})
	bad.Dependencies = []common.JobDependency{{ID: 424242, Name: "evil", Token: bad.Token, ArtifactsFile: &common.DependencyArtifactsFile{Filename: "artifacts.zip", Size: int64(evil.Len())}}}
	_, rec = r.run(bad)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "script_failure", rec.FailureReason)
	assert.Contains(t, string(rec.Trace), `archive entry "../evil.txt"`)
	assert.NotContains(t, string(rec.Trace), "ran-42", "the script did not run")

	missing := r.job("missing", []string{`echo "ran-$((40+2))"`})
	missing.Dependencies = []common.JobDependency{{ID: 434343, Name: "gone", Token: missing.Token, ArtifactsFile: &common.DependencyArtifactsFile{Filename: "artifacts.zip", Size: 10}}}
	_, rec = r.run(missing)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "missing_dependency_failure", rec.FailureReason)
	assert.Contains(t, string(rec.Trace), "GitLab has none (404)")
	assert.NotContains(t, string(rec.Trace), "ran-42")
	r.requireNothingLeft()
}

// Must show 5: a 200 MiB artifact uploads from a helper limited to 64 Mi,
// and the runner's RSS stays under 100 MiB meanwhile.
func TestRunArtifactsLargeWithSmallHelper(t *testing.T) {
	r := startArtifactsRun(t, `    helper_memory_limit = "64Mi"`)
	const size = 200 << 20
	job := r.job("large", []string{fmt.Sprintf("head -c %d /dev/urandom > big.bin", size)},
		common.JobArtifact{Name: "artifacts", Paths: []string{"big.bin"}, ArtifactType: "archive", ArtifactFormat: "zip"})
	id := r.srv.Enqueue(job)
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if kib, err := rssKiB(r.daemon.Process.Pid); err == nil && kib > peak.Load() {
				peak.Store(kib)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	rec := r.finished(id, job.Token)
	close(stop)
	<-sampled
	t.Logf("runner RSS peak while the job ran: %d KiB", peak.Load())
	require.Equal(t, "success", rec.State)
	assert.Contains(t, string(rec.Trace), "1 files, 200.0 MiB")
	arts := r.srv.Artifacts(id)
	require.Len(t, arts, 1)
	files := fileEntries(t, arts[0])
	assert.Equal(t, uint64(size), files["big.bin"].Size)
	assert.Less(t, peak.Load(), int64(100<<10), "runner RSS under 100 MiB")
	assert.Positive(t, peak.Load())
	r.requireNothingLeft()
}

// rssKiB reads VmRSS of process pid.
func rssKiB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// Must show 6: a 413 fails the job with a line that gives the size (and
// the coordinator's limit); two 502s and then a 201: the job succeeds.
func TestRunArtifactsTooLargeAndRetries(t *testing.T) {
	r := startArtifactsRun(t)
	arts := common.JobArtifact{Name: "artifacts", Paths: []string{"big.bin"}, ArtifactType: "archive", ArtifactFormat: "zip"}
	script := []string{"head -c 1048576 /dev/urandom > big.bin"}

	r.srv.SetArtifactsLimit(512 << 10)
	_, rec := r.run(r.job("toolarge", script, arts))
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "script_failure", rec.FailureReason)
	trace := string(rec.Trace)
	assert.Contains(t, trace, "too large for GitLab (413): the artifact holds 1 files, 1.0 MiB")
	assert.Contains(t, trace, "limit of 524288 bytes")

	r.srv.SetArtifactsLimit(0)
	job := r.job("retried", script, arts)
	id := r.srv.Enqueue(job)
	r.srv.Inject(coordinator.EndpointArtifactsUpload, coordinator.Fault{Status: 502, Times: 2, JobID: id})
	rec = r.finished(id, job.Token)
	assert.Equal(t, "success", rec.State)
	trace = string(rec.Trace)
	assert.Equal(t, 2, strings.Count(trace, "GitLab request failed; retrying"), trace)
	assert.Contains(t, trace, "(201 Created, 3 attempts)")
	require.Len(t, r.srv.Artifacts(id), 1)
	r.requireNothingLeft()
}
