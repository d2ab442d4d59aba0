package coordinator

import (
	"encoding/json"
	"net/http"
)

// PathRunners is DELETE /api/v4/runners: a runner deletes itself with its
// authentication token (kuberunner unregister).
const PathRunners = "/api/v4/runners"

// handleUnregister answers GitLab's "delete a runner by authentication
// token": 204 when the token is known, and the token is then unknown to
// every endpoint (verify and job requests answer 403, as after a deletion
// in GitLab); 403 when it is not. The token comes in the JSON body; one in
// the query string is a violation, since URLs end up in proxies' logs.
func (s *Server) handleUnregister(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Query().Has("token") {
		s.violate("DELETE runners: the token is in the URL")
	}
	if s.runners[body.Token] == nil {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if f := s.takeFault(EndpointUnregister, 0); f != nil {
		writeFault(w, f)
		return
	}
	delete(s.runners, body.Token)
	w.WriteHeader(http.StatusNoContent)
}

// RemoveRunner makes token unknown, as deleting the runner in GitLab's UI
// does: verify, job requests and unregister answer 403 for it after.
func (s *Server) RemoveRunner(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.runners, token)
}

// HasRunner reports whether token is a runner token the server knows.
func (s *Server) HasRunner(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runners[token] != nil
}
