package artifacts

import (
	"errors"
	"fmt"
	"io"

	"kuberunner/helpers/pathglob"
)

// Options say how Write builds an artifact.
type Options struct {
	Format      Format
	Compression Compression
	// Metadata asks for GitLab's metadata file of a zip in Result.Metadata.
	Metadata bool
	// Refused is told of each path the selection refused; nil ignores them.
	Refused func(*pathglob.Refusal)
}

// Result is what an artifact holds.
type Result struct {
	Files, Dirs, Symlinks int
	// Bytes is the files' content, before compression.
	Bytes int64
	// Metadata is GitLab's metadata file (gzip) of a zip, when asked for.
	Metadata []byte
}

// Entries is how many entries the artifact holds.
func (r Result) Entries() int { return r.Files + r.Dirs + r.Symlinks }

// ErrRawNeedsOneFile is a raw artifact whose paths select more than one
// file: raw sends one file as it is.
var ErrRawNeedsOneFile = errors.New("a raw artifact is exactly one file, and the paths select more")

// Write builds the artifact of the entries sel selects into w, one file at
// a time. Directories and symlinks go only into a zip; gzip and raw carry
// regular files. Refusals go to opts.Refused; any other error of the
// selection or of w ends the write.
func Write(w io.Writer, sel *pathglob.Selection, opts Options) (Result, error) {
	level, err := opts.Compression.Level()
	if err != nil {
		return Result{}, err
	}
	var sink entrySink
	switch opts.Format {
	case FormatZip:
		sink = newZipSink(w, level, opts.Metadata)
	case FormatGzip:
		sink = &gzipSink{w: w, level: level}
	case FormatRaw:
		sink = &rawSink{w: w}
	default:
		return Result{}, fmt.Errorf("artifact format %q is not zip, gzip or raw", opts.Format)
	}
	res, err := copyEntries(sel, sink, opts.Refused)
	if err != nil {
		return res, err
	}
	res.Metadata, err = sink.close()
	return res, err
}

// Count is what Write would put in an artifact of format f, without
// reading any file: for the log and for the checks before an upload.
func Count(sel *pathglob.Selection, f Format, refused func(*pathglob.Refusal)) (Result, error) {
	return copyEntries(sel, countSink{format: f}, refused)
}

// entrySink is one format's writer.
type entrySink interface {
	// add writes one entry; it reports whether the format holds it.
	add(sel *pathglob.Selection, e pathglob.Entry) (bool, error)
	// close ends the stream and returns the zip's metadata, if any.
	close() ([]byte, error)
}

func copyEntries(sel *pathglob.Selection, sink entrySink, refused func(*pathglob.Refusal)) (Result, error) {
	var res Result
	for e, err := range sel.All() {
		var ref *pathglob.Refusal
		switch {
		case errors.As(err, &ref):
			if refused != nil {
				refused(ref)
			}
			continue
		case err != nil:
			return res, err
		}
		taken, err := sink.add(sel, e)
		if err != nil {
			return res, err
		}
		if taken {
			res.count(e)
		}
	}
	return res, nil
}

func (r *Result) count(e pathglob.Entry) {
	switch {
	case e.IsDir():
		r.Dirs++
	case e.IsSymlink():
		r.Symlinks++
	default:
		r.Files++
		r.Bytes += e.Info.Size()
	}
}

// countSink takes what its format would take, writing nothing.
type countSink struct{ format Format }

func (c countSink) add(_ *pathglob.Selection, e pathglob.Entry) (bool, error) {
	return c.format == FormatZip || e.IsRegular(), nil
}

func (countSink) close() ([]byte, error) { return nil, nil }

// copyFile copies one selected regular file into w.
func copyFile(w io.Writer, sel *pathglob.Selection, e pathglob.Entry) error {
	f, err := sel.Open(e)
	if err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	return nil
}
