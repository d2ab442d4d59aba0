// Package namedfile reads a file that a person named, with a flag or an
// environment variable, and refuses what is not a plain file of a sensible
// size. A missing file is an error, never a reason to fall back to
// defaults; a named pipe or a device is refused without blocking on it or
// reading it forever. It is a leaf: it imports nothing of kuberunner.
package namedfile
