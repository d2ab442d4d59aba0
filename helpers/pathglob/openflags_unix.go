//go:build unix

package pathglob

import "syscall"

// openNoFollow makes open refuse a symlink as the last component.
const openNoFollow = syscall.O_NOFOLLOW
