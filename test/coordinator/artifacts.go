package coordinator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

// PathArtifacts is the artifacts endpoint of job id.
func PathArtifacts(id int64) string { return fmt.Sprintf("/api/v4/jobs/%d/artifacts", id) }

// maxMetadata bounds a metadata part, held in memory.
const maxMetadata = 16 << 20

// Artifact is one upload the server stored.
type Artifact struct {
	JobID                  int64
	Type, Format, ExpireIn string
	// Filename is the file part's file name.
	Filename string
	// Path is the stored file, Size its length.
	Path string
	Size int64
	// Metadata is the metadata part as sent, nil when none was.
	Metadata []byte
	// Problems is what the server's checks found wrong with it (also
	// recorded as violations).
	Problems []string
}

// artifactStore is the server's artifacts: the uploads on disk and how
// downloads are answered. Guarded by the server's mu.
type artifactStore struct {
	dir   string
	n     int
	limit int64 // 0: no limit
	// storage, when set, is where downloads asking for direct_download
	// are redirected.
	storage *Storage
	byJob   map[int64][]Artifact
}

// SetArtifactsLimit makes uploads over limit bytes answered 413, with a
// message that names the limit, as soon as they pass it; 0 removes it.
func (s *Server) SetArtifactsLimit(limit int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.artifacts.limit = limit
}

// RedirectDownloads makes a download with direct_download=true answered
// 302 to st, which then serves the archive; nil serves them again.
func (s *Server) RedirectDownloads(st *Storage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.artifacts.storage = st
}

// Artifacts lists what job id uploaded, in order.
func (s *Server) Artifacts(id int64) []Artifact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Artifact(nil), s.artifacts.byJob[id]...)
}

// StoreArchive makes data job id's archive, as if that job had uploaded
// it: for a dependency whose archive a test crafts. The job needs not
// exist.
func (s *Server) StoreArchive(id int64, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.artifacts.newPath()
	if err := os.WriteFile(p, data, 0o600); err != nil {
		panic(fmt.Sprintf("coordinator: storing an archive: %v", err))
	}
	s.artifacts.add(Artifact{JobID: id, Type: "archive", Format: "zip", Filename: "artifacts.zip", Path: p, Size: int64(len(data))})
}

// newPath is a fresh file name in the store; s.mu must be held.
func (a *artifactStore) newPath() string {
	a.n++
	return filepath.Join(a.dir, "artifact-"+strconv.Itoa(a.n))
}

// add records an artifact; s.mu must be held.
func (a *artifactStore) add(art Artifact) {
	if a.byJob == nil {
		a.byJob = map[int64][]Artifact{}
	}
	a.byJob[art.JobID] = append(a.byJob[art.JobID], art)
}

// archive is job id's last archive; s.mu must be held.
func (a *artifactStore) archive(id int64) (Artifact, bool) {
	list := a.byJob[id]
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Type == "archive" {
			return list[i], true
		}
	}
	return Artifact{}, false
}

// handleArtifactsUpload takes POST /jobs/:id/artifacts: the job's own
// token in JOB-TOKEN, the job running, a multipart body with the file
// and, when the job asked for it, the metadata. The file is streamed to
// disk and checked, then answered 201.
func (s *Server) handleArtifactsUpload(w http.ResponseWriter, r *http.Request) {
	art, wantMeta, ok := s.admitUpload(w, r)
	if !ok {
		return
	}
	limit, err := s.receive(r, &art)
	var tooLarge *tooLargeError
	switch {
	case errors.As(err, &tooLarge):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": fmt.Sprintf("413 Request Entity Too Large: the artifact is larger than the limit of %d bytes", limit)})
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	art.Problems = checkArtifact(art, wantMeta)
	s.mu.Lock()
	for _, p := range art.Problems {
		s.violate(fmt.Sprintf("job %d: artifact %s: %s", art.JobID, art.Filename, p))
	}
	s.artifacts.add(art)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, `{"id":`+strconv.FormatInt(art.JobID, 10)+`}`)
}

