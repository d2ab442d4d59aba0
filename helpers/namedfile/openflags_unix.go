//go:build unix

package namedfile

import (
	"os"
	"syscall"
)

// openFlags opens a named pipe without waiting for a writer (O_NONBLOCK),
// so that Read can refuse it, and never makes a terminal device the
// process's controlling terminal (O_NOCTTY). Neither flag changes how a
// regular file is read.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
