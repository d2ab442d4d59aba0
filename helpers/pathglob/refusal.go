package pathglob

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Reason says why a path was refused.
type Reason int

const (
	// OutsideRoot is a path or archive name that is absolute outside the
	// directory or climbs out of it with "..".
	OutsideRoot Reason = iota + 1
	// SymlinkOutside is a symlink whose target, once resolved, is outside
	// the directory. It is refused whether it is the selected path itself
	// or a folder on the way to it.
	SymlinkOutside
	// NotRegular is a device, named pipe or socket: archives hold only
	// files, directories and symlinks.
	NotRegular
)

func (r Reason) String() string {
	switch r {
	case OutsideRoot:
		return "is outside the project directory"
	case SymlinkOutside:
		return "is a symlink that leads out of the project directory"
	case NotRegular:
		return "is not a regular file, directory or symlink"
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Refusal is a path that was not selected, or an archive name that must
// not be unpacked, because it leads out of the directory. It is an error
// value so that it travels through iterators and errors.As, but selection
// goes on after one.
type Refusal struct {
	// Pattern is the rule that led to the path ("" for CheckName).
	Pattern string
	// Path is what is at fault: the pattern as written for OutsideRoot,
	// the symlink's path relative to the directory for SymlinkOutside.
	Path   string
	Reason Reason
}

func (r *Refusal) Error() string {
	if r.Pattern != "" && r.Pattern != r.Path {
		return fmt.Sprintf("%s (from %s) %s", r.Path, r.Pattern, r.Reason)
	}
	return fmt.Sprintf("%s %s", r.Path, r.Reason)
}

// CheckName turns a slash-separated name read from an archive into a clean
// relative OS path, or refuses it with a *Refusal (OutsideRoot) when it is
// absolute, empty or climbs out with "..". Names are refused, not trimmed:
// an archive that holds one is broken or hostile.
func CheckName(name string) (string, error) {
	p := filepath.FromSlash(strings.TrimSuffix(name, "/"))
	if name == "" || !filepath.IsLocal(p) || path.IsAbs(name) {
		return "", &Refusal{Path: name, Reason: OutsideRoot}
	}
	return filepath.Clean(p), nil
}
