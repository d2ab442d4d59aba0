package artifacts

import (
	"archive/zip"
	"compress/flate"
	"io"

	"kuberunner/helpers/pathglob"
)

// zipSink writes a zip archive as a stream: each entry's sizes and CRC
// follow its data (a data descriptor), so nothing is buffered.
type zipSink struct {
	zw       *zip.Writer
	meta     *metadataWriter // nil: not asked for
	previous *zip.FileHeader // filled in by zip once the next entry starts
}

func newZipSink(w io.Writer, level int, withMetadata bool) *zipSink {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, level)
	})
	s := &zipSink{zw: zw}
	if withMetadata {
		s.meta = newMetadataWriter()
	}
	return s
}

func (s *zipSink) add(sel *pathglob.Selection, e pathglob.Entry) (bool, error) {
	hdr, err := zip.FileInfoHeader(e.Info)
	if err != nil {
		return false, err
	}
	hdr.Name = e.Path
	hdr.Method = zip.Store
	if e.IsDir() {
		hdr.Name += "/"
	} else if e.IsRegular() {
		hdr.Method = zip.Deflate
	}
	w, err := s.zw.CreateHeader(hdr) // closes the previous entry
	if err != nil {
		return false, err
	}
	s.note()
	s.previous = hdr
	switch {
	case e.IsSymlink():
		_, err = io.WriteString(w, e.Link) // zip's way: the target is the content
	case e.IsRegular():
		err = copyFile(w, sel, e)
	}
	return true, err
}

// note hands the finished previous entry to the metadata: archive/zip
// sets its CRC and sizes in the header when the entry is closed.
func (s *zipSink) note() {
	if s.meta != nil && s.previous != nil {
		s.meta.add(s.previous)
	}
	s.previous = nil
}

func (s *zipSink) close() ([]byte, error) {
	if err := s.zw.Close(); err != nil {
		return nil, err
	}
	s.note()
	if s.meta == nil {
		return nil, nil
	}
	return s.meta.bytes()
}
