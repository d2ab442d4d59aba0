package lfs

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxPointerSize is the size under which a blob may be a pointer: the spec
// leaves it to clients, and git-lfs reads no more than this.
const MaxPointerSize = 1024

// The version lines a pointer may start with: the spec's, and the one of
// git-lfs's pre-releases, which clients still read.
const (
	specV1     = "https://git-lfs.github.com/spec/v1"
	specHawser = "https://hawser.github.com/spec/v1"
)

// ErrNotPointer is a blob that is not a pointer file: git-lfs leaves such
// a file as it is, and so does the caller.
var ErrNotPointer = errors.New("not a Git LFS pointer")

// Pointer is what a pointer file names: the object's sha256, in lowercase
// hex, and its size in bytes.
type Pointer struct {
	OID  string
	Size int64
}

// ExtensionError is a pointer to content that went through LFS extensions
// (ext-N-name keys): the object is not the file, and this package cannot
// undo them.
type ExtensionError struct{ Keys []string }

func (e *ExtensionError) Error() string {
	return fmt.Sprintf("the pointer names Git LFS extensions (%s), which the helper cannot apply", strings.Join(e.Keys, ", "))
}

// ParsePointer reads a pointer file: UTF-8 lines "key value\n", version
// first, the other keys sorted, oid "sha256:<64 hex>" and size required.
// Anything else is ErrNotPointer (wrapped with the reason).
func ParsePointer(data []byte) (Pointer, error) {
	if len(data) > MaxPointerSize || !utf8.Valid(data) || !strings.HasSuffix(string(data), "\n") {
		return Pointer{}, notPointer("not a short UTF-8 text ending in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if v, ok := strings.CutPrefix(lines[0], "version "); !ok || (v != specV1 && v != specHawser) {
		return Pointer{}, notPointer("no known version line first")
	}
	fields, err := keyValues(lines[1:])
	if err != nil {
		return Pointer{}, err
	}
	return pointerOf(fields)
}

// keyValues reads the lines after the version, which must be sorted.
func keyValues(lines []string) (map[string]string, error) {
	out := make(map[string]string, len(lines))
	prev := ""
	for _, l := range lines {
		k, v, ok := strings.Cut(l, " ")
		if !ok || !validKey(k) || k <= prev || strings.ContainsRune(v, '\r') {
			return nil, notPointer(fmt.Sprintf("a line that is not a sorted key and value: %q", l))
		}
		out[k], prev = v, k
	}
	return out, nil
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// pointerOf takes the oid and size out of a pointer's keys.
func pointerOf(fields map[string]string) (Pointer, error) {
	hex, ok := strings.CutPrefix(fields["oid"], "sha256:")
	if !ok || !isSHA256(hex) {
		return Pointer{}, notPointer("no oid sha256:<64 hex digits>")
	}
	size, err := strconv.ParseInt(fields["size"], 10, 64)
	if err != nil || size < 0 || fields["size"] != strconv.FormatInt(size, 10) {
		return Pointer{}, notPointer("no size in bytes")
	}
	var ext []string
	for k := range fields {
		if strings.HasPrefix(k, "ext-") {
			ext = append(ext, k)
		}
	}
	if len(ext) > 0 {
		sort.Strings(ext)
		return Pointer{}, &ExtensionError{Keys: ext}
	}
	return Pointer{OID: hex, Size: size}, nil
}

// isSHA256 reports whether s is 64 lowercase hex digits, as oids are
// written.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func notPointer(why string) error { return fmt.Errorf("%w: %s", ErrNotPointer, why) }

// String is the pointer file for p, as git-lfs writes it.
func (p Pointer) String() string {
	return fmt.Sprintf("version %s\noid sha256:%s\nsize %d\n", specV1, p.OID, p.Size)
}
