package cachearchive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"kuberunner/helpers/artifacts"
)

// MaxRequestSize bounds a request document: signed URLs are about 1 KiB
// each, and a job has at most four caches of a few keys.
const MaxRequestSize = 1 << 20

// Request is the document `kuberunner helper cache-extract` and
// `cache-archive` read on stdin; the executor fills it. This type is its
// one definition.
type Request struct {
	// Dir is the project directory the paths are relative to.
	Dir string `json:"dir"`
	// StateDir is where the helper keeps the archives in transit and what
	// it extracted, between the two commands; outside Dir.
	StateDir string `json:"state_dir"`
	// TimeoutSeconds bounds each download or upload (CACHE_REQUEST_TIMEOUT).
	TimeoutSeconds int `json:"timeout_seconds"`
	// Compression is CACHE_COMPRESSION_LEVEL.
	Compression artifacts.Compression `json:"compression,omitempty"`
	Caches      []Cache               `json:"caches"`
}

// Cache is one entry of the job's cache.
type Cache struct {
	// Key is the key the entry writes.
	Key       string   `json:"key"`
	Paths     []string `json:"paths,omitempty"`
	Untracked bool     `json:"untracked,omitempty"`
	// Sources are the keys to read, in order, with their GET URLs.
	Sources []Source `json:"sources,omitempty"`
	// Upload is where Archive puts the archive; nil for Extract.
	Upload *Upload `json:"upload,omitempty"`
}

// Source is one key to read.
type Source struct {
	Key string `json:"key"`
	URL string `json:"url"`
}

// Upload is the signed PUT of Key and the archive's largest size.
type Upload struct {
	URL string `json:"url"`
	// Headers go with the PUT: the URL's signature covers them.
	Headers map[string]string `json:"headers,omitempty"`
	// MaxSize is MaxUploadedArchiveSize; 0: no limit.
	MaxSize int64 `json:"max_size,omitempty"`
}

// RequestError is a request the helper refuses; Field is its JSON name.
// It never quotes a URL.
type RequestError struct {
	Field   string
	Problem string
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("cache request: %s %s", e.Field, e.Problem)
}

// ReadRequest decodes one document of at most MaxRequestSize bytes, with
// no unknown field, and checks it against root, the builds directory that
// Dir and StateDir must be below.
func ReadRequest(r io.Reader, root string) (Request, error) {
	var req Request
	data, err := io.ReadAll(io.LimitReader(r, MaxRequestSize+1))
	if err != nil {
		return req, fmt.Errorf("reading the cache request: %w", err)
	}
	if len(data) > MaxRequestSize {
		return req, &RequestError{Field: "document", Problem: fmt.Sprintf("is larger than %d bytes", MaxRequestSize)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		// json's messages name fields and offsets, never values.
		return req, &RequestError{Field: "document", Problem: "is not valid: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, &RequestError{Field: "document", Problem: "has data after the JSON object"}
	}
	return req, req.Validate(root)
}

// Validate checks the request without touching the disk or the network.
func (r Request) Validate(root string) error {
	if err := below("dir", r.Dir, root); err != nil {
		return err
	}
	if err := below("state_dir", r.StateDir, root); err != nil {
		return err
	}
	if inside(r.StateDir, r.Dir) || inside(r.Dir, r.StateDir) {
		return &RequestError{Field: "state_dir", Problem: "must not be inside dir, nor dir inside it"}
	}
	if r.TimeoutSeconds <= 0 {
		return &RequestError{Field: "timeout_seconds", Problem: "must be 1 or more"}
	}
	if _, err := r.Compression.Level(); err != nil {
		return &RequestError{Field: "compression", Problem: err.Error()}
	}
	for _, c := range r.Caches {
		if err := c.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (c Cache) validate() error {
	if c.Key == "" {
		return &RequestError{Field: "key", Problem: "is required"}
	}
	for _, s := range c.Sources {
		if s.Key == "" || checkURL(s.URL) != nil {
			return &RequestError{Field: "sources", Problem: fmt.Sprintf("of %q needs a key and an http(s) URL each", c.Key)}
		}
	}
	if c.Upload != nil && (checkURL(c.Upload.URL) != nil || c.Upload.MaxSize < 0) {
		return &RequestError{Field: "upload", Problem: fmt.Sprintf("of %q needs an http(s) URL and a size of 0 or more", c.Key)}
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("not an http(s) URL")
	}
	return nil
}

// below checks that p is a clean absolute path strictly below root.
func below(field, p, root string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || !inside(p, root) {
		return &RequestError{Field: field, Problem: fmt.Sprintf("%q must be a clean absolute path below %s", p, root)}
	}
	return nil
}

// inside reports whether p is below dir (not dir itself).
func inside(p, dir string) bool {
	return strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}
