package network

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

func TestTraceChunksAndContentRange(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size      int
		patchSize int
		want      []coordinator.Patch
	}{
		{"one byte", 1, 0, []coordinator.Patch{{Start: 0, End: 0, Status: 202}}},
		{"exactly 1 MiB", MaxPatchSize, 0, []coordinator.Patch{{Start: 0, End: MaxPatchSize - 1, Status: 202}}},
		{"2.5 MiB in three patches", MaxPatchSize * 5 / 2, 0, []coordinator.Patch{
			{Start: 0, End: MaxPatchSize - 1, Status: 202},
			{Start: MaxPatchSize, End: 2*MaxPatchSize - 1, Status: 202},
			{Start: 2 * MaxPatchSize, End: MaxPatchSize*5/2 - 1, Status: 202},
		}},
		{"a patch size above 1 MiB is 1 MiB", MaxPatchSize + 1, 4 * MaxPatchSize, []coordinator.Patch{
			{Start: 0, End: MaxPatchSize - 1, Status: 202},
			{Start: MaxPatchSize, End: MaxPatchSize, Status: 202},
		}},
		{"small patches", 10, 4, []coordinator.Patch{
			{Start: 0, End: 3, Status: 202}, {Start: 4, End: 7, Status: 202}, {Start: 8, End: 9, Status: 202},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			c := newClient(t, srv, nil, runnerToken)
			job := takeJob(t, srv, c, common.Job{})
			tr := quietTrace(t, c, job, TraceOptions{PatchSize: tc.patchSize})
			data := bytes.Repeat([]byte("0123456789abcdef"), tc.size/16+1)[:tc.size]
			n, err := tr.Write(data)
			require.NoError(t, err)
			require.Equal(t, tc.size, n)

			require.NoError(t, tr.Flush(t.Context()))
			require.NoError(t, tr.Flush(t.Context()), "nothing left: no request")

			rec, _ := srv.Job(job.ID)
			assert.Equal(t, tc.want, rec.Patches)
			assert.Equal(t, data, rec.Trace)
			assert.Empty(t, srv.Violations())
			for _, r := range srv.Requests() {
				if r.Method == "PATCH" {
					assert.Equal(t, job.Token, r.Header.Get("JOB-TOKEN"))
					assert.Equal(t, "text/plain", r.Header.Get("Content-Type"))
				}
			}
		})
	}
}

func TestTraceRangeNotSatisfiable(t *testing.T) {
	t.Run("resumes where the server says after it lost bytes", func(t *testing.T) {
		srv := coordinator.New(t, runnerToken)
		c := newClient(t, srv, nil, runnerToken)
		job := takeJob(t, srv, c, common.Job{})
		tr := quietTrace(t, c, job, TraceOptions{})
		fmt.Fprint(tr, "hello")
		require.NoError(t, tr.Flush(t.Context()))
		srv.TruncateTrace(job.ID, 2)
		fmt.Fprint(tr, " world")
		require.NoError(t, tr.Flush(t.Context()))

		rec, _ := srv.Job(job.ID)
		assert.Equal(t, "hello world", string(rec.Trace))
		assert.Equal(t, []coordinator.Patch{
			{Start: 0, End: 4, Status: 202},
			{Start: 5, End: 10, Status: 416},
			{Start: 2, End: 10, Status: 202},
		}, rec.Patches)
		assert.Empty(t, srv.Violations())
	})
	t.Run("an injected 416 resends from the server's end", func(t *testing.T) {
		srv := coordinator.New(t, runnerToken)
		c := newClient(t, srv, nil, runnerToken)
		job := takeJob(t, srv, c, common.Job{})
		tr := quietTrace(t, c, job, TraceOptions{PatchSize: 3})
		fmt.Fprint(tr, "abcdefg")
		srv.Inject(coordinator.EndpointTrace, coordinator.Fault{Status: 416})
		require.NoError(t, tr.Flush(t.Context()))
		rec, _ := srv.Job(job.ID)
		assert.Equal(t, "abcdefg", string(rec.Trace))
		assert.Equal(t, 416, rec.Patches[0].Status)
		assert.Empty(t, srv.Violations())
	})
	t.Run("a Range beyond what was written is an error", func(t *testing.T) {
		srv := coordinator.New(t, runnerToken)
		c := newClient(t, srv, nil, runnerToken)
		job := takeJob(t, srv, c, common.Job{})
		tr := quietTrace(t, c, job, TraceOptions{})
		fmt.Fprint(tr, "abc")
		srv.Inject(coordinator.EndpointTrace, coordinator.Fault{Status: 416, Header: map[string]string{"Range": "0-99"}})
		assert.ErrorContains(t, tr.Flush(t.Context()), "beyond")
	})
	t.Run("endless 416 answers end the flush", func(t *testing.T) {
		srv := coordinator.New(t, runnerToken)
		c := newClient(t, srv, nil, runnerToken)
		job := takeJob(t, srv, c, common.Job{})
		tr := quietTrace(t, c, job, TraceOptions{})
		fmt.Fprint(tr, "abc")
		srv.Inject(coordinator.EndpointTrace, coordinator.Fault{Status: 416, Times: 100})
		assert.ErrorContains(t, tr.Flush(t.Context()), "416")
		rec, _ := srv.Job(job.ID)
		assert.Len(t, rec.Patches, maxResumes+1)
	})
}

