package coordinator

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

// do sends one request to s and returns the answer.
func do(t *testing.T, s *Server, method, path string, header map[string]string, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func requestJob(t *testing.T, s *Server, token string) *http.Response {
	return do(t, s, "POST", PathJobsRequest, map[string]string{"RUNNER-TOKEN": token},
		fmt.Sprintf(`{"token":%q,"system_id":"s_0123456789ab","info":{}}`, token))
}

func patch(t *testing.T, s *Server, id int64, token string, start int, data string) *http.Response {
	return do(t, s, "PATCH", fmt.Sprintf("/api/v4/jobs/%d/trace", id), map[string]string{
		"JOB-TOKEN": token, "Content-Type": "text/plain",
		"Content-Range": fmt.Sprintf("%d-%d", start, start+len(data)-1),
	}, data)
}

func final(t *testing.T, s *Server, id int64, token, trace string) *http.Response {
	return do(t, s, "PUT", fmt.Sprintf("/api/v4/jobs/%d", id), nil, fmt.Sprintf(
		`{"token":%q,"state":"failed","failure_reason":"script_failure","exit_code":3,"output":{"checksum":"crc32:%08x","bytesize":%d}}`,
		token, crc32.ChecksumIEEE([]byte(trace)), len(trace)))
}

func TestServerJobLifecycle(t *testing.T) {
	s := New(t, "runner-a")
	resp := requestJob(t, s, "runner-a")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("X-GitLab-Last-Update"))
	assert.Equal(t, http.StatusForbidden, requestJob(t, s, "nobody").StatusCode)

	id := s.Enqueue(common.Job{Timeout: time.Minute})
	assert.Equal(t, http.StatusCreated, requestJob(t, s, "runner-a").StatusCode)
	assert.Equal(t, 1, s.Running())
	tok := "job-token-" + strconv.FormatInt(id, 10)

	assert.Equal(t, http.StatusForbidden, patch(t, s, id, "wrong", 0, "x").StatusCode)
	assert.Equal(t, http.StatusAccepted, patch(t, s, id, tok, 0, "hello ").StatusCode)
	resp = patch(t, s, id, tok, 3, "overlap")
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)
	assert.Equal(t, "0-6", resp.Header.Get("Range"))
	assert.Equal(t, http.StatusAccepted, patch(t, s, id, tok, 6, "world").StatusCode)

	assert.Equal(t, http.StatusPreconditionFailed, final(t, s, id, tok, "hello").StatusCode)
	assert.Equal(t, http.StatusOK, final(t, s, id, tok, "hello world").StatusCode)
	assert.Equal(t, http.StatusForbidden, final(t, s, id, tok, "hello world").StatusCode)

	rec, ok := s.Job(id)
	require.True(t, ok)
	assert.Equal(t, "hello world", string(rec.Trace))
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "script_failure", rec.FailureReason)
	assert.Equal(t, 3, rec.ExitCode)
	assert.Equal(t, 3, rec.FinalUpdates)
	assert.Equal(t, 1, rec.Completed)
	assert.Equal(t, 1, rec.ChecksumMismatches)
	assert.Equal(t, 0, s.Running())
	assert.Equal(t, 1, s.MaxRunningFor("runner-a"))
	assert.Len(t, s.Violations(), 2, "the overlap and the update after completion: %v", s.Violations())
}

func TestServerTruncateIsNotAViolation(t *testing.T) {
	s := New(t, "r")
	id := s.Enqueue(common.Job{Token: "jt"})
	requestJob(t, s, "r")
	patch(t, s, id, "jt", 0, "abcdef")
	s.TruncateTrace(id, 2)
	resp := patch(t, s, id, "jt", 6, "gh")
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)
	assert.Equal(t, "0-2", resp.Header.Get("Range"))
	assert.Equal(t, http.StatusAccepted, patch(t, s, id, "jt", 2, "cdefgh").StatusCode)
	assert.Empty(t, s.Violations())
}

func TestServerFaultsAndJobStatus(t *testing.T) {
	s := New(t, "r")
	s.Inject(EndpointRequest, Fault{Status: http.StatusTooManyRequests, Header: RetryAfter(7), Times: 2})
	for range 2 {
		resp := requestJob(t, s, "r")
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	}
	id := s.Enqueue(common.Job{Token: "jt"})
	assert.Equal(t, http.StatusCreated, requestJob(t, s, "r").StatusCode)
	s.SetJobStatus(id, "canceling", 4)
	assert.Equal(t, "running", patch(t, s, id, "jt", 0, "ab").Header.Get("Job-Status"))
	assert.Equal(t, "canceling", patch(t, s, id, "jt", 2, "cd").Header.Get("Job-Status"))
	resp := do(t, s, "PUT", fmt.Sprintf("/api/v4/jobs/%d", id), nil, `{"token":"jt","state":"running"}`)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "canceling", resp.Header.Get("Job-Status"))
	rec, _ := s.Job(id)
	assert.Equal(t, 1, rec.KeepAlives)
}

func TestClock(t *testing.T) {
	start := time.Unix(1000, 0)
	c := NewClock(start)
	ch := c.After(3 * time.Second)
	c.BlockUntil(1)
	c.Advance(2 * time.Second)
	select {
	case <-ch:
		t.Fatal("fired early")
	default:
	}
	c.Advance(time.Second)
	assert.Equal(t, start.Add(3*time.Second), <-ch)

	auto := NewAutoClock(start)
	<-auto.After(7 * time.Second)
	assert.Equal(t, start.Add(7*time.Second), auto.Now())
	assert.Equal(t, []time.Duration{7 * time.Second}, auto.Waits())
}
