package network

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

// apiCall is one kind of API request, made against the fake GitLab.
type apiCall struct {
	name     string
	endpoint coordinator.Endpoint
	// path is the request's path; jobID is the job taken for it.
	path func(jobID int64) string
	// perJob: the endpoint is a job's, so its fault names the job.
	perJob bool
	// do makes the request with c for job tr's job and returns its error.
	do func(t *testing.T, c *Client, tr *Trace) error
}

// apiCalls are the requests that carry a token: the runner token in the
// body (verify, request, unregister) and in RUNNER-TOKEN (request), the
// job token in JOB-TOKEN (trace) and in the body (update). The first three
// are the runner's.
var apiCalls = []apiCall{
	{name: "verify", endpoint: coordinator.EndpointVerify,
		path: func(int64) string { return coordinator.PathRunnerVerify },
		do:   func(t *testing.T, c *Client, _ *Trace) error { return c.Verify(t.Context()) }},
	{name: "jobs/request", endpoint: coordinator.EndpointRequest,
		path: func(int64) string { return coordinator.PathJobsRequest },
		do: func(t *testing.T, c *Client, _ *Trace) error {
			_, err := c.RequestJob(t.Context())
			return err
		}},
	{name: "unregister", endpoint: coordinator.EndpointUnregister,
		path: func(int64) string { return coordinator.PathRunners },
		do:   func(t *testing.T, c *Client, _ *Trace) error { return c.Unregister(t.Context()) }},
	{name: "trace", endpoint: coordinator.EndpointTrace, perJob: true,
		path: func(id int64) string { return fmt.Sprintf("/api/v4/jobs/%d/trace", id) },
		do: func(t *testing.T, _ *Client, tr *Trace) error {
			fmt.Fprint(tr, "the build log\n")
			return tr.Flush(t.Context())
		}},
	{name: "update", endpoint: coordinator.EndpointUpdate, perJob: true,
		path: func(id int64) string { return fmt.Sprintf("/api/v4/jobs/%d", id) },
		do: func(t *testing.T, _ *Client, tr *Trace) error {
			_, err := tr.Finish(t.Context(), Result{State: StateSuccess})
			return err
		}},
}

// A redirect of a request that carries a token is followed only to the
// same scheme, host and port; 127.0.0.1 and localhost on the same port are
// two hosts. A 301, 302 or 303 would turn the request into a GET without
// its body, so it is refused even on the same origin. A refusal names both
// URLs and says why, and never the token.
func TestRedirectsOfAPIRequests(t *testing.T) {
	for _, call := range apiCalls {
		for _, status := range []int{301, 302, 303, 307, 308} {
			for _, target := range []string{"same origin", "localhost", "another server"} {
				t.Run(fmt.Sprintf("%s %d to %s", call.name, status, target), func(t *testing.T) {
					srv := coordinator.New(t, runnerToken)
					elsewhere := newRecorder(t)
					c := newClient(t, srv, nil, runnerToken)
					job := takeJob(t, srv, c, common.Job{Token: "glcbt-job-secret"})
					tr := quietTrace(t, c, job, TraceOptions{})
					path := call.path(job.ID)
					from := srv.URL + path
					to := map[string]string{
						"same origin":    from,
						"localhost":      strings.Replace(from, "127.0.0.1", "localhost", 1),
						"another server": elsewhere.URL + path,
					}[target]
					fault := coordinator.Fault{Status: status, Header: map[string]string{"Location": to}}
					if call.perJob {
						fault.JobID = job.ID
					}
					srv.Inject(call.endpoint, fault)
					before := len(srv.RequestsTo(path))

					err := call.do(t, c, tr)

					followed := target == "same origin" && (status == 307 || status == 308)
					hits := len(srv.RequestsTo(path)) - before
					if followed {
						require.NoError(t, err)
						assert.Equal(t, 2, hits, "the redirect was followed to the same server")
						return
					}
					var re *RedirectError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, status, re.Status)
					assert.Equal(t, 1, hits, "nothing was sent after the redirect")
					assert.Empty(t, elsewhere.requests(), "the other server got nothing")
					msg := err.Error()
					assert.Contains(t, msg, from)
					assert.Contains(t, msg, to)
					assert.Contains(t, msg, fmt.Sprint(status))
					if target == "same origin" {
						assert.Contains(t, msg, "GET without its body")
					} else {
						assert.Contains(t, msg, "another scheme, host or port")
					}
					assert.NotContains(t, msg, runnerToken)
					assert.NotContains(t, msg, job.Token)
				})
			}
		}
	}
}

