package coordinator

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

// startedJob queues job and has a runner take it.
func startedJob(t *testing.T, s *Server, job common.Job) int64 {
	t.Helper()
	id := s.Enqueue(job)
	require.Equal(t, http.StatusCreated, requestJob(t, s, "runner-a").StatusCode)
	return id
}

// multipartBody is an upload body: file, and metadata unless nil.
func multipartBody(t *testing.T, file, metadata []byte) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "artifacts.zip")
	require.NoError(t, err)
	_, _ = fw.Write(file)
	if metadata != nil {
		mw2, err := mw.CreateFormFile("metadata", "metadata.gz")
		require.NoError(t, err)
		_, _ = mw2.Write(metadata)
	}
	require.NoError(t, mw.Close())
	return mw.FormDataContentType(), &buf
}

func postArtifact(t *testing.T, s *Server, id int64, token, query string, file, metadata []byte) int {
	ct, body := multipartBody(t, file, metadata)
	req, err := http.NewRequest("POST", s.URL+PathArtifacts(id)+"?"+query, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("JOB-TOKEN", token)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func testZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("dist/a.bin")
	require.NoError(t, err)
	_, _ = w.Write([]byte("abc"))
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// metadataFor writes the metadata file of one entry with the given CRC.
func metadataFor(name string, crc uint32, size int) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	for _, s := range []string{metadataVersion, "{}", name, fmt.Sprintf(`{"crc":%d,"size":%d,"zipped":%d}`+"\n", crc, size, size)} {
		_ = binary.Write(gz, binary.BigEndian, uint32(len(s)))
		_, _ = gz.Write([]byte(s))
	}
	_ = gz.Close()
	return buf.Bytes()
}

func TestArtifactsUpload(t *testing.T) {
	s := New(t, "runner-a")
	id := startedJob(t, s, common.Job{Features: common.JobFeatures{ArtifactsMetadata: true}})
	z := testZip(t)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	require.NoError(t, err)
	f := zr.File[0]

	assert.Equal(t, http.StatusForbidden, postArtifact(t, s, id, "wrong", "artifact_type=archive&artifact_format=zip", z, nil))
	assert.Equal(t, http.StatusCreated, postArtifact(t, s, id, "job-token-"+fmt.Sprint(id), "artifact_type=archive&artifact_format=zip",
		z, metadataFor("dist/a.bin", f.CRC32, int(f.CompressedSize64))))
	arts := s.Artifacts(id)
	require.Len(t, arts, 1)
	assert.NotEmpty(t, arts[0].Problems, "size and zipped differ for a stored entry: the metadata says %d for both", f.CompressedSize64)

	assert.Equal(t, http.StatusCreated, postArtifact(t, s, id, "job-token-"+fmt.Sprint(id), "artifact_type=archive&artifact_format=zip", z, nil))
	arts = s.Artifacts(id)
	assert.Equal(t, []string{"no metadata part, though the job asked for one"}, arts[1].Problems)
	entries, err := arts[1].Entries()
	require.NoError(t, err)
	assert.Equal(t, "abc", string(entries[0].Content))
}

func TestArtifactsUploadMetadataAgrees(t *testing.T) {
	s := New(t, "runner-a")
	id := startedJob(t, s, common.Job{Features: common.JobFeatures{ArtifactsMetadata: true}})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Store})
	_, _ = w.Write([]byte("abc"))
	require.NoError(t, zw.Close())
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	assert.Equal(t, http.StatusCreated, postArtifact(t, s, id, fmt.Sprintf("job-token-%d", id), "artifact_type=archive&artifact_format=zip",
		buf.Bytes(), metadataFor("x", zr.File[0].CRC32, 3)))
	assert.Empty(t, s.Artifacts(id)[0].Problems)
	assert.Empty(t, s.Violations())
}

func TestArtifactsGzipAndDownload(t *testing.T) {
	s := New(t, "runner-a")
	id := startedJob(t, s, common.Job{})
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Name = "report.xml"
	_, _ = gz.Write([]byte("<xml/>"))
	require.NoError(t, gz.Close())
	tok := fmt.Sprintf("job-token-%d", id)
	assert.Equal(t, http.StatusCreated, postArtifact(t, s, id, tok, "artifact_type=junit&artifact_format=gzip", buf.Bytes(), nil))
	members, err := s.Artifacts(id)[0].GzipMembers()
	require.NoError(t, err)
	assert.Equal(t, []GzipMember{{Name: "report.xml", Content: []byte("<xml/>")}}, members)

	s.StoreArchive(1, []byte("zip"))
	assert.Equal(t, http.StatusForbidden, do(t, s, "GET", PathArtifacts(1), map[string]string{"JOB-TOKEN": "nobody"}, "").StatusCode)
	assert.Equal(t, http.StatusOK, do(t, s, "GET", PathArtifacts(1), map[string]string{"JOB-TOKEN": tok}, "").StatusCode)
	assert.Equal(t, http.StatusNotFound, do(t, s, "GET", PathArtifacts(2), map[string]string{"JOB-TOKEN": tok}, "").StatusCode)
	st := NewStorage(t, "")
	s.RedirectDownloads(st)
	resp := do(t, s, "GET", PathArtifacts(1)+"?direct_download=true", map[string]string{"JOB-TOKEN": tok}, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, st.Requests())
	assert.Equal(t, 1, st.JobTokens(), "Go's client keeps a custom header across hosts; the storage counts it")
}
