//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package config

import (
	"errors"
	"os"
	"syscall"
)

// lockOpenFlags: O_NOFOLLOW refuses a symbolic link at the lock's name;
// O_NONBLOCK keeps a named pipe planted there from blocking the open.
const lockOpenFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// tryLock takes an exclusive flock on f without waiting: held is true when
// another open file holds it. flock locks belong to the open file, not the
// process, so two goroutines of one process exclude each other too.
func tryLock(f *os.File) (held bool, err error) {
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}
