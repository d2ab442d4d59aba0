package network

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

// jobClient is a job's client of srv: no runner token.
func jobClient(t *testing.T, srv *coordinator.Server) *Client {
	t.Helper()
	c, err := NewJobClient(Config{
		URL: srv.URL, HTTPClient: srv.Client(), Clock: coordinator.NewAutoClock(clockStart),
		Retry: RetryPolicy{Backoff: noJitter, MaxAttempts: 3},
	})
	require.NoError(t, err)
	return c
}

// runningJob has a runner take job from srv and returns it.
func runningJob(t *testing.T, srv *coordinator.Server, job common.Job) *common.Job {
	t.Helper()
	return takeJob(t, srv, newClient(t, srv, nil, runnerToken), job)
}

// zipOf is a zip of name → content, and how often it was built.
func zipOf(files map[string]string, builds *atomic.Int32) func(io.Writer) ([]byte, error) {
	return func(w io.Writer) ([]byte, error) {
		builds.Add(1)
		zw := zip.NewWriter(w)
		for name, content := range files {
			f, err := zw.Create(name)
			if err != nil {
				return nil, err
			}
			if _, err := io.WriteString(f, content); err != nil {
				return nil, err
			}
		}
		return nil, zw.Close()
	}
}

func upload(job *common.Job, write func(io.Writer) ([]byte, error)) ArtifactUpload {
	return ArtifactUpload{JobID: job.ID, Token: job.Token, Filename: "artifacts.zip", Type: "archive", Format: "zip", ExpireIn: "1 week", Write: write}
}

func TestUploadArtifact(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	job := runningJob(t, srv, common.Job{})
	var builds atomic.Int32
	tr, err := jobClient(t, srv).UploadArtifact(t.Context(), upload(job, zipOf(map[string]string{"dist/a.bin": "abc"}, &builds)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, tr.Status)
	assert.False(t, tr.Redirected)
	assert.Equal(t, 1, tr.Attempts)

	arts := srv.Artifacts(job.ID)
	require.Len(t, arts, 1)
	assert.Equal(t, "archive", arts[0].Type)
	assert.Equal(t, "1 week", arts[0].ExpireIn)
	assert.Equal(t, tr.Bytes, arts[0].Size)
	entries, err := arts[0].Entries()
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "dist/a.bin", entries[0].Name)
	assert.Equal(t, "abc", string(entries[0].Content))
	assert.Empty(t, srv.Violations())
}

func TestUploadArtifactRetries(t *testing.T) {
	tests := []struct {
		name     string
		faults   int
		status   int
		wantErr  error
		attempts int
	}{
		{"two 502s then 201", 2, http.StatusBadGateway, nil, 3},
		{"502s past the bound", 5, http.StatusBadGateway, &GiveUpError{}, 3},
		{"413 is not retried", 1, http.StatusRequestEntityTooLarge, ErrTooLarge, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			job := runningJob(t, srv, common.Job{})
			srv.Inject(coordinator.EndpointArtifactsUpload, coordinator.Fault{Status: tt.status, Times: tt.faults})
			var builds atomic.Int32
			tr, err := jobClient(t, srv).UploadArtifact(t.Context(), upload(job, zipOf(map[string]string{"a": "1"}, &builds)))
			assert.Equal(t, tt.attempts, tr.Attempts)
			assert.Equal(t, int32(tt.attempts), builds.Load(), "the artifact is built again for each try")
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, err)
			case *GiveUpError:
				require.ErrorAs(t, err, &want)
			default:
				require.ErrorIs(t, err, want)
			}
		})
	}
}

func TestUploadArtifactOverTheLimit(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	job := runningJob(t, srv, common.Job{})
	srv.SetArtifactsLimit(1000)
	big := strings.Repeat("x", 1<<20)
	write := func(w io.Writer) ([]byte, error) {
		_, err := io.WriteString(w, big) // raw: no compression
		return nil, err
	}
	up := upload(job, write)
	up.Format = "raw"
	_, err := jobClient(t, srv).UploadArtifact(t.Context(), up)
	require.ErrorIs(t, err, ErrTooLarge)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Body, "limit of 1000 bytes")
}

