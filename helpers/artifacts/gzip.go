package artifacts

import (
	"compress/gzip"
	"io"

	"kuberunner/helpers/pathglob"
)

// gzipSink writes each regular file as a gzip member of its own, named
// after the file, one after the other: what GitLab reads as a gzip report
// (junit and the like) of one or more files.
type gzipSink struct {
	w     io.Writer
	level int
}

func (s *gzipSink) add(sel *pathglob.Selection, e pathglob.Entry) (bool, error) {
	if !e.IsRegular() {
		return false, nil
	}
	gz, err := gzip.NewWriterLevel(s.w, s.level)
	if err != nil {
		return false, err
	}
	gz.Name, gz.ModTime = e.Path, e.Info.ModTime()
	if err := copyFile(gz, sel, e); err != nil {
		return false, err
	}
	return true, gz.Close()
}

func (*gzipSink) close() ([]byte, error) { return nil, nil }

// rawSink writes the one regular file as it is.
type rawSink struct {
	w    io.Writer
	done bool
}

func (s *rawSink) add(sel *pathglob.Selection, e pathglob.Entry) (bool, error) {
	if !e.IsRegular() {
		return false, nil
	}
	if s.done {
		return false, ErrRawNeedsOneFile
	}
	s.done = true
	return true, copyFile(s.w, sel, e)
}

func (*rawSink) close() ([]byte, error) { return nil, nil }
