//go:build unix

package tarstream

import "syscall"

// Flags that make open refuse a symlink as the last path component: the
// check that closes the gap between Lstat and open.
const (
	openNoFollow  = syscall.O_NOFOLLOW
	openDirectory = syscall.O_DIRECTORY
)