func TestUploadArtifactSourceErrorIsNotRetried(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	job := runningJob(t, srv, common.Job{})
	broken := errors.New("permission denied")
	n := 0
	_, err := jobClient(t, srv).UploadArtifact(t.Context(), upload(job, func(w io.Writer) ([]byte, error) {
		n++
		_, _ = io.WriteString(w, "partial")
		return nil, broken
	}))
	var se *ArtifactSourceError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, broken)
	assert.Equal(t, 1, n)
	assert.Empty(t, srv.Artifacts(job.ID))
}

// A 307 to another origin (object storage) is followed with the body
// built again and without the job token.
func TestUploadArtifactRedirectDropsToken(t *testing.T) {
	var storageTokens, storageBytes atomic.Int64
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("JOB-TOKEN") != "" {
			storageTokens.Add(1)
		}
		n, _ := io.Copy(io.Discard, r.Body)
		storageBytes.Add(n)
		w.WriteHeader(http.StatusCreated)
	}))
	defer storage.Close()
	gitlab := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "tok", r.Header.Get("JOB-TOKEN"))
		http.Redirect(w, r, storage.URL+"/upload", http.StatusTemporaryRedirect)
	}))
	defer gitlab.Close()
	c, err := NewJobClient(Config{URL: gitlab.URL, Clock: coordinator.NewAutoClock(clockStart)})
	require.NoError(t, err)
	var builds atomic.Int32
	tr, err := c.UploadArtifact(t.Context(), upload(&common.Job{ID: 9, Token: "tok"}, zipOf(map[string]string{"a": "1"}, &builds)))
	require.NoError(t, err)
	assert.True(t, tr.Redirected)
	assert.Zero(t, storageTokens.Load())
	assert.Positive(t, storageBytes.Load())
	assert.Equal(t, int32(2), builds.Load())
}

func TestDownloadArtifacts(t *testing.T) {
	for _, redirect := range []bool{false, true} {
		t.Run(map[bool]string{false: "served by GitLab", true: "redirected to storage"}[redirect], func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			job := runningJob(t, srv, common.Job{})
			srv.StoreArchive(77, []byte("zip bytes"))
			st := coordinator.NewStorage(t, "")
			if redirect {
				srv.RedirectDownloads(st)
			}
			f, err := os.Create(filepath.Join(t.TempDir(), "a.zip"))
			require.NoError(t, err)
			defer f.Close()
			_, _ = f.WriteString("left from an earlier try, longer than the archive")
			tr, err := jobClient(t, srv).DownloadArtifacts(t.Context(), 77, job.Token, f)
			require.NoError(t, err)
			got, _ := os.ReadFile(f.Name())
			assert.Equal(t, "zip bytes", string(got))
			assert.Equal(t, int64(9), tr.Bytes)
			assert.Equal(t, redirect, tr.Redirected)
			assert.Equal(t, map[bool]int{false: 0, true: 1}[redirect], st.Requests())
			assert.Zero(t, st.JobTokens(), "no job token reaches object storage")
		})
	}
}

func TestDownloadArtifactsFailures(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	job := runningJob(t, srv, common.Job{})
	c := jobClient(t, srv)
	dst := func() *os.File {
		f, err := os.Create(filepath.Join(t.TempDir(), "a.zip"))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	_, err := c.DownloadArtifacts(t.Context(), 404404, job.Token, dst())
	require.ErrorIs(t, err, ErrNotFound)

	_, err = c.DownloadArtifacts(t.Context(), 404404, "not-a-running-job", dst())
	require.ErrorIs(t, err, ErrForbidden)

	srv.StoreArchive(5, []byte("ok"))
	srv.Inject(coordinator.EndpointArtifactsDownload, coordinator.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	f := dst()
	tr, err := c.DownloadArtifacts(t.Context(), 5, job.Token, f)
	require.NoError(t, err)
	assert.Equal(t, 3, tr.Attempts)
	got, _ := os.ReadFile(f.Name())
	assert.True(t, bytes.Equal([]byte("ok"), got))
}
