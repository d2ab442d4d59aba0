package coordinator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func verify(t *testing.T, s *Server, token string) int {
	return do(t, s, "POST", PathRunnerVerify, nil, `{"token":"`+token+`","system_id":"s_0123456789ab"}`).StatusCode
}

// DELETE /api/v4/runners forgets a known token (204) and refuses an unknown
// one (403); a forgotten token fails verify and job requests with 403, as
// after RemoveRunner.
func TestServerUnregister(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		prepare    func(s *Server)
		query      string
		wantStatus int
		wantKnown  bool
		violations int
	}{
		{name: "known token", token: "a", wantStatus: http.StatusNoContent},
		{name: "unknown token", token: "nope", wantStatus: http.StatusForbidden, wantKnown: true},
		{name: "removed in the UI", token: "a", prepare: func(s *Server) { s.RemoveRunner("a") }, wantStatus: http.StatusForbidden},
		{name: "fault keeps the runner", token: "a", prepare: func(s *Server) { s.Inject(EndpointUnregister, Fault{Status: 500}) },
			wantStatus: http.StatusInternalServerError, wantKnown: true},
		{name: "token in the URL is a violation", token: "a", query: "?token=a", wantStatus: http.StatusNoContent, violations: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t, "a", "b")
			if tt.prepare != nil {
				tt.prepare(s)
			}
			resp := do(t, s, "DELETE", PathRunners+tt.query, map[string]string{"Content-Type": "application/json"}, `{"token":"`+tt.token+`"}`)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantKnown, s.HasRunner("a"))
			if !tt.wantKnown {
				assert.Equal(t, http.StatusForbidden, verify(t, s, "a"))
				assert.Equal(t, http.StatusForbidden, requestJob(t, s, "a").StatusCode)
			}
			assert.True(t, s.HasRunner("b"), "another runner stays")
			assert.Equal(t, http.StatusOK, verify(t, s, "b"))
			assert.Len(t, s.Violations(), tt.violations)
		})
	}
}
