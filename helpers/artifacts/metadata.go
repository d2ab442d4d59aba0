package artifacts

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"
)

// MetadataVersion opens GitLab's metadata file of a zip archive, the file
// GitLab browses an archive with. After it come the errors ("{}") and then
// each entry's name and its JSON description, every string preceded by its
// length as a big-endian uint32, the whole gzipped.
const MetadataVersion = "GitLab Build Artifacts Metadata 0.0.2\n"

// EntryMetadata is one entry's description in the metadata file.
type EntryMetadata struct {
	Modified int64  `json:"modified"`
	Mode     string `json:"mode"` // permission bits in octal
	CRC      uint32 `json:"crc"`
	Size     uint64 `json:"size"`
	Zipped   uint64 `json:"zipped"`
	Comment  string `json:"comment,omitempty"`
}

// metadataWriter collects the entries as the zip is written; their names,
// not their content, are held until the end.
type metadataWriter struct {
	entries map[string]EntryMetadata
}

func newMetadataWriter() *metadataWriter {
	return &metadataWriter{entries: map[string]EntryMetadata{}}
}

func (m *metadataWriter) add(h *zip.FileHeader) {
	m.entries[h.Name] = EntryMetadata{
		Modified: h.Modified.Unix(),
		Mode:     strconv.FormatUint(uint64(h.Mode().Perm()), 8),
		CRC:      h.CRC32, Size: h.UncompressedSize64, Zipped: h.CompressedSize64,
		Comment: h.Comment,
	}
}

// bytes is the metadata file: every entry sorted by name, with the folders
// above an entry listed too (GitLab's browser walks down from the top),
// as described entries of their own when the zip lacks them.
func (m *metadataWriter) bytes() ([]byte, error) {
	for name := range m.entries {
		for dir := path.Dir(strings.TrimSuffix(name, "/")); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if _, ok := m.entries[dir+"/"]; !ok {
				m.entries[dir+"/"] = EntryMetadata{Mode: "755"}
			}
		}
	}
	names := make([]string, 0, len(m.entries))
	for name := range m.entries {
		names = append(names, name)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	writeString(gz, MetadataVersion)
	writeString(gz, "{}")
	for _, name := range names {
		desc, err := json.Marshal(m.entries[name])
		if err != nil {
			return nil, err
		}
		writeString(gz, name)
		writeString(gz, string(desc)+"\n")
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeString writes s with its length first. The writer is a gzip
// writer into memory, whose errors Close reports.
func writeString(gz *gzip.Writer, s string) {
	_ = binary.Write(gz, binary.BigEndian, uint32(len(s)))
	_, _ = gz.Write([]byte(s))
}
