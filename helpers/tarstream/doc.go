// Package tarstream moves a directory tree through a byte stream: Write on
// the runner's side, Extract in the helper container, with exec's stdin in
// between.
//
// The stream crosses a trust boundary: whatever reaches the helper's stdin
// is unpacked as root into a volume other containers use. So Extract treats
// every archive as hostile. It refuses names that climb out of its
// directory, never writes through a symlink (one the archive made or one
// already on disk), never replaces an existing file, and makes only regular
// files, directories and symlinks. Each refusal is an *EntryError naming the
// entry, carrying one of the sentinel errors for errors.Is.
package tarstream