// From https, a redirect to http is refused even on the same host and
// port (the token would travel in clear text), and so is one to another
// https server; one within the origin is followed.
func TestRedirectsFromHTTPS(t *testing.T) {
	plain := newRecorder(t)
	otherTLS := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(otherTLS.Close)
	var mu sync.Mutex
	var hops []string
	var target string
	gitlab := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hops = append(hops, r.URL.RequestURI())
		if r.URL.Query().Get("hop") != "" {
			_, _ = io.WriteString(w, "{}")
			return
		}
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	t.Cleanup(gitlab.Close)
	from := gitlab.URL + coordinator.PathRunnerVerify
	for _, tc := range []struct {
		name, to, why string
	}{
		{"to http on the same host and port", strings.Replace(from, "https://", "http://", 1), "https to http"},
		{"to another http server", plain.URL + coordinator.PathRunnerVerify, "https to http"},
		{"to another https server", otherTLS.URL + coordinator.PathRunnerVerify, "another scheme, host or port"},
		{"within the origin", from + "?hop=1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			target, hops = tc.to, nil
			mu.Unlock()
			c, err := New(Config{URL: gitlab.URL, Token: runnerToken, SystemID: testSystem, HTTPClient: gitlab.Client(),
				Clock: coordinator.NewAutoClock(clockStart)})
			require.NoError(t, err)

			err = c.Verify(t.Context())

			mu.Lock()
			defer mu.Unlock()
			if tc.why == "" {
				require.NoError(t, err)
				assert.Len(t, hops, 2)
				return
			}
			var re *RedirectError
			require.ErrorAs(t, err, &re)
			assert.Len(t, hops, 1, "the request was not repeated on the https server")
			assert.Empty(t, plain.requests())
			assert.Contains(t, err.Error(), from)
			assert.Contains(t, err.Error(), tc.to)
			assert.Contains(t, err.Error(), tc.why)
			assert.NotContains(t, err.Error(), runnerToken)
			assert.Nil(t, gitlab.Client().CheckRedirect, "the caller's client is left as it was")
		})
	}
}

