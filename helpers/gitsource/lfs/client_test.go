package lfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const secret = "s3cret-token"

// lfsServer is a batch endpoint at /repo.git/info/lfs whose answers and
// downloads a test shapes.
type lfsServer struct {
	*httptest.Server
	answer   func(oid string, size int64) map[string]any // one object's answer
	content  map[string][]byte                           // served at /objects/<oid>
	requests []*http.Request
}

func newLFSServer(t *testing.T, tls bool) *lfsServer {
	s := &lfsServer{content: map[string][]byte{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests = append(s.requests, r)
		if strings.HasSuffix(r.URL.Path, "/objects/batch") {
			s.batch(w, r)
			return
		}
		if c, ok := s.content[strings.TrimPrefix(r.URL.Path, "/objects/")]; ok {
			_, _ = w.Write(c)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	s.answer = func(oid string, _ int64) map[string]any {
		return map[string]any{"actions": map[string]any{"download": map[string]any{"href": s.URL + "/objects/" + oid}}}
	}
	return s
}

func (s *lfsServer) batch(w http.ResponseWriter, r *http.Request) {
	var req batchRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	var objs []map[string]any
	for _, o := range req.Objects {
		a := s.answer(o.OID, o.Size)
		a["oid"], a["size"] = o.OID, o.Size
		objs = append(objs, a)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"transfer": "basic", "objects": objs})
}

// add serves content and returns its pointer.
func (s *lfsServer) add(content string) Pointer {
	sum := sha256.Sum256([]byte(content))
	p := Pointer{OID: hex.EncodeToString(sum[:]), Size: int64(len(content))}
	s.content[p.OID] = []byte(content)
	return p
}

func (s *lfsServer) client() *Client {
	u, _ := url.Parse(s.URL + "/repo.git")
	return &Client{Endpoint: Endpoint(u), HTTP: s.Client(), Timeout: 5 * time.Second,
		Authorize: func(r *http.Request) { r.SetBasicAuth("gitlab-ci-token", secret) }}
}

func TestEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@host/g/p.git?x=1": "https://host/g/p.git/info/lfs",
		"https://host/g/p":             "https://host/g/p.git/info/lfs",
		"http://host:8080/g/p.git/":    "http://host:8080/g/p.git/info/lfs",
	} {
		u, _ := url.Parse(in)
		require.Equal(t, want, Endpoint(u).String(), in)
	}
}

func TestBatchAndDownload(t *testing.T) {
	s := newLFSServer(t, false)
	p := s.add("hello lfs\n")
	c := s.client()
	objs, err := c.Batch(context.Background(), "refs/heads/main", []Pointer{p})
	require.NoError(t, err)
	batchReq := s.requests[0]
	require.Equal(t, "/repo.git/info/lfs/objects/batch", batchReq.URL.Path)
	require.Equal(t, mediaType, batchReq.Header.Get("Accept"))
	require.Equal(t, mediaType, batchReq.Header.Get("Content-Type"))
	_, pass, _ := batchReq.BasicAuth()
	require.Equal(t, secret, pass)

	var out bytes.Buffer
	require.NoError(t, c.Download(context.Background(), objs[p.OID], p, &out))
	require.Equal(t, "hello lfs\n", out.String())
	_, pass, _ = s.requests[1].BasicAuth()
	require.Equal(t, secret, pass, "a download without header or authenticated gets the caller's credentials")
}

func TestDownloadHeaders(t *testing.T) {
	s := newLFSServer(t, false)
	p := s.add("with header\n")
	s.answer = func(oid string, _ int64) map[string]any {
		return map[string]any{"authenticated": true, "actions": map[string]any{"download": map[string]any{
			"href": s.URL + "/objects/" + oid + "?X-Signature=signed-query", "header": map[string]string{"X-Custom": "v"}}}}
	}
	c := s.client()
	objs, err := c.Batch(context.Background(), "", []Pointer{p})
	require.NoError(t, err)
	require.NoError(t, c.Download(context.Background(), objs[p.OID], p, &bytes.Buffer{}))
	got := s.requests[1]
	require.Equal(t, "v", got.Header.Get("X-Custom"))
	require.Empty(t, got.Header.Get("Authorization"), "authenticated: no credentials added")
}

