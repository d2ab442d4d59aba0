package coordinator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// handleTrace takes PATCH /jobs/:id/trace. A patch must start where the
// server's trace ends; one that does not is a gap or an overlap, recorded
// as a violation and answered 416 with the server's Range, as GitLab does.
func (s *Server) handleTrace(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobFor(w, r)
	if j == nil {
		return
	}
	if r.Header.Get("JOB-TOKEN") != j.Token {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if j.finished {
		w.Header().Set("Job-Status", j.State)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		s.violate(fmt.Sprintf("job %d: trace Content-Type %q", j.ID, ct))
	}
	start, end, ok := parseContentRange(r.Header.Get("Content-Range"))
	if !ok || end-start+1 != len(data) {
		s.violate(fmt.Sprintf("job %d: Content-Range %q for %d bytes", j.ID, r.Header.Get("Content-Range"), len(data)))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	patch := Patch{Start: start, End: end}
	defer func() { j.Patches = append(j.Patches, patch) }()

	if f := s.takeFault(EndpointTrace, j.ID); f != nil {
		if f.Status == http.StatusRequestedRangeNotSatisfiable && f.Header["Range"] == "" {
			w.Header().Set("Range", fmt.Sprintf("0-%d", len(j.Trace)))
		}
		writeFault(w, f)
		patch.Status = f.Status
		return
	}
	switch {
	case start == len(j.Trace):
		j.Trace = append(j.Trace, data...)
	case start == 0 && j.resetAllowed:
		j.Trace = append([]byte(nil), data...)
	default:
		if !j.serverCaused {
			kind := "gap"
			if start < len(j.Trace) {
				kind = "overlap"
			}
			s.violate(fmt.Sprintf("job %d: trace %s: patch starts at %d, server has %d bytes", j.ID, kind, start, len(j.Trace)))
		}
		j.serverCaused = false
		w.Header().Set("Range", fmt.Sprintf("0-%d", len(j.Trace)))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		patch.Status = http.StatusRequestedRangeNotSatisfiable
		return
	}
	j.resetAllowed = false
	w.Header().Set("Job-Status", j.jobStatus())
	s.intervalHeader(w.Header())
	w.WriteHeader(http.StatusAccepted)
	patch.Status = http.StatusAccepted
}

// parseContentRange reads "<start>-<end>", end inclusive.
func parseContentRange(v string) (start, end int, ok bool) {
	a, b, found := strings.Cut(v, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.Atoi(a)
	end, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, false
	}
	return start, end, true
}
