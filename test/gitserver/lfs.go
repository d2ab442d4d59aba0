package gitserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// lfsMediaType is the LFS batch API's content type.
const lfsMediaType = "application/vnd.git-lfs+json"

// lfsStore is the server's Git LFS objects, shared by its projects, and
// how it answers for them.
type lfsStore struct {
	objects map[string][]byte // by sha256 hex
	// headerAuth makes the batch answer carry the download's
	// Authorization header, as GitLab does; otherwise the client must
	// bring its own credentials to the download.
	headerAuth bool
}

// AddLFSObject stores content as a Git LFS object and returns its pointer
// file, as git-lfs writes it.
func (s *Server) AddLFSObject(content []byte) string {
	sum := sha256.Sum256(content)
	oid := hex.EncodeToString(sum[:])
	s.mu.Lock()
	s.lfs.objects[oid] = content
	s.mu.Unlock()
	return fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", oid, len(content))
}

// LFSHeaderAuth chooses whether batch answers give each download an
// Authorization header (and mark it authenticated), as GitLab does, or
// leave the client to authenticate the download itself.
func (s *Server) LFSHeaderAuth(on bool) {
	s.mu.Lock()
	s.lfs.headerAuth = on
	s.mu.Unlock()
}

// CommitLFS is Commit with every file stored as a Git LFS object: the
// commit holds pointer files, and .gitattributes tracks each path with
// filter=lfs, as `git lfs track` would.
func (r *Repo) CommitLFS(t testing.TB, branch, message string, files map[string]string) string {
	t.Helper()
	committed := map[string]string{}
	for p, content := range files {
		committed[p] = r.srv.AddLFSObject([]byte(content))
		r.lfsPaths = append(r.lfsPaths, p)
	}
	sort.Strings(r.lfsPaths)
	var attrs strings.Builder
	for _, p := range r.lfsPaths {
		attrs.WriteString(p + " filter=lfs diff=lfs merge=lfs -text\n")
	}
	committed[".gitattributes"] = attrs.String()
	return r.Commit(t, branch, message, committed)
}

// serveLFS answers the LFS requests (the batch endpoint and object
// downloads) and reports whether path was one.
func (s *Server) serveLFS(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case strings.HasSuffix(r.URL.Path, ".git/info/lfs/objects/batch"):
		s.lfsBatch(w, r, strings.TrimSuffix(r.URL.Path, "/info/lfs/objects/batch"))
	case strings.Contains(r.URL.Path, ".git/gitlab-lfs/objects/"):
		s.lfsDownload(w, r)
	default:
		return false
	}
	return true
}

type lfsBatchRequest struct {
	Operation string   `json:"operation"`
	Transfers []string `json:"transfers"`
	Objects   []struct {
		OID  string `json:"oid"`
		Size int64  `json:"size"`
	} `json:"objects"`
}

// lfsBatch answers a batch request for the project at repo (its path up
// to .git) to the letter of the API: download only, transfer basic.
func (s *Server) lfsBatch(w http.ResponseWriter, r *http.Request, repo string) {
	var req lfsBatchRequest
	switch {
	case r.Method != http.MethodPost:
		lfsError(w, http.StatusMethodNotAllowed, "the batch API takes POST")
		return
	case r.Header.Get("Accept") != lfsMediaType:
		lfsError(w, http.StatusNotAcceptable, "Accept must be "+lfsMediaType)
		return
	case json.NewDecoder(r.Body).Decode(&req) != nil || req.Operation != "download":
		lfsError(w, http.StatusUnprocessableEntity, "a download batch request was expected")
		return
	}
	w.Header().Set("Content-Type", lfsMediaType)
	_ = json.NewEncoder(w).Encode(map[string]any{"transfer": "basic", "objects": s.lfsAnswers(r, repo, req)})
}

// lfsAnswers is the answer for each object: a download action, or a 404.
func (s *Server) lfsAnswers(r *http.Request, repo string, req lfsBatchRequest) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, o := range req.Objects {
		a := map[string]any{"oid": o.OID, "size": o.Size}
		content, ok := s.lfs.objects[o.OID]
		if !ok || int64(len(content)) != o.Size {
			a["error"] = map[string]any{"code": http.StatusNotFound, "message": "Object does not exist"}
			out = append(out, a)
			continue
		}
		download := map[string]any{"href": s.URL + repo + "/gitlab-lfs/objects/" + o.OID}
		if s.lfs.headerAuth {
			download["header"] = map[string]string{"Authorization": r.Header.Get("Authorization")}
			a["authenticated"] = true
		}
		a["actions"] = map[string]any{"download": download}
		out = append(out, a)
	}
	return out
}

// lfsDownload serves one object.
func (s *Server) lfsDownload(w http.ResponseWriter, r *http.Request) {
	oid := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	s.mu.Lock()
	content, ok := s.lfs.objects[oid]
	s.mu.Unlock()
	if r.Method != http.MethodGet || !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(content)
}

func lfsError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", lfsMediaType)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