// admitUpload checks the job and its token and takes a fault if one is
// queued; ok is false when it has answered.
func (s *Server) admitUpload(w http.ResponseWriter, r *http.Request) (art Artifact, wantMeta, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobFor(w, r)
	if j == nil {
		return art, false, false
	}
	if r.Header.Get("JOB-TOKEN") != j.Token || j.finished {
		w.WriteHeader(http.StatusForbidden)
		return art, false, false
	}
	if f := s.takeFault(EndpointArtifactsUpload, j.ID); f != nil {
		writeFault(w, f)
		return art, false, false
	}
	q := r.URL.Query()
	art = Artifact{JobID: j.ID, Type: q.Get("artifact_type"), Format: q.Get("artifact_format"), ExpireIn: q.Get("expire_in"), Path: s.artifacts.newPath()}
	var p struct {
		Features struct {
			ArtifactsMetadata bool `json:"artifacts_metadata"`
		} `json:"features"`
	}
	_ = json.Unmarshal(j.payload, &p)
	return art, p.Features.ArtifactsMetadata, true
}

// tooLargeError is an upload past the limit.
type tooLargeError struct{}

func (*tooLargeError) Error() string { return "over the limit" }

// receive streams the multipart body: the file part to art.Path, the
// metadata part into memory.
func (s *Server) receive(r *http.Request, art *Artifact) (int64, error) {
	s.mu.Lock()
	limit := s.artifacts.limit
	s.mu.Unlock()
	mr, err := r.MultipartReader()
	if err != nil {
		return limit, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return limit, err
		}
		if err := receivePart(part, art, limit); err != nil {
			return limit, err
		}
	}
	if art.Filename == "" {
		return limit, errors.New("no file part")
	}
	return limit, nil
}

func receivePart(part *multipart.Part, art *Artifact, limit int64) error {
	switch part.FormName() {
	case "file":
		art.Filename = part.FileName()
		return saveFile(part, art, limit)
	case "metadata":
		data, err := io.ReadAll(io.LimitReader(part, maxMetadata))
		art.Metadata = data
		return err
	}
	return fmt.Errorf("unexpected part %q", part.FormName())
}

func saveFile(part io.Reader, art *Artifact, limit int64) error {
	f, err := os.Create(art.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	src := part
	if limit > 0 {
		src = io.LimitReader(part, limit+1)
	}
	art.Size, err = io.Copy(f, src)
	if err == nil && limit > 0 && art.Size > limit {
		return &tooLargeError{}
	}
	return err
}

// handleArtifactsDownload takes GET /jobs/:id/artifacts: the token of a
// running job (GitLab gives a job its own token for its dependencies),
// the dependency's archive served, or with direct_download=true and a
// Storage set, a 302 to it.
func (s *Server) handleArtifactsDownload(w http.ResponseWriter, r *http.Request) {
	art, storage, ok := s.admitDownload(w, r)
	if !ok {
		return
	}
	if storage != nil && r.URL.Query().Get("direct_download") == "true" {
		http.Redirect(w, r, storage.put(art.Path), http.StatusFound)
		return
	}
	serveFile(w, art.Path)
}

func (s *Server) admitDownload(w http.ResponseWriter, r *http.Request) (Artifact, *Storage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return Artifact{}, nil, false
	}
	if !s.runningToken(r.Header.Get("JOB-TOKEN")) {
		w.WriteHeader(http.StatusForbidden)
		return Artifact{}, nil, false
	}
	if f := s.takeFault(EndpointArtifactsDownload, id); f != nil {
		writeFault(w, f)
		return Artifact{}, nil, false
	}
	art, ok := s.artifacts.archive(id)
	if !ok {
		http.NotFound(w, r)
		return Artifact{}, nil, false
	}
	return art, s.artifacts.storage, true
}

// runningToken reports whether token is a running job's; s.mu must be held.
func (s *Server) runningToken(token string) bool {
	for _, j := range s.jobs {
		if token != "" && j.Token == token && j.started && !j.finished {
			return true
		}
	}
	return false
}

func serveFile(w http.ResponseWriter, path string) {
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	_, _ = io.Copy(w, f)
}
