package cachearchive

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// errMiss is a key the store does not hold: the next key is tried.
var errMiss = errors.New("no such object")

// TransferError is a download or upload that failed. It names the object
// by Where (host and path): the URL's query holds the signature and the
// access key ID, and is never shown.
type TransferError struct {
	Method string
	Where  string
	Err    error
}

func (e *TransferError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.Where, e.Err) }
func (e *TransferError) Unwrap() error { return e.Err }

// StatusError is the store's answer to a request that failed: the status
// and S3's error code and message, never the rest of its body (an S3
// error can quote the access key ID).
type StatusError struct {
	Status  string
	Code    string
	Message string
}

func (e *StatusError) Error() string {
	if e.Code == "" {
		return e.Status
	}
	return fmt.Sprintf("%s: %s: %s", e.Status, e.Code, e.Message)
}

// Where is u without its query and userinfo: what a log may show.
func Where(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Host + u.EscapedPath()
}

// download copies the object at raw into the file at dst. A 404 is errMiss.
func download(ctx context.Context, client *http.Client, raw, dst string) (int64, error) {
	fail := func(err error) (int64, error) { return 0, &TransferError{"GET", Where(raw), err} }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return fail(errors.New("bad URL"))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(cause(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return 0, errMiss
	}
	if resp.StatusCode != http.StatusOK {
		return fail(statusError(resp))
	}
	f, err := createFile(dst)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, &TransferError{"GET", Where(raw), cause(err)}
	}
	return n, nil
}

// upload sends the file at src to up.URL with its length, which a signed
// S3 PUT needs, and up.Headers.
func upload(ctx context.Context, client *http.Client, up Upload, src string) error {
	raw := up.URL
	fail := func(err error) error { return &TransferError{"PUT", Where(raw), err} }
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, raw, f)
	if err != nil {
		return fail(errors.New("bad URL"))
	}
	req.ContentLength = fi.Size()
	req.Header.Set("Content-Type", "application/zip")
	for k, v := range up.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(cause(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fail(statusError(resp))
	}
	return nil
}

// cause drops a *url.Error's URL, which holds the signed query.
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("timed out: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}

// statusError reads S3's Code and Message from at most 4 KiB of the body.
func statusError(resp *http.Response) error {
	var body struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&body)
	return &StatusError{Status: resp.Status, Code: oneLine(body.Code), Message: oneLine(body.Message)}
}

// oneLine keeps a server's text to one short line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