func TestTraceJobStatus(t *testing.T) {
	for _, tc := range []struct {
		name          string
		status        string
		fault         *coordinator.Fault
		keepAlive     bool
		wantCanceling bool
		wantAborted   bool
		wantForbidden bool
	}{
		{name: "running", status: "running"},
		{name: "canceling", status: "canceling", wantCanceling: true},
		{name: "canceled", status: "canceled", wantAborted: true},
		{name: "failed", status: "failed", wantAborted: true},
		{name: "403 on a patch", fault: &coordinator.Fault{Status: 403}, wantAborted: true, wantForbidden: true},
		{name: "canceling on a keep-alive", status: "canceling", keepAlive: true, wantCanceling: true},
		{name: "403 on a keep-alive", keepAlive: true, fault: &coordinator.Fault{Status: 403}, wantAborted: true, wantForbidden: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			c := newClient(t, srv, nil, runnerToken)
			job := takeJob(t, srv, c, common.Job{})
			tr := quietTrace(t, c, job, TraceOptions{})
			if tc.status != "" {
				srv.SetJobStatus(job.ID, tc.status, 0)
			}
			var err error
			if tc.keepAlive {
				if tc.fault != nil {
					srv.Inject(coordinator.EndpointKeepAlive, *tc.fault)
				}
				err = tr.keepAlive(t.Context())
			} else {
				if tc.fault != nil {
					srv.Inject(coordinator.EndpointTrace, *tc.fault)
				}
				fmt.Fprint(tr, "output\n")
				err = tr.Flush(t.Context())
			}
			if tc.wantForbidden {
				assert.ErrorIs(t, err, ErrForbidden)
				assert.ErrorIs(t, tr.AbortReason(), ErrForbidden)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.wantCanceling, closed(tr.Canceling()), "canceling")
			assert.Equal(t, tc.wantAborted, closed(tr.Aborted()), "aborted")
			if tc.wantAborted && !tc.wantForbidden {
				assert.Equal(t, &JobStatusError{Status: tc.status}, tr.AbortReason())
			}
			if !tc.wantAborted {
				assert.NoError(t, tr.AbortReason())
			}
		})
	}
}

func TestTraceOutputLimit(t *testing.T) {
	const limit = 100
	notice := limitNotice(limit)
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"under", []string{"short"}, "short"},
		{"exactly at", []string{strings.Repeat("a", limit)}, strings.Repeat("a", limit)},
		{"crossed in one write", []string{strings.Repeat("b", 150)}, strings.Repeat("b", limit) + notice},
		{"crossed by the second write, the third dropped",
			[]string{strings.Repeat("c", 60), strings.Repeat("d", 60), "more"},
			strings.Repeat("c", 60) + strings.Repeat("d", 40) + notice},
		{"at the limit, then one more byte", []string{strings.Repeat("e", limit), "f"}, strings.Repeat("e", limit) + notice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			c := newClient(t, srv, nil, runnerToken)
			job := takeJob(t, srv, c, common.Job{})
			tr := quietTrace(t, c, job, TraceOptions{OutputLimit: limit})
			for _, w := range tc.writes {
				n, err := tr.Write([]byte(w))
				require.NoError(t, err)
				assert.Equal(t, len(w), n, "a cut log does not fail the writer")
			}
			rep, err := tr.Finish(t.Context(), Result{State: StateSuccess})
			require.NoError(t, err)

			rec, _ := srv.Job(job.ID)
			assert.Equal(t, tc.want, string(rec.Trace))
			assert.Equal(t, len(tc.want), rep.Bytesize)
			assert.Equal(t, fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE([]byte(tc.want))), rep.Checksum)
			assert.Equal(t, len(tc.want) > limit, tr.Truncated())
			assert.Equal(t, 0, rec.ChecksumMismatches)
			assert.Equal(t, 1, rec.Completed)
		})
	}
}

func TestTraceWriteAfterFinish(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	c := newClient(t, srv, nil, runnerToken)
	job := takeJob(t, srv, c, common.Job{})
	tr := quietTrace(t, c, job, TraceOptions{})
	_, err := tr.Finish(t.Context(), Result{State: StateSuccess})
	require.NoError(t, err)
	_, err = tr.Write([]byte("late"))
	assert.ErrorIs(t, err, ErrTraceFinished)
	_, err = tr.Finish(t.Context(), Result{State: StateSuccess})
	assert.ErrorIs(t, err, ErrTraceFinished)
	rec, _ := srv.Job(job.ID)
	assert.Equal(t, 1, rec.FinalUpdates)
}

// quietTrace is a Trace without its background loop (its context is
// already cancelled), driven only by Flush and Finish.
func quietTrace(t *testing.T, c *Client, job *common.Job, opts TraceOptions) *Trace {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	tr := c.StartTrace(ctx, job, opts)
	<-tr.loopDone
	return tr
}

// closed reports whether ch is closed, without waiting.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
