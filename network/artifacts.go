package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
)

// ArtifactUpload is one artifact for POST /api/v4/jobs/:id/artifacts.
type ArtifactUpload struct {
	JobID int64
	Token string
	// Filename names the file part, e.g. "artifacts.zip".
	Filename               string
	Type, Format, ExpireIn string
	// Write writes the artifact into the file part and returns the content
	// of a metadata part, or nil for none. It is called for every try and
	// every redirect that must resend the body: the artifact is built
	// again from its files rather than held in memory.
	Write func(file io.Writer) (metadata []byte, err error)
}

// Transfer is what an artifact's upload or download did, for the log.
type Transfer struct {
	// Bytes is the artifact's size as sent or received by the last try.
	Bytes int64
	// Status is the last answer's status, 0 when none came.
	Status int
	// Host is the host that answered last: GitLab's, or object
	// storage's after a redirect.
	Host string
	// Redirected is true when that host is not GitLab's origin.
	Redirected bool
	Attempts   int
}

// ArtifactSourceError is an artifact that could not be built (a file
// that cannot be read, a raw artifact of several files): the job's
// files are at fault, not the network. It is not retried.
type ArtifactSourceError struct{ Err error }

func (e *ArtifactSourceError) Error() string { return "building the artifact: " + e.Err.Error() }
func (e *ArtifactSourceError) Unwrap() error { return e.Err }

// UploadArtifact sends the artifact with the job token, the body streamed
// as multipart (chunked, never buffered). Transport errors, 408, 429 and
// 5xx are retried under the client's policy, the artifact rebuilt each
// time; a 307 or 308 to object storage is followed with the body built
// again and without the job token. Another answer than 201 is a
// *StatusError (errors.Is ErrTooLarge for 413).
func (c *Client) UploadArtifact(ctx context.Context, up ArtifactUpload) (Transfer, error) {
	q := url.Values{"artifact_type": {up.Type}, "artifact_format": {up.Format}}
	if up.ExpireIn != "" {
		q.Set("expire_in", up.ExpireIn)
	}
	req := request{
		op: "upload artifacts", method: http.MethodPost, path: fmt.Sprintf("jobs/%d/artifacts", up.JobID),
		header: jobTokenHeader(up.Token), redirects: toObjectStorage,
	}
	var tr Transfer
	err := c.retrying(ctx, req, func() error {
		tr.Attempts++
		r, err := c.uploadOnce(ctx, req, q, up, &tr)
		if err != nil {
			return err
		}
		if r.status == http.StatusCreated {
			return nil
		}
		return c.statusError(req.op, r)
	})
	return tr, err
}

func jobTokenHeader(token string) http.Header {
	h := http.Header{}
	h.Set("JOB-TOKEN", token)
	return h
}

// uploadOnce is one try, redirects included.
func (c *Client) uploadOnce(ctx context.Context, req request, q url.Values, up ArtifactUpload, tr *Transfer) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.artifactTimeout)
	defer cancel()
	ctx = withRedirectPolicy(ctx, req.redirects)
	boundary := multipart.NewWriter(io.Discard).Boundary() // one for every body of the try
	bodies := []*uploadBody{newUploadBody(up, boundary)}
	hreq, err := http.NewRequestWithContext(ctx, req.method, c.endpoint(req.path)+"?"+q.Encode(), bodies[0].reader)
	if err != nil {
		return nil, err
	}
	hreq.GetBody = func() (io.ReadCloser, error) {
		b := newUploadBody(up, boundary)
		bodies = append(bodies, b)
		return b.reader, nil
	}
	c.setHeaders(hreq, req.header)
	hreq.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	resp, doErr := c.http.Do(hreq)
	last := bodies[len(bodies)-1]
	for _, b := range bodies {
		b.stop()
	}
	tr.Bytes = last.sent
	if last.err != nil && !errors.Is(last.err, errBodyStopped) && !errors.Is(last.err, io.ErrClosedPipe) {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, &ArtifactSourceError{Err: last.err}
	}
	if doErr != nil {
		return nil, c.noAnswer(req, doErr)
	}
	return c.readAnswer(req, resp, tr), nil
}

// setHeaders puts the request's headers and the client's User-Agent on h.
func (c *Client) setHeaders(h *http.Request, header http.Header) {
	for k, v := range header {
		h.Header[k] = v
	}
	h.Header.Set("User-Agent", c.userAgent)
}

// readAnswer reads the start of an answer, enough for a message, and
// notes who gave it.
func (c *Client) readAnswer(req request, resp *http.Response, tr *Transfer) *response {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxQuotedBody))
	tr.Status, tr.Host = resp.StatusCode, resp.Request.URL.Host
	tr.Redirected = !sameOrigin(c.base, resp.Request.URL)
	return &response{status: resp.StatusCode, header: resp.Header, body: body, bodyErr: err, secrets: secretsOf(req)}
}

// errBodyStopped is how a body's writer learns that the request is over
// (answered, redirected or failed) and nobody reads any more.
var errBodyStopped = errors.New("the request no longer reads the body")

// uploadBody is one multipart body, written by its own goroutine into a
// pipe the request reads.
type uploadBody struct {
	reader *io.PipeReader
	done   chan struct{}
	err    error // the writer's, set before done closes
	sent   int64 // the file part's bytes, set before done closes
}

func newUploadBody(up ArtifactUpload, boundary string) *uploadBody {
	pr, pw := io.Pipe()
	b := &uploadBody{reader: pr, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.err = b.write(pw, up, boundary)
		pw.CloseWithError(b.err)
	}()
	return b
}

func (b *uploadBody) write(w io.Writer, up ArtifactUpload, boundary string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	part, err := mw.CreateFormFile("file", up.Filename)
	if err != nil {
		return err
	}
	cw := &countingWriter{w: part}
	meta, err := up.Write(cw)
	b.sent = cw.n
	if err != nil {
		return err
	}
	if meta != nil {
		mp, err := mw.CreateFormFile("metadata", "metadata.gz")
		if err != nil {
			return err
		}
		if _, err := mp.Write(meta); err != nil {
			return err
		}
	}
	return mw.Close()
}

// stop ends the body's reading and waits for its writer.
func (b *uploadBody) stop() {
	b.reader.CloseWithError(errBodyStopped)
	<-b.done
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
