package commands

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"kuberunner/common"
	"kuberunner/helpers/artifacts"
	"kuberunner/test/coordinator"
)

// artifactsRig is a coordinator with a running job and a builds root
// with its project directory.
type artifactsRig struct {
	srv       *coordinator.Server
	job       *common.Job
	root, dir string
}

func newArtifactsRig(t testing.TB, files map[string]string) *artifactsRig {
	t.Helper()
	srv := coordinator.New(t, "tok")
	id := srv.Enqueue(common.Job{Features: common.JobFeatures{ArtifactsMetadata: true}})
	req, err := http.NewRequest("POST", srv.URL+coordinator.PathJobsRequest,
		strings.NewReader(`{"token":"tok","system_id":"s_0123456789ab","info":{}}`))
	require.NoError(t, err)
	req.Header.Set("RUNNER-TOKEN", "tok")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	root := t.TempDir()
	dir := filepath.Join(root, "group", "project")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if target, ok := strings.CutPrefix(content, "->"); ok {
			require.NoError(t, os.Symlink(target, p))
			continue
		}
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return &artifactsRig{srv: srv, job: &common.Job{ID: id, Token: fmt.Sprintf("job-token-%d", id)}, root: root, dir: dir}
}

func (r *artifactsRig) target(jobID int64) artifacts.Target {
	return artifacts.Target{URL: r.srv.URL, JobID: jobID, Token: r.job.Token}
}

// run runs the helper subcommand on req and returns its exit status and
// what it printed.
func (r *artifactsRig) run(t testing.TB, kind string, req any) (int, string) {
	t.Helper()
	body, err := json.Marshal(req)
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	code := runHelperArtifacts(t.Context(), kind, []string{"--builds-root", r.root}, bytes.NewReader(body), &out, &errOut)
	return code, out.String() + errOut.String()
}

func (r *artifactsRig) upload(paths, exclude []string, typ string, format artifacts.Format) artifacts.UploadRequest {
	return artifacts.UploadRequest{Target: r.target(r.job.ID), Dir: r.dir, Name: "artifacts", Type: typ, Format: format,
		Paths: paths, Exclude: exclude, Metadata: format == artifacts.FormatZip, ExpireIn: "1 day"}
}

func TestHelperArtifactsUpload(t *testing.T) {
	r := newArtifactsRig(t, map[string]string{"dist/a.bin": "AAA", "dist/skip.log": "log", "report.xml": "<x/>", "etc": "->/etc"})
	code, out := r.run(t, "artifacts-upload", r.upload([]string{"dist/", "../../etc/passwd", "etc", "nope"}, []string{"dist/*.log"}, "archive", artifacts.FormatZip))
	require.Equal(t, 0, code, out)
	for _, want := range []string{
		"dist/: found 2 matching artifact files and directories",
		"WARNING: ../../etc/passwd is outside the project directory: not uploaded",
		"WARNING: etc is a symlink that leads out of the project directory: not uploaded",
		"WARNING: nope: no matching files",
		"dist/*.log: excluded 1 files and directories",
		`Uploading artifacts as "artifacts" (archive, zip) to coordinator: 1 files, 3 B, 1 directories`,
		"(201 Created, 1 attempt)",
	} {
		assert.Contains(t, out, want)
	}
	code, out = r.run(t, "artifacts-upload", r.upload([]string{"report.xml"}, nil, "junit", artifacts.FormatGzip))
	require.Equal(t, 0, code, out)

	arts := r.srv.Artifacts(r.job.ID)
	require.Len(t, arts, 2)
	entries, err := arts[0].Entries()
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"dist/", "dist/a.bin"}, names)
	assert.Equal(t, "AAA", string(entries[1].Content))
	assert.Empty(t, arts[0].Problems)
	assert.Equal(t, "artifacts.zip", arts[0].Filename)
	members, err := arts[1].GzipMembers()
	require.NoError(t, err)
	assert.Equal(t, []coordinator.GzipMember{{Name: "report.xml", Content: []byte("<x/>")}}, members)
	assert.Empty(t, r.srv.Violations())
}

