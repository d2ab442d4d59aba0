package artifacts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"kuberunner/helpers/clienttls"
)

// Format is an artifact's artifact_format.
type Format string

// The formats GitLab knows: a zip archive of the selected files, the
// files as gzip streams one after the other, or one file as it is.
const (
	FormatZip  Format = "zip"
	FormatGzip Format = "gzip"
	FormatRaw  Format = "raw"
)

// Compression is ARTIFACT_COMPRESSION_LEVEL, how hard zip and gzip
// compress.
type Compression string

// The levels GitLab Runner names; "" is CompressionDefault.
const (
	CompressionFastest Compression = "fastest"
	CompressionFast    Compression = "fast"
	CompressionDefault Compression = "default"
	CompressionSlow    Compression = "slow"
	CompressionSlowest Compression = "slowest"
)

// MaxRequestSize bounds a request document: the TLS material is the
// largest part.
const MaxRequestSize = 1 << 20

// Target is where GitLab is and how to reach it: the API's base URL, the
// job and the token to use, and the runner's TLS files.
type Target struct {
	// URL is GitLab's base URL (the runner's url); the API is below it.
	URL   string `json:"url"`
	JobID int64  `json:"job_id"`
	Token string `json:"token"`
	// TLS is the runner's tls-* files; nil trusts the system's roots.
	TLS *clienttls.Material `json:"tls,omitempty"`
}

// UploadRequest is one entry of the job's artifacts, with its paths
// already expanded by the executor.
type UploadRequest struct {
	Target
	// Dir is the project directory the paths are relative to.
	Dir       string   `json:"dir"`
	Name      string   `json:"name"`
	Type      string   `json:"artifact_type"`
	Format    Format   `json:"artifact_format"`
	ExpireIn  string   `json:"expire_in,omitempty"`
	Paths     []string `json:"paths,omitempty"`
	Exclude   []string `json:"exclude,omitempty"`
	Untracked bool     `json:"untracked,omitempty"`
	// Metadata: send GitLab's metadata file of a zip (JobFeatures.ArtifactsMetadata).
	Metadata    bool        `json:"metadata,omitempty"`
	Compression Compression `json:"compression,omitempty"`
}

// DownloadRequest is one dependency: Target.JobID is the dependency's job,
// Target.Token the token the payload gives for it.
type DownloadRequest struct {
	Target
	// Name is the dependency's job name, for the log.
	Name string `json:"name"`
	Dir  string `json:"dir"`
}

// RequestError is a request the helper refuses; Field is its JSON name.
type RequestError struct {
	Field   string
	Problem string
}

func (e *RequestError) Error() string {
	if e.Field == "" {
		return "artifacts request: " + e.Problem
	}
	return fmt.Sprintf("artifacts request: %s %s", e.Field, e.Problem)
}

// ReadUpload decodes and checks an UploadRequest.
func ReadUpload(r io.Reader) (UploadRequest, error) {
	var req UploadRequest
	if err := decode(r, &req); err != nil {
		return req, err
	}
	return req, req.Validate()
}

// ReadDownload decodes and checks a DownloadRequest.
func ReadDownload(r io.Reader) (DownloadRequest, error) {
	var req DownloadRequest
	if err := decode(r, &req); err != nil {
		return req, err
	}
	return req, req.Validate()
}

// decode reads one JSON object of at most MaxRequestSize bytes with no
// unknown field. json's messages name fields and offsets, never values.
func decode(r io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxRequestSize+1))
	if err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	if len(data) > MaxRequestSize {
		return &RequestError{Problem: fmt.Sprintf("the document is larger than %d bytes", MaxRequestSize)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &RequestError{Problem: "not a valid request document: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &RequestError{Problem: "not a valid request document: data after the JSON object"}
	}
	return nil
}

// Validate checks the request without touching the disk or the network.
func (r UploadRequest) Validate() error {
	if err := r.Target.validate(); err != nil {
		return err
	}
	if err := checkDir(r.Dir); err != nil {
		return err
	}
	if r.Type == "" {
		return &RequestError{Field: "artifact_type", Problem: "is required"}
	}
	switch r.Format {
	case FormatZip, FormatGzip, FormatRaw:
	default:
		return &RequestError{Field: "artifact_format", Problem: fmt.Sprintf("%q is not zip, gzip or raw", r.Format)}
	}
	if _, err := r.Compression.Level(); err != nil {
		return err
	}
	return nil
}

// Validate checks the request without touching the disk or the network.
func (r DownloadRequest) Validate() error {
	if err := r.Target.validate(); err != nil {
		return err
	}
	return checkDir(r.Dir)
}

func (t Target) validate() error {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not quoted: a URL may carry credentials.
		return &RequestError{Field: "url", Problem: "must be an http or https URL with a host"}
	}
	if t.JobID <= 0 {
		return &RequestError{Field: "job_id", Problem: "must be a job ID (1 or more)"}
	}
	if t.Token == "" {
		return &RequestError{Field: "token", Problem: "is required"}
	}
	if t.TLS != nil {
		return t.TLS.Check()
	}
	return nil
}

func checkDir(dir string) error {
	if !filepath.IsAbs(dir) || filepath.Clean(dir) == "/" {
		return &RequestError{Field: "dir", Problem: "must be an absolute path below /"}
	}
	return nil
}
