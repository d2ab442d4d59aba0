package lfs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Download GETs the object of p as the server's answer obj says, and
// writes it to w. The bytes are checked as they pass: more or fewer than
// p.Size, or another sha256, is a *VerifyError, and w then holds bytes
// that must not be used.
func (c *Client) Download(ctx context.Context, obj Object, p Pointer, w io.Writer) error {
	req, err := c.downloadRequest(obj, p)
	if err != nil {
		return err
	}
	op := "download of " + p.OID
	return c.do(ctx, op, req, func(r io.Reader) error { return copyVerified(w, r, p) })
}

// downloadRequest is the GET of obj's href with the action's headers, and
// the caller's credentials where the server asks for them.
func (c *Client) downloadRequest(obj Object, p Pointer) (*http.Request, error) {
	a := obj.Actions.Download
	if a == nil {
		return nil, &ObjectError{OID: p.OID, Message: "no download action"}
	}
	u, err := url.Parse(a.Href)
	switch {
	case err != nil:
		return nil, &HrefError{OID: p.OID, Problem: "does not parse"}
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, &HrefError{OID: p.OID, Problem: "is not an absolute http(s) URL"}
	case c.Endpoint.Scheme == "https" && u.Scheme != "https":
		return nil, &HrefError{OID: p.OID, Problem: fmt.Sprintf("%s leaves https for %s", printable(u), u.Scheme)}
	}
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &HrefError{OID: p.OID, Problem: "is not a valid request URL"}
	}
	for k, v := range a.Header {
		req.Header.Set(k, v)
	}
	if !obj.Authenticated && req.Header.Get("Authorization") == "" && c.Authorize != nil {
		c.Authorize(req)
	}
	return req, nil
}

// copyVerified copies r to w, reading at most one byte past p.Size, and
// checks the size and the sha256.
func copyVerified(w io.Writer, r io.Reader, p Pointer) error {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(r, p.Size+1))
	switch {
	case err != nil:
		return fmt.Errorf("LFS object %s: %w", p.OID, err)
	case n != p.Size:
		return &VerifyError{OID: p.OID, Problem: fmt.Sprintf("the pointer says %d bytes, the server sent %s", p.Size, sizeText(n, p.Size))}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != p.OID {
		return &VerifyError{OID: p.OID, Problem: "the content's sha256 is " + got}
	}
	return nil
}

func sizeText(n, want int64) string {
	if n > want {
		return "more"
	}
	return fmt.Sprintf("%d", n)
}