// recorder is a server elsewhere that notes what reaches it.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.seen = append(r.seen, req.Method+" "+req.URL.Path)
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// The two redirect policies on their own, hop by hop: API requests stay
// within the first request's origin; a download redirected to object
// storage (artifacts) may leave it, without the job token, but never for
// http after https. Default ports and the host's case do not make another
// origin; another port does.
func TestRedirectPolicies(t *testing.T) {
	const gitlab = "https://gitlab.example.com/api/v4/jobs/1/artifacts"
	tooMany := make([]string, maxRedirects)
	for i := range tooMany {
		tooMany[i] = gitlab
	}
	for _, tc := range []struct {
		name string
		via  []string
		to   string
		// storageErr and apiErr are in the refusal of each policy; ""
		// means followed.
		storageErr, apiErr string
		// tokenKept: toObjectStorage leaves JOB-TOKEN on the request.
		tokenKept bool
	}{
		{name: "to object storage over https", via: []string{gitlab}, to: "https://storage.example.net/bucket/a?sig=1",
			apiErr: "another scheme, host or port"},
		{name: "within GitLab's origin, default port written out", via: []string{gitlab}, to: "https://GitLab.example.com:443/other",
			tokenKept: true},
		{name: "https to http elsewhere", via: []string{gitlab}, to: "http://storage.example.net/bucket/a",
			storageErr: "https to http", apiErr: "https to http"},
		{name: "https to http on the same host", via: []string{gitlab}, to: "http://gitlab.example.com/api/v4/jobs/1/artifacts",
			storageErr: "https to http", apiErr: "https to http"},
		{name: "another port", via: []string{gitlab}, to: "https://gitlab.example.com:8443/api/v4/jobs/1/artifacts",
			apiErr: "another scheme, host or port"},
		{name: "http GitLab to http storage", via: []string{"http://gitlab.example.com/a"}, to: "http://storage.example.net/b",
			apiErr: "another scheme, host or port"},
		{name: "http after an https hop", via: []string{"http://gitlab.example.com/a", "https://gitlab.example.com/a"}, to: "http://storage.example.net/b",
			storageErr: "https to http", apiErr: "https to http"},
		{name: "back to GitLab after object storage", via: []string{gitlab, "https://storage.example.net/b"}, to: "https://gitlab.example.com/c",
			tokenKept: true},
		{name: "too many redirects", via: tooMany, to: gitlab,
			storageErr: "after 10 redirects", apiErr: "after 10 redirects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []struct {
				name   string
				policy redirectPolicy
				want   string
			}{{"object storage", toObjectStorage, tc.storageErr}, {"api", sameOriginOnly, tc.apiErr}} {
				req, via := redirectChain(t, tc.via, tc.to)

				err := p.policy(req, via)

				if p.want == "" {
					assert.NoError(t, err, p.name)
				} else {
					var re *RedirectError
					require.ErrorAs(t, err, &re, p.name)
					assert.Contains(t, re.Reason, p.want, p.name)
					assert.Equal(t, http.StatusFound, re.Status)
					assert.Equal(t, tc.via[len(tc.via)-1], re.From)
				}
				if p.name == "object storage" && p.want == "" {
					assert.Equal(t, tc.tokenKept, req.Header.Get("JOB-TOKEN") != "", "JOB-TOKEN kept")
				}
			}
		})
	}
}

// redirectChain is the request a 302 to `to` asks for after the requests to
// via, each with JOB-TOKEN, as Go's client hands them to CheckRedirect.
func redirectChain(t *testing.T, via []string, to string) (*http.Request, []*http.Request) {
	var reqs []*http.Request
	for _, u := range append(via, to) {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		r.Header.Set("JOB-TOKEN", jobToken)
		reqs = append(reqs, r)
	}
	last := reqs[len(reqs)-1]
	last.Response = &http.Response{StatusCode: http.StatusFound}
	return last, reqs[:len(reqs)-1]
}

// A request that opts into toObjectStorage follows GitLab's redirect to
// another https server, which gets the request without the job token;
// without opting in, the same redirect is refused.
func TestObjectStorageRedirectThroughTheClient(t *testing.T) {
	var mu sync.Mutex
	var storageTokens []string
	storage := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		storageTokens = append(storageTokens, r.Header.Get("JOB-TOKEN"))
		_, _ = io.WriteString(w, "artifact bytes")
	}))
	t.Cleanup(storage.Close)
	gitlab := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("JOB-TOKEN") != jobToken {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		http.Redirect(w, r, storage.URL+"/bucket/artifacts.zip", http.StatusFound)
	}))
	t.Cleanup(gitlab.Close)
	c, err := New(Config{URL: gitlab.URL, Token: runnerToken, HTTPClient: gitlab.Client(), Clock: coordinator.NewAutoClock(clockStart)})
	require.NoError(t, err)
	download := func(p redirectPolicy) (*response, error) {
		h := http.Header{}
		h.Set("JOB-TOKEN", jobToken)
		return c.send(t.Context(), request{op: "download artifacts", method: http.MethodGet, path: "jobs/1/artifacts", header: h, redirects: p})
	}

	resp, err := download(toObjectStorage)
	require.NoError(t, err)
	assert.Equal(t, "artifact bytes", string(resp.body))
	assert.Equal(t, []string{""}, storageTokens, "object storage got no JOB-TOKEN")

	_, err = download(nil)
	var re *RedirectError
	require.ErrorAs(t, err, &re)
	assert.Len(t, storageTokens, 1, "refused without opting in")
	assert.NotContains(t, err.Error(), jobToken)
}
