package coordinator

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// metadataVersion opens GitLab's metadata file of a zip archive.
const metadataVersion = "GitLab Build Artifacts Metadata 0.0.2\n"

// ZipEntry is one entry of a stored zip.
type ZipEntry struct {
	Name string
	Mode fs.FileMode
	Size uint64
	// SHA256 is the content's, in hex; Content the content itself when
	// it is at most maxKeptContent bytes.
	SHA256  string
	Content []byte
}

const maxKeptContent = 4 << 20

// Entries reads the stored zip's entries, in the archive's order.
func (a Artifact) Entries() ([]ZipEntry, error) {
	zr, err := zip.OpenReader(a.Path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out := make([]ZipEntry, 0, len(zr.File))
	for _, f := range zr.File {
		e, err := readZipEntry(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func readZipEntry(f *zip.File) (ZipEntry, error) {
	rc, err := f.Open()
	if err != nil {
		return ZipEntry{}, err
	}
	defer rc.Close()
	h := sha256.New()
	var kept bytes.Buffer
	w := io.Writer(h)
	if f.UncompressedSize64 <= maxKeptContent {
		w = io.MultiWriter(h, &kept)
	}
	if _, err := io.Copy(w, rc); err != nil { // zip checks the CRC at the end
		return ZipEntry{}, err
	}
	e := ZipEntry{Name: f.Name, Mode: f.Mode(), Size: f.UncompressedSize64, SHA256: hex.EncodeToString(h.Sum(nil))}
	if f.UncompressedSize64 <= maxKeptContent {
		e.Content = kept.Bytes()
	}
	return e, nil
}

// GzipMember is one member of a stored gzip artifact.
type GzipMember struct {
	Name    string
	Content []byte
}

// GzipMembers reads a stored gzip artifact member by member.
func (a Artifact) GzipMembers() ([]GzipMember, error) {
	data, err := os.ReadFile(a.Path)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(data)
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	var out []GzipMember
	for {
		gz.Multistream(false)
		b, err := io.ReadAll(gz)
		if err != nil {
			return nil, err
		}
		out = append(out, GzipMember{Name: gz.Name, Content: b})
		if err := gz.Reset(r); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
	}
}

// checkArtifact is what the server checks of an upload: a zip opens and
// agrees with its metadata, which is there exactly when the job asked for
// it; a gzip decompresses.
func checkArtifact(a Artifact, wantMeta bool) []string {
	switch a.Format {
	case "zip":
		return checkZip(a, wantMeta)
	case "gzip":
		if _, err := a.GzipMembers(); err != nil {
			return []string{"gzip: " + err.Error()}
		}
	}
	if a.Metadata != nil {
		return []string{"a metadata part for a " + a.Format + " artifact"}
	}
	return nil
}

func checkZip(a Artifact, wantMeta bool) []string {
	zr, err := zip.OpenReader(a.Path)
	if err != nil {
		return []string{"zip: " + err.Error()}
	}
	defer zr.Close()
	switch {
	case a.Metadata == nil && wantMeta:
		return []string{"no metadata part, though the job asked for one"}
	case a.Metadata == nil:
		return nil
	case !wantMeta:
		return []string{"a metadata part the job did not ask for"}
	}
	meta, err := readMetadata(a.Metadata)
	if err != nil {
		return []string{"metadata: " + err.Error()}
	}
	return compareMetadata(zr.File, meta)
}

// entryMetadata is an entry's description in the metadata file.
type entryMetadata struct {
	CRC    uint32 `json:"crc"`
	Size   uint64 `json:"size"`
	Zipped uint64 `json:"zipped"`
}

func compareMetadata(files []*zip.File, meta map[string]entryMetadata) []string {
	var problems []string
	inZip := map[string]bool{}
	for _, f := range files {
		inZip[f.Name] = true
		m, ok := meta[f.Name]
		switch {
		case !ok:
			problems = append(problems, "metadata lacks "+f.Name)
		case m.CRC != f.CRC32 || m.Size != f.UncompressedSize64 || m.Zipped != f.CompressedSize64:
			problems = append(problems, fmt.Sprintf("metadata of %s: crc %08x size %d zipped %d; the zip has %08x %d %d",
				f.Name, m.CRC, m.Size, m.Zipped, f.CRC32, f.UncompressedSize64, f.CompressedSize64))
		}
	}
	for name := range meta {
		if !inZip[name] && !strings.HasSuffix(name, "/") {
			problems = append(problems, "metadata lists "+name+", which the zip lacks")
		}
	}
	return problems
}

// readMetadata decodes the gzip of length-prefixed strings: the version,
// the errors, then name and JSON for each entry.
func readMetadata(data []byte) (map[string]entryMetadata, error) {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var strs []string
	for {
		var n uint32
		err := binary.Read(gz, binary.BigEndian, &n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || n > maxMetadata {
			return nil, fmt.Errorf("a string's length: %v", err)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(gz, b); err != nil {
			return nil, err
		}
		strs = append(strs, string(b))
	}
	if len(strs) < 2 || strs[0] != metadataVersion || len(strs)%2 != 0 {
		return nil, errors.New("not GitLab's metadata 0.0.2: version, errors and name/description pairs")
	}
	out := map[string]entryMetadata{}
	for i := 2; i < len(strs); i += 2 {
		var m entryMetadata
		if err := json.Unmarshal([]byte(strs[i+1]), &m); err != nil {
			return nil, fmt.Errorf("%s: %w", strs[i], err)
		}
		out[strs[i]] = m
	}
	return out, nil
}