func TestHelperArtifactsUploadFailures(t *testing.T) {
	saved := artifactsRetry
	artifactsRetry.Backoff = wait.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 10}
	t.Cleanup(func() { artifactsRetry = saved })
	tests := []struct {
		name   string
		setup  func(*artifactsRig)
		req    func(*artifactsRig) artifacts.UploadRequest
		code   int
		output string
	}{
		{"nothing to upload", nil,
			func(r *artifactsRig) artifacts.UploadRequest {
				return r.upload([]string{"nope/"}, nil, "archive", artifacts.FormatZip)
			}, 0, "WARNING: No files to upload"},
		{"raw of two files", nil,
			func(r *artifactsRig) artifacts.UploadRequest {
				return r.upload([]string{"*.bin"}, nil, "dotenv", artifacts.FormatRaw)
			}, artifacts.ExitJobFault, "a raw artifact is exactly one file"},
		{"too large", func(r *artifactsRig) { r.srv.SetArtifactsLimit(10) },
			func(r *artifactsRig) artifacts.UploadRequest {
				return r.upload([]string{"*.bin"}, nil, "archive", artifacts.FormatZip)
			}, artifacts.ExitJobFault, "too large for GitLab (413): the artifact holds 2 files, 2.0 KiB"},
		{"5xx past the bound", func(r *artifactsRig) {
			r.srv.Inject(coordinator.EndpointArtifactsUpload, coordinator.Fault{Status: http.StatusServiceUnavailable, Times: 5, Header: coordinator.RetryAfter(0)})
		}, func(r *artifactsRig) artifacts.UploadRequest {
			return r.upload([]string{"*.bin"}, nil, "archive", artifacts.FormatZip)
		}, 1, "gave up after 5 attempts"},
		{"project directory elsewhere", nil,
			func(r *artifactsRig) artifacts.UploadRequest {
				req := r.upload([]string{"*"}, nil, "archive", artifacts.FormatZip)
				req.Dir = "/etc"
				return req
			}, artifacts.ExitJobFault, "not below"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newArtifactsRig(t, map[string]string{"a.bin": strings.Repeat("a", 1024), "b.bin": strings.Repeat("b", 1024)})
			if tt.setup != nil {
				tt.setup(r)
			}
			code, out := r.run(t, "artifacts-upload", tt.req(r))
			assert.Equal(t, tt.code, code, out)
			assert.Contains(t, out, tt.output)
			assert.NotContains(t, out, r.job.Token)
		})
	}
}

// zipBytes is a zip of name → content.
func zipBytes(t *testing.T, files ...[2]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f[0])
		require.NoError(t, err)
		_, _ = w.Write([]byte(f[1]))
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestHelperArtifactsDownload(t *testing.T) {
	tests := []struct {
		name     string
		archive  []byte // nil: none stored
		redirect bool
		code     int
		output   string
		file     string // the file that must then hold "AAA"; "" for none
	}{
		{"served", zipBytes(t, [2]string{"dist/a.bin", "AAA"}), false, 0, `Downloaded artifacts for "build" (job 500): 143 B from 127.0.0.1`, "dist/a.bin"},
		{"redirected", zipBytes(t, [2]string{"dist/a.bin", "AAA"}), true, 0, "(object storage, without the job token)", "dist/a.bin"},
		{"missing", nil, false, artifacts.ExitMissing, "GitLab has none (404)", ""},
		{"climbing entry", zipBytes(t, [2]string{"ok", "AAA"}, [2]string{"../../../evil", "x"}), false, artifacts.ExitJobFault, `archive entry "../../../evil"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newArtifactsRig(t, nil)
			if tt.archive != nil {
				r.srv.StoreArchive(500, tt.archive)
			}
			st := coordinator.NewStorage(t, "")
			if tt.redirect {
				r.srv.RedirectDownloads(st)
			}
			code, out := r.run(t, "artifacts-download", artifacts.DownloadRequest{Target: r.target(500), Name: "build", Dir: r.dir})
			assert.Equal(t, tt.code, code, out)
			assert.Contains(t, out, tt.output)
			assert.Zero(t, st.JobTokens())
			if tt.file != "" {
				got, err := os.ReadFile(filepath.Join(r.dir, tt.file))
				require.NoError(t, err)
				assert.Equal(t, "AAA", string(got))
			}
			left, _ := os.ReadDir(filepath.Dir(r.dir))
			assert.Len(t, left, 1, "the download's temporary file is gone")
			_, err := os.Stat(filepath.Join(r.root, "evil"))
			assert.True(t, os.IsNotExist(err))
		})
	}
}