func TestFailures(t *testing.T) {
	oid := strings.Repeat("0", 64)
	p := Pointer{OID: oid, Size: 5}
	cases := []struct {
		name   string
		tls    bool
		setup  func(s *lfsServer)
		is     error
		as     any
		errMsg string
	}{
		{"corrupt content", false, func(s *lfsServer) { s.content[oid] = []byte("12345") }, ErrCorrupt, new(*VerifyError), "the content's sha256 is"},
		{"too long", false, func(s *lfsServer) { s.content[oid] = []byte("123456") }, ErrCorrupt, new(*VerifyError), "the pointer says 5 bytes, the server sent more"},
		{"too short", false, func(s *lfsServer) { s.content[oid] = []byte("123") }, ErrCorrupt, new(*VerifyError), "the server sent 3"},
		{"an object error", false, func(s *lfsServer) {
			s.answer = func(string, int64) map[string]any {
				return map[string]any{"error": map[string]any{"code": 410, "message": "removed\nby owner"}}
			}
		}, nil, new(*ObjectError), "the server answers 410: removed by owner"},
		{"no action", false, func(s *lfsServer) {
			s.answer = func(string, int64) map[string]any { return map[string]any{} }
		}, nil, new(*ObjectError), "no download action"},
		{"a download that is 404", false, func(s *lfsServer) {}, nil, new(*StatusError), "answered 404 Not Found"},
		{"https to http", true, func(s *lfsServer) {
			s.answer = func(oid string, _ int64) map[string]any {
				return map[string]any{"actions": map[string]any{"download": map[string]any{"href": "http://elsewhere.example/o?sig=" + secret}}}
			}
		}, nil, new(*HrefError), "the download URL http://elsewhere.example/o leaves https for http"},
		{"a redirect from https to http", true, func(s *lfsServer) {
			s.answer = func(oid string, _ int64) map[string]any {
				return map[string]any{"actions": map[string]any{"download": map[string]any{"href": s.URL + "/redirect"}}}
			}
			s.Config.Handler = redirectTo("http://127.0.0.1:1/o?sig="+secret, s.Config.Handler)
		}, nil, nil, "a redirect from https to http (http://127.0.0.1:1/o) is refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newLFSServer(t, c.tls)
			c.setup(s)
			cl := s.client()
			objs, err := cl.Batch(context.Background(), "", []Pointer{p})
			if err == nil {
				err = cl.Download(context.Background(), objs[oid], p, &bytes.Buffer{})
			}
			require.Error(t, err)
			require.ErrorContains(t, err, c.errMsg)
			require.NotContains(t, err.Error(), secret)
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
			if c.as != nil {
				require.ErrorAs(t, err, c.as)
			}
		})
	}
}

func redirectTo(target string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, target, http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestBatchRefused(t *testing.T) {
	for code, wantAuth := range map[int]bool{401: true, 403: true, 404: false, 500: false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"message":"nope ` + secret + `"}`))
		}))
		u, _ := url.Parse(srv.URL + "/g/p.git")
		_, err := (&Client{Endpoint: Endpoint(u)}).Batch(context.Background(), "", []Pointer{{OID: strings.Repeat("1", 64), Size: 1}})
		srv.Close()
		var se *StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, code, se.Code)
		require.Equal(t, wantAuth, errorsIs(err, ErrAuth), "%d", code)
		require.Contains(t, err.Error(), "Git LFS batch: "+srv.URL+"/g/p.git/info/lfs/objects/batch answered")
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	u, _ := url.Parse(srv.URL + "/p.git")
	began := time.Now()
	_, err := (&Client{Endpoint: Endpoint(u), Timeout: 200 * time.Millisecond}).Batch(context.Background(), "", []Pointer{{OID: strings.Repeat("1", 64), Size: 1}})
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "Git LFS batch did not finish within 200ms")
	require.Less(t, time.Since(began), 5*time.Second)
}

func TestBatchAnswerChecks(t *testing.T) {
	p := Pointer{OID: strings.Repeat("2", 64), Size: 1}
	for name, c := range map[string]struct {
		answer batchAnswer
		err    string
	}{
		"not basic":      {batchAnswer{Transfer: "tus"}, `the server chose transfer "tus"`},
		"another hash":   {batchAnswer{HashAlgo: "sha512"}, `the server uses hash "sha512"`},
		"object missing": {batchAnswer{}, "the server's batch answer does not list it"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.answer.byOID([]Pointer{p})
			require.ErrorContains(t, err, c.err)
		})
	}
}

func TestStore(t *testing.T) {
	s := newLFSServer(t, false)
	a, b := s.add("object a\n"), s.add("object b\n")
	gitDir := t.TempDir()
	st, err := OpenStore(gitDir)
	require.NoError(t, err)
	defer st.Close()

	n, size, err := st.Fetch(context.Background(), s.client(), "", []Pointer{a, b, a})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, a.Size+b.Size, size)
	require.True(t, st.Has(a) && st.Has(b))
	got, err := os.ReadFile(filepath.Join(gitDir, "lfs", "objects", a.OID[:2], a.OID[2:4], a.OID))
	require.NoError(t, err)
	require.Equal(t, "object a\n", string(got))

	n, _, err = st.Fetch(context.Background(), s.client(), "", []Pointer{a, b})
	require.NoError(t, err)
	require.Zero(t, n, "what the store holds is not fetched again")

	bad := Pointer{OID: strings.Repeat("3", 64), Size: 4}
	s.content[bad.OID] = []byte("junk")
	_, _, err = st.Fetch(context.Background(), s.client(), "", []Pointer{bad})
	require.ErrorIs(t, err, ErrCorrupt)
	require.False(t, st.Has(bad))
	tmp, err := os.ReadDir(filepath.Join(gitDir, "lfs", "tmp"))
	require.NoError(t, err)
	require.Empty(t, tmp, "a failed download leaves no temporary file")
}

func TestStoreStaysInside(t *testing.T) {
	gitDir := t.TempDir()
	outside := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(gitDir, "lfs")))
	s := newLFSServer(t, false)
	p := s.add("x\n")
	st, err := OpenStore(gitDir)
	require.NoError(t, err)
	defer st.Close()
	_, _, err = st.Fetch(context.Background(), s.client(), "", []Pointer{p})
	require.Error(t, err, "a symlinked lfs directory is not followed out of .git")
	entries, _ := os.ReadDir(outside)
	require.Empty(t, entries)
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
