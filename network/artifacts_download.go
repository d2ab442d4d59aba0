package network

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// DownloadTarget is where a download goes: a file that a retry can start
// over.
type DownloadTarget interface {
	io.Writer
	io.Seeker
	Truncate(size int64) error
}

// DownloadArtifacts fetches job id's artifacts archive with token into
// dst: GET /api/v4/jobs/:id/artifacts with direct_download=true, so that
// GitLab may redirect to object storage; the redirect is followed without
// the job token. Transport errors, a body cut short, 408, 429 and 5xx are
// retried from the start; another answer than 200 is a *StatusError
// (errors.Is ErrNotFound for 404).
func (c *Client) DownloadArtifacts(ctx context.Context, jobID int64, token string, dst DownloadTarget) (Transfer, error) {
	req := request{
		op: "download artifacts", method: http.MethodGet, path: fmt.Sprintf("jobs/%d/artifacts", jobID),
		header: jobTokenHeader(token), redirects: toObjectStorage,
	}
	var tr Transfer
	err := c.retrying(ctx, req, func() error {
		tr.Attempts++
		return c.downloadOnce(ctx, req, dst, &tr)
	})
	return tr, err
}

func (c *Client) downloadOnce(ctx context.Context, req request, dst DownloadTarget, tr *Transfer) error {
	if err := rewind(dst); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.artifactTimeout)
	defer cancel()
	ctx = withRedirectPolicy(ctx, req.redirects)
	hreq, err := http.NewRequestWithContext(ctx, req.method, c.endpoint(req.path)+"?direct_download=true", nil)
	if err != nil {
		return err
	}
	c.setHeaders(hreq, req.header)
	resp, err := c.http.Do(hreq)
	if err != nil {
		return c.noAnswer(req, err)
	}
	if resp.StatusCode != http.StatusOK {
		return c.statusError(req.op, c.readAnswer(req, resp, tr))
	}
	defer resp.Body.Close()
	tr.Status, tr.Host = resp.StatusCode, resp.Request.URL.Host
	tr.Redirected = !sameOrigin(c.base, resp.Request.URL)
	tr.Bytes, err = io.Copy(dst, &answerReader{r: resp.Body, op: req.op})
	return err
}

func rewind(dst DownloadTarget) error {
	if err := dst.Truncate(0); err != nil {
		return err
	}
	_, err := dst.Seek(0, io.SeekStart)
	return err
}

// answerReader marks the errors of reading an answer as transport errors,
// worth a retry, apart from those of writing it to disk, which are not.
type answerReader struct {
	r  io.Reader
	op string
}

func (a *answerReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		err = &transportError{op: a.op, err: fmt.Errorf("reading the answer: %w", err)}
	}
	return n, err
}
